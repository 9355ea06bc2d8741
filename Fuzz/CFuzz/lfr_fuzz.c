// The declaration only: libFuzzer (libclang_rt.fuzzer_no_main) defines it.
#include "lfr_fuzz.h"
