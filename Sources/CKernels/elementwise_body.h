// CKernels: elementwise tensor kernels, included three times by
// elementwise.c with W float lanes per vector and EN(name) naming the build
// (name_w4 generic x86-64, name_w8 AVX2+FMA, name_w16 AVX-512). The same
// operations in the same order in every build; only the lane count and the
// FMA contraction differ. Tails go through the same vector code on a padded
// copy, so an element's result does not depend on where it sits.

typedef float EN(vf) __attribute__((vector_size(W * 4)));
typedef int32_t EN(vi) __attribute__((vector_size(W * 4)));

static inline __attribute__((always_inline)) EN(vf) EN(splat)(float x) {
    EN(vf) v;
    for (int i = 0; i < W; i++) v[i] = x;
    return v;
}

/// e^x of W lanes, TensorCore's fastExp (Sources/TensorCore/FastMath.swift)
/// in vectors: Cody-Waite reduction to |r| <= ln2/2, Cephes' degree-6
/// polynomial, 2^n applied in two halves (gradual underflow, overflow to
/// +inf); NaN stays NaN.
static inline __attribute__((always_inline)) EN(vf) EN(exp)(EN(vf) x) {
    EN(vf) v = __builtin_elementwise_min(x, EN(splat)(89.0f));
    v = __builtin_elementwise_max(v, EN(splat)(-104.0f));
    const EN(vf) magic = EN(splat)(12582912.0f);            // 1.5 * 2^23
    EN(vf) kf = v * 1.44269504f + magic;
    EN(vi) n = (EN(vi))kf - 0x4B400000;
    EN(vf) k = kf - magic;
    EN(vf) r = v - k * 0.693359375f;
    r = r - k * -2.1219444e-4f;
    EN(vf) z = r * r;
    EN(vf) p = EN(splat)(1.98756915e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * z + r + 1.0f;
    EN(vi) n1 = n >> 1, n2 = n - n1;
    EN(vf) y = p * (EN(vf))((n1 + 127) << 23) * (EN(vf))((n2 + 127) << 23);
    EN(vi) nan = x != x;
    return (EN(vf))(((EN(vi))x & nan) | ((EN(vi))y & ~nan));
}

static void EN(exp_array)(float *dst, const float *src, long n) {
    long i = 0;
    for (; i + W <= n; i += W) {
        EN(vf) x;
        __builtin_memcpy(&x, src + i, sizeof x);
        EN(vf) y = EN(exp)(x);
        __builtin_memcpy(dst + i, &y, sizeof y);
    }
    if (i < n) {
        float t[W];
        for (int j = 0; j < W; j++) t[j] = i + j < n ? src[i + j] : 0;
        EN(vf) x;
        __builtin_memcpy(&x, t, sizeof x);
        EN(vf) y = EN(exp)(x);
        __builtin_memcpy(t, &y, sizeof y);
        for (long j = 0; i + j < n; j++) dst[i + j] = t[j];
    }
}
