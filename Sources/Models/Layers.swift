// Layers: the forward/backward kernel pairs the language models are built from
// (llm.c style): embedding, layernorm, linear (matmul), GELU, residual,
// causal multi-head attention, softmax cross-entropy.
//
// Conventions that stay true in this file:
// - Every buffer is a raw row-major Float pointer; the comment next to each
//   parameter gives its shape. B = batch rows, T = sequence length,
//   C = channels, H = heads, V = vocab, N = B*T rows.
// - Backward kernels ACCUMULATE into parameter gradients (+=) so gradient
//   accumulation and tied weights need no extra buffers; gradients with
//   respect to activations are overwritten unless the parameter says so.
// - Callers validate sizes; these kernels trust them (internal API).
// - Results do not depend on the number of workers: parallel loops split
//   independent rows (or independent columns of a reduction), and every
//   reduction runs in a fixed order inside one row or column.
// - Everything that is not a matmul runs in C (CKernels: one build for any
//   x86-64 and one for AVX2+FMA, chosen at run time; GELU in 16 lanes on
//   AVX-512, with the AVX2 results); this file splits the work over the
//   workers and keeps the shapes.
// - Matmuls go through BLAS.sgemm with transposes as flags, never copies.
//   Threads: a model pass runs inside `Layers.withModelThreads`, which sets
//   OpenBLAS to ONE thread for its duration; `gemm` then splits each product
//   into `Parallel.workers` row (or column) panels, one single-threaded
//   sgemm per worker, and attention runs its per-(batch, head) products on
//   the workers the same way. So exactly `Parallel.workers` threads compute
//   at any time: no OpenBLAS threads spin (sched_yield) while our own loops
//   run, which measured as the largest cost when both pools were active.
import TensorCore
import CKernels
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

@usableFromInline typealias FloatPtr = UnsafeMutablePointer<Float>
@usableFromInline typealias ConstFloatPtr = UnsafePointer<Float>

/// Rows per parallel chunk that make a thread worth starting for a row of
/// `width` elements (about 16k elements of work per chunk).
@inline(__always) func rowGrain(_ width: Int) -> Int { max(1, 16_384 / max(width, 1)) }

// MARK: - Small vector helpers (SIMD, fixed summation order)

/// Dot product of a[0..<n] and b[0..<n] (8 partial sums, then the tail; fixed order).
@inline(__always) func vdot(_ a: ConstFloatPtr, _ b: ConstFloatPtr, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// Largest of a[0..<n] (n >= 1).
@inline(__always) func vmax(_ a: ConstFloatPtr, _ n: Int) -> Float {
    var m = a[0]
    var i = 1
    while i < n { if a[i] > m { m = a[i] }; i += 1 }
    return m
}

enum Layers {
    // MARK: - Threads and GEMM

    /// Runs `body` with OpenBLAS single-threaded (the model parallelises
    /// GEMMs itself, see the file header), restoring the previous setting.
    static func withModelThreads<R>(_ body: () throws -> R) rethrows -> R {
        let previous = BLAS.threads
        if previous != 1 { BLAS.setThreads(1) }
        defer { if previous != 1 { BLAS.setThreads(previous) } }
        return try body()
    }

    /// C[M,N] = alpha op(A) op(B) + beta C (row-major, as BLAS.sgemm), split
    /// into one panel of rows of C (or of columns, when C is wide) per
    /// worker; panel edges are multiples of 16 so every panel keeps
    /// OpenBLAS's full-width micro-kernels. Small products run in one call.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: ConstFloatPtr, lda: Int, b: ConstFloatPtr, ldb: Int,
                     beta: Float, c: FloatPtr, ldc: Int) {
        let workers = Parallel.workers
        if workers <= 1 || m * n * k < 1 << 18 {
            BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                       b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let byRows = m >= n
        let extent = byRows ? m : n
        let parts = min(workers, max(1, extent / 16))
        Parallel.forEachChunk(parts, grain: 1) { range in
            for part in range {
                let lo = (extent * part / parts) & ~15
                let hi = part == parts - 1 ? extent : (extent * (part + 1) / parts) & ~15
                if lo >= hi { continue }
                if byRows {
                    BLAS.sgemm(transA: transA, transB: transB, m: hi - lo, n: n, k: k, alpha: alpha,
                               a: transA ? a + lo : a + lo * lda, lda: lda, b: b, ldb: ldb,
                               beta: beta, c: c + lo * ldc, ldc: ldc)
                } else {
                    BLAS.sgemm(transA: transA, transB: transB, m: m, n: hi - lo, k: k, alpha: alpha,
                               a: a, lda: lda, b: transB ? b + lo * ldb : b + lo, ldb: ldb,
                               beta: beta, c: c + lo, ldc: ldc)
                }
            }
        }
    }

    // MARK: - Embedding

    /// out[n, :] = wte[tokens[n], :] + wpe[n % T, :].
    /// out (B*T, C); tokens (B*T); wte (V, C); wpe (>= T, C).
    static func embeddingForward(out: FloatPtr, tokens: UnsafePointer<Int32>, wte: ConstFloatPtr,
                                 wpe: ConstFloatPtr, B: Int, T: Int, C: Int) {
        Parallel.forEachChunk(B * T, grain: rowGrain(C)) { rows in
            for n in rows {
                lfr_add(out + n * C, wte + Int(tokens[n]) * C, wpe + (n % T) * C, C)
            }
        }
    }

    /// dwte[tokens[n]] += dout[n]; dwpe[n % T] += dout[n]. Rows of dwte can
    /// repeat, so the workers split the COLUMNS of dwte (multiples of 8) and
    /// each adds every n in order: every element sums its terms in the same
    /// order as one serial loop, whatever the worker count.
    /// dwte (V, C); dwpe (>= T, C); dout (B*T, C); tokens (B*T).
    static func embeddingBackward(dwte: FloatPtr, dwpe: FloatPtr?, dout: ConstFloatPtr,
                                  tokens: UnsafePointer<Int32>, B: Int, T: Int, C: Int) {
        let N = B * T
        let chunks = N * C >= 1 << 16 ? min(max(1, C / 32), max(1, Parallel.workers)) : 1
        Parallel.forEachChunk(chunks, grain: 1) { chunkRange in
            for chunk in chunkRange {
                let c0 = (chunk * C / chunks) & ~7
                let c1 = chunk == chunks - 1 ? C : ((chunk + 1) * C / chunks) & ~7
                if c0 >= c1 { continue }
                for n in 0..<N {
                    let e = dwte + Int(tokens[n]) * C + c0
                    lfr_add(e, e, dout + n * C + c0, c1 - c0)
                }
            }
        }
        if let dwpe {
            // Column-chunked: each position row sums its B contributions in order.
            Parallel.forEachChunk(T, grain: rowGrain(C * B)) { ts in
                for t in ts {
                    let p = dwpe + t * C
                    for b in 0..<B { lfr_add(p, p, dout + (b * T + t) * C, C) }
                }
            }
        }
    }

    // MARK: - LayerNorm (eps 1e-5, biased variance, as PyTorch)

    static let layerNormEpsilon: Float = 1e-5

    /// out = (inp - mean) * rstd * weight + bias, per row.
    /// out, inp (N, C); mean, rstd (N) are saved for backward (may be nil in eval);
    /// weight, bias (C).
    static func layerNormForward(out: FloatPtr, mean: FloatPtr?, rstd: FloatPtr?, inp: ConstFloatPtr,
                                 weight: ConstFloatPtr, bias: ConstFloatPtr?, N: Int, C: Int) {
        Parallel.forEachChunk(N, grain: rowGrain(C)) { rows in
            lfr_layernorm_forward_rows(out, mean, rstd, inp, weight, bias, rows.lowerBound, rows.upperBound,
                                       C, layerNormEpsilon)
        }
    }

    /// dinp += LN backward (accumulates: the residual stream's gradient);
    /// dweight, dbias += column sums.
    /// dinp, dout, inp (N, C); weight, dweight, dbias (C); mean, rstd (N).
    static func layerNormBackward(dinp: FloatPtr, dweight: FloatPtr, dbias: FloatPtr?, dout: ConstFloatPtr,
                                  inp: ConstFloatPtr, weight: ConstFloatPtr, mean: ConstFloatPtr,
                                  rstd: ConstFloatPtr, N: Int, C: Int) {
        // Rows: dx += rstd * (dnorm - mean(dnorm) - xhat * mean(dnorm * xhat)), dnorm = dout * w.
        Parallel.forEachChunk(N, grain: rowGrain(C)) { rows in
            lfr_layernorm_backward_rows(dinp, dout, inp, weight, mean, rstd, rows.lowerBound, rows.upperBound, C)
        }
        // Columns: each column sums over all rows in row order (deterministic).
        let columnChunks = min(max(1, C / 32), max(1, Parallel.workers))
        Parallel.forEachChunk(columnChunks, grain: 1) { chunkRange in
            for chunk in chunkRange {
                let c0 = (chunk * C / columnChunks) & ~7
                let c1 = chunk == columnChunks - 1 ? C : ((chunk + 1) * C / columnChunks) & ~7
                lfr_layernorm_param_grads(dweight, dbias, dout, inp, mean, rstd, N, C, c0, c1)
            }
        }
    }

    // MARK: - Linear (weights stored [out, in], as nanoGPT / PyTorch)

    /// out = inp @ weight^T + bias.
    /// out (N, OC); inp (N, IC); weight (OC, IC); bias (OC).
    static func linearForward(out: FloatPtr, inp: ConstFloatPtr, weight: ConstFloatPtr, bias: ConstFloatPtr?,
                              N: Int, IC: Int, OC: Int) {
        if let bias {
            Parallel.forEachChunk(N, grain: rowGrain(OC)) { rows in
                for n in rows { (out + n * OC).update(from: bias, count: OC) }
            }
        }
        gemm(transA: false, transB: true, m: N, n: OC, k: IC, alpha: 1, a: inp, lda: IC,
                   b: weight, ldb: IC, beta: bias == nil ? 0 : 1, c: out, ldc: OC)
    }

    /// out = residual + inp @ weight^T + bias (the residual add fused into the
    /// GEMM's beta = 1, so no separate projection buffer or add pass).
    /// out, residual (N, OC); inp (N, IC); weight (OC, IC); bias (OC).
    /// out may alias residual. The backward is `linearBackward` with the
    /// residual stream's gradient as dout, plus the identity for residual.
    static func residualLinearForward(out: FloatPtr, residual: ConstFloatPtr, inp: ConstFloatPtr,
                                      weight: ConstFloatPtr, bias: ConstFloatPtr?, N: Int, IC: Int, OC: Int) {
        Parallel.forEachChunk(N, grain: rowGrain(OC)) { rows in
            for n in rows {
                let o = out + n * OC, r = residual + n * OC
                if let bias {
                    lfr_add(o, r, bias, OC)
                } else if UnsafePointer(o) != r {
                    o.update(from: r, count: OC)
                }
            }
        }
        gemm(transA: false, transB: true, m: N, n: OC, k: IC, alpha: 1, a: inp, lda: IC,
                   b: weight, ldb: IC, beta: 1, c: out, ldc: OC)
    }

    /// dinp = dout @ weight (or += when `accumulateInput`); dweight += dout^T @ inp;
    /// dbias += column sums of dout.
    /// dinp, inp (N, IC); dout (N, OC); weight, dweight (OC, IC); dbias (OC).
    static func linearBackward(dinp: FloatPtr?, dweight: FloatPtr, dbias: FloatPtr?, dout: ConstFloatPtr,
                               inp: ConstFloatPtr, weight: ConstFloatPtr, N: Int, IC: Int, OC: Int,
                               accumulateInput: Bool = false) {
        // The two products have the same size (N * IC * OC) and share only
        // dout, so with two workers each runs whole on its own worker: no
        // operand is packed twice (as it is when one product is split into
        // panels) and every result comes from one sgemm, whatever the
        // worker count.
        if let dinp, Parallel.workers >= 2, N * IC * OC >= 1 << 18 {
            Parallel.forEachChunk(2, grain: 1) { parts in
                for part in parts {
                    if part == 0 {
                        BLAS.sgemm(transA: false, transB: false, m: N, n: IC, k: OC, alpha: 1, a: dout, lda: OC,
                                   b: weight, ldb: IC, beta: accumulateInput ? 1 : 0, c: dinp, ldc: IC)
                    } else {
                        BLAS.sgemm(transA: true, transB: false, m: OC, n: IC, k: N, alpha: 1, a: dout, lda: OC,
                                   b: inp, ldb: IC, beta: 1, c: dweight, ldc: IC)
                    }
                }
            }
        } else {
            if let dinp {
                gemm(transA: false, transB: false, m: N, n: IC, k: OC, alpha: 1, a: dout, lda: OC,
                     b: weight, ldb: IC, beta: accumulateInput ? 1 : 0, c: dinp, ldc: IC)
            }
            gemm(transA: true, transB: false, m: OC, n: IC, k: N, alpha: 1, a: dout, lda: OC,
                 b: inp, ldb: IC, beta: 1, c: dweight, ldc: IC)
        }
        if let dbias { columnSums(into: dbias, dout, rows: N, columns: OC) }
    }

    /// into[c] += sum over rows of m[r, c]; m (rows, columns). Fixed row order.
    static func columnSums(into: FloatPtr, _ m: ConstFloatPtr, rows: Int, columns: Int) {
        let chunks = min(max(1, columns / 64), max(1, Parallel.workers))
        Parallel.forEachChunk(chunks, grain: 1) { chunkRange in
            for chunk in chunkRange {
                // Chunk edges on multiples of 32 columns keep the 32-wide loop.
                let c0 = (chunk * columns / chunks) & ~31
                let c1 = chunk == chunks - 1 ? columns : ((chunk + 1) * columns / chunks) & ~31
                lfr_column_sums(into, m, rows, columns, c0, c1)
            }
        }
    }

    // MARK: - GELU (exact, erf form, as PyTorch's default F.gelu)

    /// out = x * Phi(x), Phi(x) = 0.5 (1 + erf(x / sqrt 2)); out, inp (n);
    /// out may alias inp. When `cdf` is given, Phi(x) is kept there (n) so the
    /// backward needs no second erf. The erf is CKernels' erf8 (Abramowitz &
    /// Stegun 7.1.26): within 1e-6 of the exact GELU per unit of |x|.
    static func geluForward(out: FloatPtr, cdf: FloatPtr? = nil, inp: ConstFloatPtr, count n: Int) {
        Parallel.forEachChunk((n + 7) / 8, grain: 2048) { r in
            let lo = r.lowerBound * 8, hi = min(n, r.upperBound * 8)
            lfr_gelu_forward(out + lo, cdf.map { $0 + lo }, inp + lo, hi - lo)
        }
    }

    /// dinp = dout * gelu'(inp), gelu'(x) = Phi(x) + x phi(x); dinp, dout,
    /// inp, cdf (n); dinp may alias dout. `cdf` is Phi saved by the forward
    /// (recomputed when nil).
    static func geluBackward(dinp: FloatPtr, inp: ConstFloatPtr, cdf: ConstFloatPtr? = nil, dout: ConstFloatPtr,
                             count n: Int) {
        Parallel.forEachChunk((n + 7) / 8, grain: 2048) { r in
            let lo = r.lowerBound * 8, hi = min(n, r.upperBound * 8)
            lfr_gelu_backward(dinp + lo, inp + lo, cdf.map { $0 + lo }, dout + lo, hi - lo)
        }
    }

    // MARK: - Residual

    /// out = a + b; out, a, b (n). out may alias a or b.
    static func residualForward(out: FloatPtr, a: ConstFloatPtr, b: ConstFloatPtr, count n: Int) {
        Parallel.forEachChunk(n, grain: 16_384) { r in
            lfr_add(out + r.lowerBound, a + r.lowerBound, b + r.lowerBound, r.count)
        }
    }

    /// da += dout; db += dout (the GPT aliases both to one residual-stream
    /// gradient instead, which is the same computation without the copies).
    static func residualBackward(da: FloatPtr, db: FloatPtr, dout: ConstFloatPtr, count n: Int) {
        Parallel.forEachChunk(n, grain: 16_384) { r in
            for i in r { da[i] += dout[i]; db[i] += dout[i] }
        }
    }

    // MARK: - Causal multi-head self-attention

    /// Rows per block of the causal blocking: a block of query rows
    /// [r0, r1) only multiplies key columns [0, r1), skipping most of the
    /// masked upper triangle while keeping each GEMM large.
    static let attentionRowBlock = 64

    /// The row blocks of a length-T sequence, last (widest) first.
    @inline(__always) static func rowBlocks(_ T: Int) -> [(Int, Int)] {
        var blocks: [(Int, Int)] = []
        var r0 = 0
        while r0 < T {
            let r1 = min(T, r0 + attentionRowBlock)
            blocks.append((r0, r1))
            r0 = r1
        }
        return blocks.reversed()
    }

    /// out = causal softmax(q k^T / sqrt(hs)) v per head, heads concatenated.
    /// out (B, T, C); att (B, H, T, T) keeps the probabilities for backward
    /// (entries above the diagonal are 0 up to the row's causal block end,
    /// undefined after it); qkv (B, T, 3C) holds q | k | v,
    /// head h at columns h*hs ..< (h+1)*hs of each third (hs = C / H).
    /// One task per (batch, head) on the workers: scores GEMM, softmax, and
    /// the value GEMM run back to back while that head's T x T block is in cache.
    static func attentionForward(out: FloatPtr, att: FloatPtr, qkv: ConstFloatPtr, B: Int, T: Int, C: Int, H: Int) {
        let hs = C / H, C3 = 3 * C
        let scale = 1 / Float(hs).squareRoot()
        let blocks = rowBlocks(T)
        withModelThreads {
            Parallel.forEachChunk(B * H, grain: 1) { pairs in
                for pair in pairs {
                    let b = pair / H, h = pair % H
                    let q = qkv + b * T * C3 + h * hs, k = q + C, v = q + 2 * C
                    let a = att + pair * T * T
                    let y = out + b * T * C + h * hs
                    // scores = scale * q k^T (lower blocks only)
                    for (r0, r1) in blocks {
                        BLAS.sgemm(transA: false, transB: true, m: r1 - r0, n: r1, k: hs, alpha: scale,
                                   a: q + r0 * C3, lda: C3, b: k, ldb: C3, beta: 0, c: a + r0 * T, ldc: T)
                    }
                    // causal softmax per row, zeros above the diagonal up to the
                    // row's block end (columns past it are never read)
                    lfr_causal_softmax(a, T, attentionRowBlock)
                    // y = att v
                    for (r0, r1) in blocks {
                        BLAS.sgemm(transA: false, transB: false, m: r1 - r0, n: hs, k: r1, alpha: 1,
                                   a: a + r0 * T, lda: T, b: v, ldb: C3, beta: 0, c: y + r0 * C, ldc: C)
                    }
                }
            }
        }
    }

    /// dqkv = gradient of the attention output w.r.t. qkv (overwritten).
    /// dqkv, qkv (B, T, 3C); dout (B, T, C); att (B, H, T, T) from forward;
    /// datt (B, H, T, T) is scratch. One task per (batch, head), as forward.
    static func attentionBackward(dqkv: FloatPtr, datt: FloatPtr, dout: ConstFloatPtr, qkv: ConstFloatPtr,
                                  att: ConstFloatPtr, B: Int, T: Int, C: Int, H: Int) {
        let hs = C / H, C3 = 3 * C
        let scale = 1 / Float(hs).squareRoot()
        let blocks = rowBlocks(T)
        withModelThreads {
            Parallel.forEachChunk(B * H, grain: 1) { pairs in
                for pair in pairs {
                    let b = pair / H, h = pair % H
                    let q = qkv + b * T * C3 + h * hs, k = q + C, v = q + 2 * C
                    let dq = dqkv + b * T * C3 + h * hs, dk = dq + C, dv = dq + 2 * C
                    let dy = dout + b * T * C + h * hs
                    let a = att + pair * T * T
                    let d = datt + pair * T * T
                    // datt = dy v^T; dv = att^T dy (widest block first, beta 0, covers every row)
                    for (i, (r0, r1)) in blocks.enumerated() {
                        BLAS.sgemm(transA: false, transB: true, m: r1 - r0, n: r1, k: hs, alpha: 1,
                                   a: dy + r0 * C, lda: C, b: v, ldb: C3, beta: 0, c: d + r0 * T, ldc: T)
                        BLAS.sgemm(transA: true, transB: false, m: r1, n: hs, k: r1 - r0, alpha: 1,
                                   a: a + r0 * T, lda: T, b: dy + r0 * C, ldb: C, beta: i == 0 ? 0 : 1,
                                   c: dv, ldc: C3)
                    }
                    // softmax backward in place: dpre = scale * att * (datt - <att, datt>)
                    lfr_causal_softmax_backward(d, a, T, attentionRowBlock, scale)
                    // dq = dpre k; dk = dpre^T q
                    for (i, (r0, r1)) in blocks.enumerated() {
                        BLAS.sgemm(transA: false, transB: false, m: r1 - r0, n: hs, k: r1, alpha: 1,
                                   a: d + r0 * T, lda: T, b: k, ldb: C3, beta: 0, c: dq + r0 * C3, ldc: C3)
                        BLAS.sgemm(transA: true, transB: false, m: r1, n: hs, k: r1 - r0, alpha: 1,
                                   a: d + r0 * T, lda: T, b: q + r0 * C3, ldb: C3, beta: i == 0 ? 0 : 1,
                                   c: dk, ldc: C3)
                    }
                }
            }
        }
    }

    // MARK: - Softmax cross-entropy (fused forward and backward)

    /// losses[n] = -log softmax(logits[n])[targets[n]]. The logits are
    /// scratch: always overwritten. When `gradScale` is given they end as d(gradScale * sum of
    /// losses)/dlogits = gradScale * (softmax - onehot).
    /// logits (N, V); targets, losses (N).
    /// True when no logit of the row is NaN or +inf (one branch-free pass).
    @inline(__always)
    static func rowIsUsable(_ z: UnsafePointer<Float>, _ V: Int) -> Bool {
        var bad: UInt32 = 0
        for i in 0..<V { bad |= z[i] < .infinity ? 0 : 1 }
        return bad == 0
    }

    static func softmaxCrossEntropy(logits: FloatPtr, losses: FloatPtr, targets: UnsafePointer<Int32>,
                                    N: Int, V: Int, gradScale: Float?) {
        Parallel.forEachChunk(N, grain: rowGrain(V)) { rows in
            // A row with a NaN or +inf logit has a NaN loss (and NaN
            // gradients), as in NumPy and PyTorch; the kernel's clamped exp
            // would hide it. -inf logits are masks and stay valid.
            var poisoned: [Int] = []
            for r in rows where !rowIsUsable(logits + r * V, V) { poisoned.append(r) }
            lfr_cross_entropy_rows(logits, losses, targets, rows.lowerBound, rows.upperBound, V,
                                   gradScale ?? 0, gradScale == nil ? 0 : 1)
            for r in poisoned {
                losses[r] = .nan
                if gradScale != nil { (logits + r * V).update(repeating: .nan, count: V) }
            }
        }
    }
}


/// Kernel entry points for lfr-bench (timing only; not part of the model API).
public enum ModelKernels {
    /// Which build of the C kernels runs: "avx2+fma" or "x86-64" (CKernels).
    public static var instructionSet: String { lfr_kernels_isa() == 1 ? "avx2+fma" : "x86-64" }

    /// Times `reps` products C[m,n] = op(A) op(B) with the model's panel-split
    /// GEMM (single-threaded BLAS panels) and with one multi-threaded BLAS
    /// call; returns median seconds of (split, blas).
    public static func compareGEMM(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, reps: Int) -> (Double, Double) {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        a.initialize(repeating: 0.5, count: m * k); b.initialize(repeating: 0.25, count: k * n)
        c.initialize(repeating: 0, count: m * n)
        func time(_ f: () -> Void) -> Double {
            var ts: [Double] = []
            for _ in 0..<reps {
                let t0 = Clock.seconds()
                f()
                ts.append(Clock.seconds() - t0)
            }
            return ts.sorted()[reps / 2]
        }
        let lda = transA ? m : k, ldb = transB ? k : n
        let split = time {
            Layers.withModelThreads {
                Layers.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
                            b: b, ldb: ldb, beta: 0, c: c, ldc: n)
            }
        }
        let blas = time {
            BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
                       b: b, ldb: ldb, beta: 0, c: c, ldc: n)
        }
        return (split, blas)
    }
}
