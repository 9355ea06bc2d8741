// CKernels: the kernel bodies, included twice by kernels.c with KN(name)
// giving each build its own names (name_generic, name_avx2). Everything is
// written on 8-lane vectors (GCC/Clang vector extensions), so both builds do
// the same operations in the same order; the AVX2 build maps a vector to one
// register and fuses multiply-adds.
//
// Tails (n not a multiple of 8) go through the same vector code on a padded
// copy, so an element's result does not depend on where it sits.

static inline __attribute__((always_inline)) f8 KN(load)(const float *p) { f8 v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline __attribute__((always_inline)) void KN(store)(float *p, f8 v) { __builtin_memcpy(p, &v, sizeof v); }
static inline __attribute__((always_inline)) f8 KN(load_part)(const float *p, long n, float fill) {
    float t[8];
    for (int i = 0; i < 8; i++) t[i] = i < n ? p[i] : fill;
    return KN(load)(t);
}
static inline __attribute__((always_inline)) void KN(store_part)(float *p, f8 v, long n) {
    float t[8];
    KN(store)(t, v);
    for (long i = 0; i < n; i++) p[i] = t[i];
}
static inline __attribute__((always_inline)) f8 KN(select)(i8 mask, f8 a, f8 b) { return (f8)(((i8)a & mask) | ((i8)b & ~mask)); }
static inline __attribute__((always_inline)) float KN(hsum)(f8 v) {
    return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}
static inline __attribute__((always_inline)) float KN(hmax)(f8 v) {
    float m = v[0];
    for (int i = 1; i < 8; i++) m = v[i] > m ? v[i] : m;
    return m;
}

/// exp of 8 lanes: x = k ln2 + r, |r| <= ln2/2, degree-6 Taylor polynomial
/// (relative error < 2e-7), times 2^k from the exponent bits. Inputs are
/// clamped to [-87.3, 88.7] (as Layers.swift's vexp).
static inline __attribute__((always_inline)) f8 KN(exp8)(f8 x) {
    x = __builtin_elementwise_max(x, SPLAT(-87.3f));
    x = __builtin_elementwise_min(x, SPLAT(88.7f));
    const f8 magic = SPLAT(12582912.0f);                 // 1.5 * 2^23
    f8 t = x * 1.442695040888963f + magic;
    f8 k = t - magic;
    f8 r = x - k * 0.693145751953125f - k * 1.428606765330187e-06f;
    f8 p = SPLAT(1.0f / 720);
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    i8 ki = (i8)t - 0x4B400000;
    f8 scale = (f8)((ki + 127) << 23);
    return p * scale;
}

/// erf of 8 lanes (Abramowitz & Stegun 7.1.26 on |x|, odd extension),
/// error < 5e-7 in float (as Layers.swift's verf).
static inline __attribute__((always_inline)) f8 KN(erf8)(f8 x) {
    i8 negative = x < 0;
    f8 ax = __builtin_elementwise_abs(x);
    f8 t = 1.0f / (1.0f + 0.3275911f * ax);
    f8 p = SPLAT(1.061405429f);
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    f8 y = 1.0f - p * t * KN(exp8)(-(ax * ax));
    return KN(select)(negative, -y, y);
}

static inline __attribute__((always_inline)) f8 KN(phi8)(f8 x) { return 0.5f * (1.0f + KN(erf8)(x * 0.70710678118654752f)); }

static inline __attribute__((always_inline)) void KN(gelu_fwd8)(float *out, float *cdf, const float *inp, long n) {
    f8 x = n == 8 ? KN(load)(inp) : KN(load_part)(inp, n, 0);
    f8 phi = KN(phi8)(x);
    f8 y = x * phi;
    if (n == 8) {
        if (cdf) KN(store)(cdf, phi);
        KN(store)(out, y);
    } else {
        if (cdf) KN(store_part)(cdf, phi, n);
        KN(store_part)(out, y, n);
    }
}

static void KN(gelu_forward)(float *out, float *cdf, const float *inp, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) KN(gelu_fwd8)(out + i, cdf ? cdf + i : 0, inp + i, 8);
    if (i < n) KN(gelu_fwd8)(out + i, cdf ? cdf + i : 0, inp + i, n - i);
}

static inline __attribute__((always_inline)) void KN(gelu_bwd8)(float *dinp, const float *inp, const float *cdf, const float *dout, long n) {
    int full = n == 8;
    f8 x = full ? KN(load)(inp) : KN(load_part)(inp, n, 0);
    f8 d = full ? KN(load)(dout) : KN(load_part)(dout, n, 0);
    f8 phi = cdf ? (full ? KN(load)(cdf) : KN(load_part)(cdf, n, 0)) : KN(phi8)(x);
    f8 g = d * (phi + x * (0.39894228040143268f * KN(exp8)(-0.5f * x * x)));
    if (full) KN(store)(dinp, g); else KN(store_part)(dinp, g, n);
}

static void KN(gelu_backward)(float *dinp, const float *inp, const float *cdf, const float *dout, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) KN(gelu_bwd8)(dinp + i, inp + i, cdf ? cdf + i : 0, dout + i, 8);
    if (i < n) KN(gelu_bwd8)(dinp + i, inp + i, cdf ? cdf + i : 0, dout + i, n - i);
}

/// Sum of a[0..<n] (8 partial sums, then the tail; fixed order).
static inline __attribute__((always_inline)) float KN(sum)(const float *a, long n) {
    f8 acc = SPLAT(0);
    long i = 0;
    for (; i + 8 <= n; i += 8) acc += KN(load)(a + i);
    float s = KN(hsum)(acc);
    for (; i < n; i++) s += a[i];
    return s;
}

static void KN(layernorm_forward_rows)(float *out, float *mean, float *rstd, const float *inp,
                                       const float *w, const float *b, long r0, long r1, long C, float eps) {
    for (long r = r0; r < r1; r++) {
        const float *x = inp + r * C;
        float *o = out + r * C;
        float m = KN(sum)(x, C) / (float)C;
        f8 acc = SPLAT(0);
        long c = 0;
        for (; c + 8 <= C; c += 8) { f8 d = KN(load)(x + c) - m; acc += d * d; }
        float v = KN(hsum)(acc);
        for (; c < C; c++) { float d = x[c] - m; v += d * d; }
        v /= (float)C;
        float s = 1.0f / __builtin_sqrtf(v + eps);
        c = 0;
        for (; c + 8 <= C; c += 8) {
            f8 y = (KN(load)(x + c) - m) * s * KN(load)(w + c);
            if (b) y += KN(load)(b + c);
            KN(store)(o + c, y);
        }
        for (; c < C; c++) o[c] = (x[c] - m) * s * w[c] + (b ? b[c] : 0.0f);
        if (mean) mean[r] = m;
        if (rstd) rstd[r] = s;
    }
}

static void KN(layernorm_backward_rows)(float *dinp, const float *dout, const float *inp, const float *w,
                                        const float *mean, const float *rstd, long r0, long r1, long C) {
    for (long r = r0; r < r1; r++) {
        const float *x = inp + r * C, *d = dout + r * C;
        float *dx = dinp + r * C;
        float m = mean[r], s = rstd[r];
        f8 aD = SPLAT(0), aDX = SPLAT(0);
        long c = 0;
        for (; c + 8 <= C; c += 8) {
            f8 dn = KN(load)(d + c) * KN(load)(w + c);
            aD += dn;
            aDX += dn * ((KN(load)(x + c) - m) * s);
        }
        float sumD = KN(hsum)(aD), sumDX = KN(hsum)(aDX);
        for (; c < C; c++) { float dn = d[c] * w[c]; sumD += dn; sumDX += dn * ((x[c] - m) * s); }
        float meanD = sumD / (float)C, meanDX = sumDX / (float)C;
        c = 0;
        for (; c + 8 <= C; c += 8) {
            f8 xhat = (KN(load)(x + c) - m) * s;
            f8 g = KN(load)(dx + c) + s * (KN(load)(d + c) * KN(load)(w + c) - meanD - xhat * meanDX);
            KN(store)(dx + c, g);
        }
        for (; c < C; c++) {
            float xhat = (x[c] - m) * s;
            dx[c] += s * (d[c] * w[c] - meanD - xhat * meanDX);
        }
    }
}

static void KN(layernorm_param_grads)(float *dw, float *db, const float *dout, const float *inp,
                                      const float *mean, const float *rstd, long N, long C, long c0, long c1) {
    // 8 columns at a time down all rows: every column sums its rows in order.
    long c = c0;
    for (; c + 8 <= c1; c += 8) {
        f8 aw = KN(load)(dw + c), ab = db ? KN(load)(db + c) : SPLAT(0);
        for (long r = 0; r < N; r++) {
            f8 d = KN(load)(dout + r * C + c);
            aw += d * ((KN(load)(inp + r * C + c) - mean[r]) * rstd[r]);
            ab += d;
        }
        KN(store)(dw + c, aw);
        if (db) KN(store)(db + c, ab);
    }
    for (; c < c1; c++) {
        float aw = dw[c], ab = db ? db[c] : 0;
        for (long r = 0; r < N; r++) {
            float d = dout[r * C + c];
            aw += d * ((inp[r * C + c] - mean[r]) * rstd[r]);
            ab += d;
        }
        dw[c] = aw;
        if (db) db[c] = ab;
    }
}

static void KN(column_sums)(float *into, const float *m, long rows, long columns, long c0, long c1) {
    long c = c0;
    for (; c + 32 <= c1; c += 32) {
        f8 a0 = KN(load)(into + c), a1 = KN(load)(into + c + 8);
        f8 a2 = KN(load)(into + c + 16), a3 = KN(load)(into + c + 24);
        for (long r = 0; r < rows; r++) {
            const float *row = m + r * columns + c;
            a0 += KN(load)(row); a1 += KN(load)(row + 8);
            a2 += KN(load)(row + 16); a3 += KN(load)(row + 24);
        }
        KN(store)(into + c, a0); KN(store)(into + c + 8, a1);
        KN(store)(into + c + 16, a2); KN(store)(into + c + 24, a3);
    }
    for (; c < c1; c++) {
        float a = into[c];
        for (long r = 0; r < rows; r++) a += m[r * columns + c];
        into[c] = a;
    }
}

/// In place: a[0..<n] = exp(a - mx); returns the sum (fixed order).
static inline __attribute__((always_inline)) float KN(exp_subtract)(float *a, float mx, long n) {
    f8 acc = SPLAT(0);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        f8 e = KN(exp8)(KN(load)(a + i) - mx);
        KN(store)(a + i, e);
        acc += e;
    }
    float s = KN(hsum)(acc);
    if (i < n) {
        f8 e = KN(exp8)(KN(load_part)(a + i, n - i, 0) - mx);
        KN(store_part)(a + i, e, n - i);
        for (long j = 0; j < n - i; j++) s += e[j];
    }
    return s;
}

static inline __attribute__((always_inline)) float KN(max)(const float *a, long n) {
    long i = 0;
    float mx = a[0];
    if (n >= 8) {
        f8 acc = KN(load)(a);
        for (i = 8; i + 8 <= n; i += 8) acc = __builtin_elementwise_max(acc, KN(load)(a + i));
        mx = KN(hmax)(acc);
    }
    for (; i < n; i++) mx = a[i] > mx ? a[i] : mx;
    return mx;
}

static inline __attribute__((always_inline)) void KN(scale)(float *a, float f, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) KN(store)(a + i, KN(load)(a + i) * f);
    for (; i < n; i++) a[i] *= f;
}

static inline __attribute__((always_inline)) long KN(block_end)(long t, long T, long block) {
    long e = (t / block + 1) * block;
    return e < T ? e : T;
}

static void KN(causal_softmax)(float *a, long T, long block) {
    for (long t = 0; t < T; t++) {
        float *row = a + t * T;
        long n = t + 1, w = KN(block_end)(t, T, block);
        float mx = KN(max)(row, n);
        float s = KN(exp_subtract)(row, mx, n);
        KN(scale)(row, 1.0f / s, n);
        for (long j = n; j < w; j++) row[j] = 0;
    }
}

static void KN(causal_softmax_backward)(float *d, const float *a, long T, long block, float scale) {
    for (long t = 0; t < T; t++) {
        const float *ar = a + t * T;
        float *dr = d + t * T;
        long n = t + 1, w = KN(block_end)(t, T, block);
        f8 acc = SPLAT(0);
        long j = 0;
        for (; j + 8 <= n; j += 8) acc += KN(load)(ar + j) * KN(load)(dr + j);
        float dot = KN(hsum)(acc);
        for (; j < n; j++) dot += ar[j] * dr[j];
        j = 0;
        for (; j + 8 <= n; j += 8)
            KN(store)(dr + j, scale * KN(load)(ar + j) * (KN(load)(dr + j) - dot));
        for (; j < n; j++) dr[j] = scale * ar[j] * (dr[j] - dot);
        for (j = n; j < w; j++) dr[j] = 0;
    }
}

static void KN(cross_entropy_rows)(float *logits, float *losses, const int32_t *targets, long r0, long r1,
                                   long V, float grad_scale, int with_grad) {
    for (long r = r0; r < r1; r++) {
        float *z = logits + r * V;
        long y = targets[r];
        float zy = z[y];
        float mx = KN(max)(z, V);
        float s = KN(exp_subtract)(z, mx, V);
        losses[r] = logf(s) + mx - zy;
        if (with_grad) {
            KN(scale)(z, grad_scale / s, V);
            z[y] -= grad_scale;
        }
    }
}

static inline __attribute__((always_inline)) void KN(adamw8)(float *p, const float *g, float *m, float *v, long n, float gscale,
                              float b1, float b2, float eps, float step, float bc2sqrt, float decay) {
    int full = n == 8;
    f8 gi = (full ? KN(load)(g) : KN(load_part)(g, n, 0)) * gscale;
    f8 mi = b1 * (full ? KN(load)(m) : KN(load_part)(m, n, 0)) + (1 - b1) * gi;
    f8 vi = b2 * (full ? KN(load)(v) : KN(load_part)(v, n, 0)) + (1 - b2) * (gi * gi);
    f8 pi = full ? KN(load)(p) : KN(load_part)(p, n, 0);
    f8 upd = pi * decay - step * mi / (__builtin_elementwise_sqrt(vi) / bc2sqrt + eps);
    if (full) {
        KN(store)(m, mi); KN(store)(v, vi); KN(store)(p, upd);
    } else {
        KN(store_part)(m, mi, n); KN(store_part)(v, vi, n); KN(store_part)(p, upd, n);
    }
}

static void KN(adamw)(float *p, const float *g, float *m, float *v, long n, float gscale,
                      float b1, float b2, float eps, float step, float bc2sqrt, float decay) {
    long i = 0;
    for (; i + 8 <= n; i += 8)
        KN(adamw8)(p + i, g + i, m + i, v + i, 8, gscale, b1, b2, eps, step, bc2sqrt, decay);
    if (i < n) KN(adamw8)(p + i, g + i, m + i, v + i, n - i, gscale, b1, b2, eps, step, bc2sqrt, decay);
}

static void KN(add)(float *dst, const float *a, const float *b, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) KN(store)(dst + i, KN(load)(a + i) + KN(load)(b + i));
    for (; i < n; i++) dst[i] = a[i] + b[i];
}
