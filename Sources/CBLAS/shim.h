// CBLAS: OpenBLAS's C interface (cblas.h from Debian's libopenblas-dev).
// Only declarations live here; scripts/setup installs the library.
#ifndef LFR_CBLAS_SHIM_H
#define LFR_CBLAS_SHIM_H
#include <cblas.h>
#endif
