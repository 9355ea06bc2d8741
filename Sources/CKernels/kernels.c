// CKernels: two builds of kernels_body.h (generic x86-64 and AVX2+FMA) and
// the dispatch between them (see include/lfr_kernels.h); GELU goes to
// elementwise.c's 16-lane build on AVX-512 CPUs (same results as AVX2).
// Also the FMA peak loop the bench measures the machine with.
#include "lfr_kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

// Vector helpers are always inlined, so 8-lane values never cross a call
// (the ABI warning about AVX vectors in the generic build does not apply).
#pragma clang diagnostic ignored "-Wpsabi"

typedef float f8 __attribute__((vector_size(32)));
typedef int32_t i8 __attribute__((vector_size(32)));
#define SPLAT(x) ((f8){(x), (x), (x), (x), (x), (x), (x), (x)})

#define KN(name) name##_generic
#include "kernels_body.h"
#undef KN

#if defined(__x86_64__)
#define HAVE_AVX2_BUILD 1
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define KN(name) name##_avx2
#include "kernels_body.h"
#undef KN
#pragma clang attribute pop
#else
#define HAVE_AVX2_BUILD 0
#endif

// The process's choice: -1 until the first call decides, then 0 (generic)
// or 1 (AVX2+FMA). A thread may override it (tests compare the builds
// without changing what other threads compute).
static int chosen = -1;
static _Thread_local int thread_choice = -1;

static int cpu_has_avx2(void) {
#if HAVE_AVX2_BUILD
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int lfr_kernels_isa(void) {
    if (thread_choice >= 0) return thread_choice;
    int isa = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (isa < 0) {
        // LFR_KERNELS=generic keeps the portable build (for comparisons).
        const char *env = getenv("LFR_KERNELS");
        isa = (env && strcmp(env, "generic") == 0) ? 0 : cpu_has_avx2();
        __atomic_store_n(&chosen, isa, __ATOMIC_RELAXED);
    }
    return isa;
}

int lfr_kernels_select(int isa) {
    int previous = lfr_kernels_isa();
    thread_choice = isa < 0 ? -1 : (isa == 1 && cpu_has_avx2() ? 1 : 0);
    return previous;
}

#if HAVE_AVX2_BUILD
#define DISPATCH(name, ...) \
    do { if (lfr_kernels_isa() == 1) name##_avx2(__VA_ARGS__); else name##_generic(__VA_ARGS__); } while (0)
#else
#define DISPATCH(name, ...) name##_generic(__VA_ARGS__)
#endif

// GELU takes the 16-lane build (elementwise.c) on AVX-512 CPUs: the same
// arithmetic as the AVX2 build, so the same results, in half the
// instructions. A thread's lfr_kernels_select keeps the 8-lane builds
// (tests compare the two).
static int gelu_wide(void) {
    return thread_choice < 0 && lfr_kernels_isa() == 1 && lfr_elementwise_lanes() == 16;
}
void lfr_gelu_forward(float *out, float *cdf, const float *inp, long n) {
    if (gelu_wide()) { lfr_gelu_forward_lanes(16, out, cdf, inp, n); return; }
    DISPATCH(gelu_forward, out, cdf, inp, n);
}
void lfr_gelu_backward(float *dinp, const float *inp, const float *cdf, const float *dout, long n) {
    if (gelu_wide()) {
        lfr_gelu_backward_lanes(16, dinp, inp, cdf, dout, n);
        return;
    }
    DISPATCH(gelu_backward, dinp, inp, cdf, dout, n);
}
void lfr_layernorm_forward_rows(float *out, float *mean, float *rstd, const float *inp,
                                const float *w, const float *b, long r0, long r1, long C, float eps) {
    DISPATCH(layernorm_forward_rows, out, mean, rstd, inp, w, b, r0, r1, C, eps);
}
void lfr_layernorm_backward_rows(float *dinp, const float *dout, const float *inp, const float *w,
                                 const float *mean, const float *rstd, long r0, long r1, long C) {
    DISPATCH(layernorm_backward_rows, dinp, dout, inp, w, mean, rstd, r0, r1, C);
}
void lfr_layernorm_param_grads(float *dw, float *db, const float *dout, const float *inp,
                               const float *mean, const float *rstd, long N, long C, long c0, long c1) {
    DISPATCH(layernorm_param_grads, dw, db, dout, inp, mean, rstd, N, C, c0, c1);
}
void lfr_column_sums(float *into, const float *m, long rows, long columns, long c0, long c1) {
    DISPATCH(column_sums, into, m, rows, columns, c0, c1);
}
void lfr_causal_softmax(float *a, long T, long block) {
    DISPATCH(causal_softmax, a, T, block);
}
void lfr_causal_softmax_backward(float *d, const float *a, long T, long block, float scale) {
    DISPATCH(causal_softmax_backward, d, a, T, block, scale);
}
void lfr_cross_entropy_rows(float *logits, float *losses, const int32_t *targets, long r0, long r1,
                            long V, float grad_scale, int with_grad) {
    DISPATCH(cross_entropy_rows, logits, losses, targets, r0, r1, V, grad_scale, with_grad);
}
void lfr_adamw(float *p, const float *g, float *m, float *v, long n, float gscale,
               float b1, float b2, float eps, float step, float bc2sqrt, float decay) {
    DISPATCH(adamw, p, g, m, v, n, gscale, b1, b2, eps, step, bc2sqrt, decay);
}
void lfr_add(float *dst, const float *a, const float *b, long n) {
    DISPATCH(add, dst, a, b, n);
}

// MARK: - FMA peak

// The machine's multiply-add peak, for the bench's achieved fractions: 16
// independent accumulators (enough to cover the FMA latency on two ports)
// each doing acc = acc * x + y, in the widest vectors the CPU has. The
// values stay finite (x < 1, y small) and are returned so nothing is dead
// (check with objdump: 16 vfmadd in the loop of each build).
#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f")))
static float fma_loop_avx512(long iterations, float x, float y) {
    __m512 vx = _mm512_set1_ps(x), vy = _mm512_set1_ps(y);
    __m512 a[16];
    for (int i = 0; i < 16; i++) a[i] = _mm512_set1_ps((float)i * 0.01f);
    for (long n = 0; n < iterations; n++) {
        for (int i = 0; i < 16; i++) a[i] = _mm512_fmadd_ps(a[i], vx, vy);
    }
    __m512 s = a[0];
    for (int i = 1; i < 16; i++) s = _mm512_add_ps(s, a[i]);
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma")))
static float fma_loop_avx2(long iterations, float x, float y) {
    __m256 vx = _mm256_set1_ps(x), vy = _mm256_set1_ps(y);
    __m256 a[16];
    for (int i = 0; i < 16; i++) a[i] = _mm256_set1_ps((float)i * 0.01f);
    for (long n = 0; n < iterations; n++) {
        for (int i = 0; i < 16; i++) a[i] = _mm256_fmadd_ps(a[i], vx, vy);
    }
    __m256 s = a[0];
    for (int i = 1; i < 16; i++) s = _mm256_add_ps(s, a[i]);
    float t[8];
    _mm256_storeu_ps(t, s);
    return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}
#endif

int lfr_fma_width(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 16;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 8;
#endif
    return 0;
}

double lfr_fma_loop(long iterations, float *sink) {
    int w = lfr_fma_width();
    float r = 0;
    // Read through volatile so the compiler cannot fold a chain that starts
    // at its fixed point (y / (1 - x)) out of the loop.
    volatile float vx = 0.999999f, vy = 1e-7f;
    float x = vx, y = vy;
#if defined(__x86_64__)
    if (w == 16) r = fma_loop_avx512(iterations, x, y);
    else if (w == 8) r = fma_loop_avx2(iterations, x, y);
#endif
    if (sink) *sink = r;
    return (double)iterations * 16.0 * (double)w * 2.0;
}
