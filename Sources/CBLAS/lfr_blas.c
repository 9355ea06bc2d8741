// CBLAS: lazy loading of OpenBLAS (see include/lfr_blas.h for why).
#include "lfr_blas.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// cblas.h's enum values (CblasRowMajor, CblasNoTrans, CblasTrans); the
// header itself is not needed since nothing is linked against it.
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
                         const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char *(*get_string_fn)(void);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;  // set once inside pthread_once; read atomically by lfr_blas_is_loaded
static sgemm_fn p_sgemm;
static set_threads_fn p_set_threads;
static get_threads_fn p_get_threads;
static get_string_fn p_get_config, p_get_corename;
static char description[512];

static void load_once(void) {
    // Debian's libopenblas-dev installs libopenblas.so.0 (and the .so link).
    // LFR_OPENBLAS=FILE opens that file instead, and only it (a missing
    // file, or LFR_OPENBLAS=none, selects the fallback loop: tests use it).
    const char *chosen = getenv("LFR_OPENBLAS");
    const char *names[] = {"libopenblas.so.0", "libopenblas.so"};
    void *h = NULL;
    const char *why = "not found";
    if (chosen && chosen[0]) {
        if (strcmp(chosen, "none") == 0) {
            why = "LFR_OPENBLAS=none";
        } else {
            h = dlopen(chosen, RTLD_NOW | RTLD_LOCAL);
            if (!h) why = dlerror();
        }
    } else {
        for (size_t i = 0; i < sizeof names / sizeof names[0] && !h; i++) {
            h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
            if (!h) why = dlerror();
        }
    }
    if (h) {
        p_sgemm = (sgemm_fn)dlsym(h, "cblas_sgemm");
        p_set_threads = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
        p_get_threads = (get_threads_fn)dlsym(h, "openblas_get_num_threads");
        p_get_config = (get_string_fn)dlsym(h, "openblas_get_config");
        p_get_corename = (get_string_fn)dlsym(h, "openblas_get_corename");
        if (!p_sgemm) why = "libopenblas has no cblas_sgemm";
    }
    if (h && p_sgemm) {
        __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
        snprintf(description, sizeof description, "%s (core %s)",
                 p_get_config ? p_get_config() : "OpenBLAS",
                 p_get_corename ? p_get_corename() : "?");
    } else {
        snprintf(description, sizeof description,
                 "OpenBLAS unavailable (%s); using a plain C loop", why ? why : "?");
        fprintf(stderr, "lfr: warning: %s; matrix products will be slow "
                        "(scripts/setup installs libopenblas-dev)\n", description);
    }
}

int lfr_blas_load(void) {
    pthread_once(&once, load_once);
    return loaded;
}

int lfr_blas_is_loaded(void) {
    return __atomic_load_n(&loaded, __ATOMIC_ACQUIRE);
}

const char *lfr_blas_description(void) {
    lfr_blas_load();
    return description;
}

void lfr_blas_set_threads(int n) {
    if (lfr_blas_load() && p_set_threads) p_set_threads(n < 1 ? 1 : n);
}

int lfr_blas_threads(void) {
    return lfr_blas_load() && p_get_threads ? p_get_threads() : 1;
}

void lfr_sgemm(int trans_a, int trans_b, int m, int n, int k,
               float alpha, const float *a, int lda, const float *b, int ldb,
               float beta, float *c, int ldc) {
    if (lfr_blas_load()) {
        p_sgemm(ROW_MAJOR, trans_a ? TRANS : NO_TRANS, trans_b ? TRANS : NO_TRANS,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    } else {
        lfr_sgemm_reference(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}

void lfr_sgemm_reference(int trans_a, int trans_b, int m, int n, int k,
                         float alpha, const float *a, int lda, const float *b, int ldb,
                         float beta, float *c, int ldc) {
    for (int i = 0; i < m; i++) {
        float *row = c + (size_t)i * ldc;
        for (int j = 0; j < n; j++) row[j] = beta == 0 ? 0 : beta * row[j];
        // i-p-j order: the inner loop runs along contiguous rows of B and C
        // when B is not transposed.
        for (int p = 0; p < k; p++) {
            float x = trans_a ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p];
            x *= alpha;
            if (trans_b) {
                for (int j = 0; j < n; j++) row[j] += x * b[(size_t)j * ldb + p];
            } else {
                const float *brow = b + (size_t)p * ldb;
                for (int j = 0; j < n; j++) row[j] += x * brow[j];
            }
        }
    }
}
