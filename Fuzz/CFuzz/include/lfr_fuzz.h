// lfr_fuzz.h: libFuzzer's entry point for programs that have their own main.
// The fuzz targets are Swift executables (SwiftPM gives them their main), so
// they link libFuzzer without its main and hand it the callback here.
#ifndef LFR_FUZZ_H
#define LFR_FUZZ_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer with the process's arguments, calling `callback` with
/// every input; returns libFuzzer's exit status.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
