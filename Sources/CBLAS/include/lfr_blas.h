// CBLAS: lfr's bridge to OpenBLAS, loaded on first use.
//
// lfr does not link OpenBLAS. The library starts a pool of worker threads
// when it is loaded, and those threads spin for a while after start-up; a
// script that never multiplies matrices (or the REPL waiting at its prompt)
// should not pay for them. So the first call below opens libopenblas with
// dlopen and resolves the few symbols lfr uses. If the library cannot be
// found, lfr says so once on stderr and falls back to a plain C loop, so a
// machine without scripts/setup still runs scripts, slowly.
#ifndef LFR_BLAS_H
#define LFR_BLAS_H

#ifdef __cplusplus
extern "C" {
#endif

/// C[M,N] = alpha * op(A) @ op(B) + beta * C, row-major; op transposes when
/// the flag is non-zero. lda/ldb/ldc are the row strides as stored.
void lfr_sgemm(int trans_a, int trans_b, int m, int n, int k,
               float alpha, const float *a, int lda,
               const float *b, int ldb,
               float beta, float *c, int ldc);

/// The plain C loop used when OpenBLAS is missing (and as the reference
/// the tests compare OpenBLAS against).
void lfr_sgemm_reference(int trans_a, int trans_b, int m, int n, int k,
                         float alpha, const float *a, int lda,
                         const float *b, int ldb,
                         float beta, float *c, int ldc);

/// Threads OpenBLAS uses for one call (1 when OpenBLAS is missing).
void lfr_blas_set_threads(int n);
int lfr_blas_threads(void);

/// 1 once OpenBLAS has been opened, 0 before (or when it is missing).
/// Does not load the library.
int lfr_blas_is_loaded(void);

/// Loads OpenBLAS if that has not been tried yet; returns 1 when it is
/// available, 0 when lfr runs on the fallback loop.
int lfr_blas_load(void);

/// OpenBLAS's build description and the kernel it chose, or why it could
/// not be loaded. Loads the library. The string lives as long as the process.
const char *lfr_blas_description(void);

#ifdef __cplusplus
}
#endif
#endif
