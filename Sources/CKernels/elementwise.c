// CKernels: three builds of elementwise_body.h (4 lanes for any x86-64, 8
// for AVX2+FMA, 16 for AVX-512) and the dispatch between them, by what the
// CPU supports (see include/lfr_kernels.h, lfr_elementwise_lanes).
#include "lfr_kernels.h"

#include <stdlib.h>
#include <string.h>

#pragma clang diagnostic ignored "-Wpsabi"

#define W 4
#define EN(name) name##_w4
#include "elementwise_body.h"
#undef EN
#undef W

#if defined(__x86_64__)
#define HAVE_WIDE_BUILDS 1
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define W 8
#define EN(name) name##_w8
#include "elementwise_body.h"
#undef EN
#undef W
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma"))), apply_to = function)
#define W 16
#define EN(name) name##_w16
#include "elementwise_body.h"
#undef EN
#undef W
#pragma clang attribute pop
#else
#define HAVE_WIDE_BUILDS 0
#endif

/// The widest build this CPU runs: 16, 8 or 4 lanes.
static int cpu_lanes(void) {
#if HAVE_WIDE_BUILDS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl")) return 16;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 8;
#endif
    return 4;
}

static int chosen_lanes = 0;

int lfr_elementwise_lanes(void) {
    int lanes = __atomic_load_n(&chosen_lanes, __ATOMIC_RELAXED);
    if (lanes == 0) {
        // LFR_KERNELS=generic or =avx2 caps the build (for comparisons).
        const char *env = getenv("LFR_KERNELS");
        lanes = cpu_lanes();
        if (env && strcmp(env, "generic") == 0) lanes = 4;
        if (env && strcmp(env, "avx2") == 0 && lanes > 8) lanes = 8;
        __atomic_store_n(&chosen_lanes, lanes, __ATOMIC_RELAXED);
    }
    return lanes;
}

void lfr_exp_lanes(int lanes, float *dst, const float *src, long n) {
    int top = cpu_lanes();
    if (lanes > top) lanes = top;
#if HAVE_WIDE_BUILDS
    if (lanes >= 16) { exp_array_w16(dst, src, n); return; }
    if (lanes >= 8) { exp_array_w8(dst, src, n); return; }
#endif
    exp_array_w4(dst, src, n);
}

void lfr_exp(float *dst, const float *src, long n) {
    lfr_exp_lanes(lfr_elementwise_lanes(), dst, src, n);
}

void lfr_gelu_forward_lanes(int lanes, float *out, float *cdf, const float *inp, long n) {
    int top = cpu_lanes();
    if (lanes > top) lanes = top;
#if HAVE_WIDE_BUILDS
    if (lanes >= 16) { gelu_forward_w16(out, cdf, inp, n); return; }
    if (lanes >= 8) { gelu_forward_w8(out, cdf, inp, n); return; }
#endif
    gelu_forward_w4(out, cdf, inp, n);
}

void lfr_gelu_backward_lanes(int lanes, float *dinp, const float *inp, const float *cdf, const float *dout, long n) {
    int top = cpu_lanes();
    if (lanes > top) lanes = top;
#if HAVE_WIDE_BUILDS
    if (lanes >= 16) { gelu_backward_w16(dinp, inp, cdf, dout, n); return; }
    if (lanes >= 8) { gelu_backward_w8(dinp, inp, cdf, dout, n); return; }
#endif
    gelu_backward_w4(dinp, inp, cdf, dout, n);
}
