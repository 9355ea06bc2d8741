// CKernels: the non-GEMM kernels of the language models, in C so that they
// can be compiled twice: once for any x86-64 (SSE2) and once for AVX2+FMA,
// picked at run time by what the CPU supports (lfr_kernels_isa). The
// elementwise kernels (elementwise.c: the tensors' exp, the models' GELU)
// have a third, 16-lane AVX-512 build (lfr_elementwise_lanes). Swift's
// SIMD types compile to SSE only unless the whole target is built for a
// newer CPU, which would make the binary fail on older ones.
//
// Conventions (as Sources/Models/Layers.swift, which calls these):
// row-major float buffers, shapes in the comments; callers validate sizes;
// *_rows kernels work on a range of rows so Swift can split rows over its
// workers; every reduction has a fixed order inside one row or column, so
// results do not depend on how rows are split. Results of the two builds
// may differ in the last bits (FMA contraction); within one machine they
// are bit-identical from run to run.
#ifndef LFR_KERNELS_H
#define LFR_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction set in use: 0 generic x86-64, 1 AVX2+FMA.
int lfr_kernels_isa(void);
/// Forces an instruction set for the calling thread only (tests compare the
/// two builds); -1 returns the thread to the process's choice. Returns the
/// choice in effect before. Asking for AVX2 on a CPU without it gives the
/// generic build. LFR_KERNELS=generic makes the generic build the
/// process's choice.
int lfr_kernels_select(int isa);

/// out = x * Phi(x), Phi(x) = 0.5 (1 + erf(x / sqrt 2)), n elements; when
/// cdf is not NULL, Phi(x) is stored there for the backward. out may alias inp.
void lfr_gelu_forward(float *out, float *cdf, const float *inp, long n);
/// dinp = dout * (Phi(x) + x phi(x)); cdf from the forward, or NULL to
/// recompute it. dinp may alias dout.
void lfr_gelu_backward(float *dinp, const float *inp, const float *cdf, const float *dout, long n);

/// Rows r0..<r1 of LayerNorm: out = (x - mean) * rstd * w + b (b may be
/// NULL); mean and rstd (per row) are stored when not NULL.
/// out, inp (rows, C); w, b (C).
void lfr_layernorm_forward_rows(float *out, float *mean, float *rstd, const float *inp,
                                const float *w, const float *b, long r0, long r1, long C, float eps);
/// Rows r0..<r1 of the LayerNorm input gradient, ACCUMULATED into dinp:
/// dinp += rstd * (dn - mean(dn) - xhat * mean(dn * xhat)), dn = dout * w.
void lfr_layernorm_backward_rows(float *dinp, const float *dout, const float *inp, const float *w,
                                 const float *mean, const float *rstd, long r0, long r1, long C);
/// Columns c0..<c1 of the LayerNorm parameter gradients over all N rows, in
/// row order: dw[c] += sum dout * xhat; db[c] += sum dout (db may be NULL).
void lfr_layernorm_param_grads(float *dw, float *db, const float *dout, const float *inp,
                               const float *mean, const float *rstd, long N, long C, long c0, long c1);

/// Columns c0..<c1: into[c] += sum over rows of m[r, c], in row order.
void lfr_column_sums(float *into, const float *m, long rows, long columns, long c0, long c1);

/// One (T, T) attention matrix in place: row t becomes softmax of its first
/// t + 1 entries, zeros up to the end of its causal block of `block` rows
/// (min(T, (t / block + 1) * block)); entries after that are not touched.
void lfr_causal_softmax(float *a, long T, long block);
/// Softmax backward of one (T, T) matrix in place: d = scale * a * (d - <a, d>)
/// over each row's first t + 1 entries, zeros up to the block end (as above).
void lfr_causal_softmax_backward(float *d, const float *a, long T, long block, float scale);

/// Rows r0..<r1: losses[r] = -log softmax(logits[r])[targets[r]]. The logits
/// are overwritten: with exp(z - max) when with_grad is 0, else with
/// grad_scale * (softmax - onehot). logits (rows, V).
void lfr_cross_entropy_rows(float *logits, float *losses, const int32_t *targets, long r0, long r1,
                            long V, float grad_scale, int with_grad);

/// AdamW on n elements (PyTorch's arithmetic): g' = g * gscale;
/// m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g'^2;
/// p = p * decay - step * m / (sqrt(v) / bc2sqrt + eps).
void lfr_adamw(float *p, const float *g, float *m, float *v, long n, float gscale,
               float b1, float b2, float eps, float step, float bc2sqrt, float decay);

/// dst = a + b (n elements; dst may alias either).
void lfr_add(float *dst, const float *a, const float *b, long n);

/// Lanes of the elementwise build in use (elementwise.c): 16 AVX-512, 8
/// AVX2+FMA, 4 any x86-64. LFR_KERNELS=generic gives 4, LFR_KERNELS=avx2
/// at most 8.
int lfr_elementwise_lanes(void);
/// dst = e^src, n elements (TensorCore's fastExp in vectors: relative error
/// about 2 ulp, gradual underflow, +inf above 88.7, NaN stays NaN). dst may
/// alias src.
void lfr_exp(float *dst, const float *src, long n);
/// lfr_exp with the build of `lanes` lanes (capped at what the CPU runs),
/// so tests can compare the builds.
void lfr_exp_lanes(int lanes, float *dst, const float *src, long n);

/// lfr_gelu_forward / lfr_gelu_backward with the elementwise build of
/// `lanes` lanes (capped at what the CPU runs). lfr_gelu_* take the 16-lane
/// build on AVX-512 CPUs; it does the AVX2 build's arithmetic, so its
/// results are the AVX2 build's, bit for bit (the 4-lane build is the
/// generic one, without FMA).
void lfr_gelu_forward_lanes(int lanes, float *out, float *cdf, const float *inp, long n);
void lfr_gelu_backward_lanes(int lanes, float *dinp, const float *inp, const float *cdf, const float *dout, long n);

/// Float lanes of the widest FMA vectors this CPU has: 16 (AVX-512), 8
/// (AVX2+FMA) or 0 (no FMA: lfr_fma_loop does nothing).
int lfr_fma_width(void);
/// Runs `iterations` rounds of 16 independent vector multiply-adds in the
/// widest vectors (lfr_fma_width) on the calling thread; returns the
/// floating-point operations done (2 per lane per FMA). *sink receives a
/// value of the result so the loop cannot be dropped. For measuring the
/// machine's FMA peak (time it on every core at once).
double lfr_fma_loop(long iterations, float *sink);

#ifdef __cplusplus
}
#endif
#endif
