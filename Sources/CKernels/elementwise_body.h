// CKernels: elementwise kernels (the tensors' exp, the models' GELU), included three times by
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

// MARK: - GELU (the models' exact-erf GELU in W lanes)

// The same operations in the same order as kernels_body.h's exp8, erf8 and
// phi8 (the AVX2 build), so with FMA the 16-lane build gives the AVX2
// build's results bit for bit (ExpKernelTests compares them).
static inline __attribute__((always_inline)) EN(vf) EN(gexp)(EN(vf) x) {
    x = __builtin_elementwise_max(x, EN(splat)(-87.3f));
    x = __builtin_elementwise_min(x, EN(splat)(88.7f));
    const EN(vf) magic = EN(splat)(12582912.0f);
    EN(vf) t = x * 1.442695040888963f + magic;
    EN(vf) k = t - magic;
    EN(vf) r = x - k * 0.693145751953125f - k * 1.428606765330187e-06f;
    EN(vf) p = EN(splat)(1.0f / 720);
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    EN(vi) ki = (EN(vi))t - 0x4B400000;
    EN(vf) scale = (EN(vf))((ki + 127) << 23);
    return p * scale;
}

static inline __attribute__((always_inline)) EN(vf) EN(phi)(EN(vf) x) {
    x = x * 0.70710678118654752f;
    EN(vi) negative = x < 0;
    EN(vf) ax = __builtin_elementwise_abs(x);
    EN(vf) t = 1.0f / (1.0f + 0.3275911f * ax);
    EN(vf) p = EN(splat)(1.061405429f);
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    EN(vf) y = 1.0f - p * t * EN(gexp)(-(ax * ax));
    EN(vf) e = (EN(vf))(((EN(vi))(-y) & negative) | ((EN(vi))y & ~negative));
    return 0.5f * (1.0f + e);
}

/// One vector of n <= W elements: out = x Phi(x), cdf = Phi(x) (when not NULL).
static inline __attribute__((always_inline)) void EN(gelu_fwd)(float *out, float *cdf, const float *inp, long n) {
    float t[W];
    EN(vf) x;
    if (n == W) __builtin_memcpy(&x, inp, sizeof x);
    else { for (int j = 0; j < W; j++) t[j] = j < n ? inp[j] : 0; __builtin_memcpy(&x, t, sizeof x); }
    EN(vf) phi = EN(phi)(x);
    EN(vf) y = x * phi;
    if (n == W) {
        if (cdf) __builtin_memcpy(cdf, &phi, sizeof phi);
        __builtin_memcpy(out, &y, sizeof y);
    } else {
        if (cdf) { __builtin_memcpy(t, &phi, sizeof phi); for (long j = 0; j < n; j++) cdf[j] = t[j]; }
        __builtin_memcpy(t, &y, sizeof y); for (long j = 0; j < n; j++) out[j] = t[j];
    }
}

static void EN(gelu_forward)(float *out, float *cdf, const float *inp, long n) {
    long i = 0;
    for (; i + W <= n; i += W) EN(gelu_fwd)(out + i, cdf ? cdf + i : 0, inp + i, W);
    if (i < n) EN(gelu_fwd)(out + i, cdf ? cdf + i : 0, inp + i, n - i);
}

static inline __attribute__((always_inline)) EN(vf) EN(load_n)(const float *p, long n) {
    EN(vf) v;
    if (n == W) { __builtin_memcpy(&v, p, sizeof v); return v; }
    float t[W];
    for (int j = 0; j < W; j++) t[j] = j < n ? p[j] : 0;
    __builtin_memcpy(&v, t, sizeof v);
    return v;
}

/// One vector: dinp = dout (Phi(x) + x phi(x)), Phi from cdf or recomputed.
static inline __attribute__((always_inline)) void EN(gelu_bwd)(float *dinp, const float *inp, const float *cdf,
                                                               const float *dout, long n) {
    EN(vf) x = EN(load_n)(inp, n), d = EN(load_n)(dout, n);
    EN(vf) phi = cdf ? EN(load_n)(cdf, n) : EN(phi)(x);
    EN(vf) g = d * (phi + x * (0.39894228040143268f * EN(gexp)(-0.5f * x * x)));
    if (n == W) { __builtin_memcpy(dinp, &g, sizeof g); return; }
    float t[W];
    __builtin_memcpy(t, &g, sizeof g);
    for (long j = 0; j < n; j++) dinp[j] = t[j];
}

static void EN(gelu_backward)(float *dinp, const float *inp, const float *cdf, const float *dout, long n) {
    long i = 0;
    for (; i + W <= n; i += W) EN(gelu_bwd)(dinp + i, inp + i, cdf ? cdf + i : 0, dout + i, W);
    if (i < n) EN(gelu_bwd)(dinp + i, inp + i, cdf ? cdf + i : 0, dout + i, n - i);
}
