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
// - Matmuls go through BLAS.sgemm with transposes as flags, never copies;
//   no BLAS call happens inside a parallel loop.
import TensorCore

#if canImport(Glibc)
import Glibc
#endif

@usableFromInline typealias FloatPtr = UnsafeMutablePointer<Float>
@usableFromInline typealias ConstFloatPtr = UnsafePointer<Float>

/// Rows per parallel chunk that make a thread worth starting for a row of
/// `width` elements (about 16k elements of work per chunk).
@inline(__always) func rowGrain(_ width: Int) -> Int { max(1, 16_384 / max(width, 1)) }

// MARK: - Small vector helpers (SIMD, fixed summation order)

/// Sum of a[0..<n] (8 interleaved partial sums, then the tail; fixed order).
@inline(__always) func vsum(_ a: ConstFloatPtr, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    let raw = UnsafeRawPointer(a)
    while i + 8 <= n {
        acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < n { s += a[i]; i += 1 }
    return s
}

/// Dot product of a[0..<n] and b[0..<n] (fixed order, see vsum).
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

/// Sum of (a[i] - m)^2 over i < n (fixed order).
@inline(__always) func vsumSquaredDiff(_ a: ConstFloatPtr, _ m: Float, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    let mv = SIMD8<Float>(repeating: m)
    var i = 0
    let ra = UnsafeRawPointer(a)
    while i + 8 <= n {
        let d = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - mv
        acc += d * d
        i += 8
    }
    var s = acc.sum()
    while i < n { let d = a[i] - m; s += d * d; i += 1 }
    return s
}

/// Largest of a[0..<n] (n >= 1).
@inline(__always) func vmax(_ a: ConstFloatPtr, _ n: Int) -> Float {
    var m = a[0]
    var i = 1
    while i < n { if a[i] > m { m = a[i] }; i += 1 }
    return m
}

/// exp(x) for Float (Glibc's correctly rounded-ish expf).
@inline(__always) func fexp(_ x: Float) -> Float { expf(x) }

enum Layers {
    // MARK: - Embedding

    /// out[n, :] = wte[tokens[n], :] + wpe[n % T, :].
    /// out (B*T, C); tokens (B*T); wte (V, C); wpe (>= T, C).
    static func embeddingForward(out: FloatPtr, tokens: UnsafePointer<Int32>, wte: ConstFloatPtr,
                                 wpe: ConstFloatPtr, B: Int, T: Int, C: Int) {
        Parallel.forEachChunk(B * T, grain: rowGrain(C)) { rows in
            for n in rows {
                let o = out + n * C
                let e = wte + Int(tokens[n]) * C
                let p = wpe + (n % T) * C
                for c in 0..<C { o[c] = e[c] + p[c] }
            }
        }
    }

    /// dwte[tokens[n]] += dout[n]; dwpe[n % T] += dout[n] (sequential: rows of
    /// dwte can repeat, and a fixed order keeps results bit-identical).
    /// dwte (V, C); dwpe (>= T, C); dout (B*T, C); tokens (B*T).
    static func embeddingBackward(dwte: FloatPtr, dwpe: FloatPtr?, dout: ConstFloatPtr,
                                  tokens: UnsafePointer<Int32>, B: Int, T: Int, C: Int) {
        for n in 0..<(B * T) {
            let d = dout + n * C
            let e = dwte + Int(tokens[n]) * C
            for c in 0..<C { e[c] += d[c] }
        }
        if let dwpe {
            // Column-chunked: each position row sums its B contributions in order.
            Parallel.forEachChunk(T, grain: rowGrain(C * B)) { ts in
                for t in ts {
                    let p = dwpe + t * C
                    for b in 0..<B {
                        let d = dout + (b * T + t) * C
                        for c in 0..<C { p[c] += d[c] }
                    }
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
            for n in rows {
                let x = inp + n * C
                let m = vsum(x, C) / Float(C)
                let v = vsumSquaredDiff(x, m, C) / Float(C)
                let s = 1 / (v + layerNormEpsilon).squareRoot()
                let o = out + n * C
                if let bias {
                    for c in 0..<C { o[c] = (x[c] - m) * s * weight[c] + bias[c] }
                } else {
                    for c in 0..<C { o[c] = (x[c] - m) * s * weight[c] }
                }
                mean?[n] = m
                rstd?[n] = s
            }
        }
    }

    /// dinp += LN backward (accumulates: the residual stream's gradient);
    /// dweight, dbias += column sums.
    /// dinp, dout, inp (N, C); weight, dweight, dbias (C); mean, rstd (N).
    static func layerNormBackward(dinp: FloatPtr, dweight: FloatPtr, dbias: FloatPtr?, dout: ConstFloatPtr,
                                  inp: ConstFloatPtr, weight: ConstFloatPtr, mean: ConstFloatPtr,
                                  rstd: ConstFloatPtr, N: Int, C: Int) {
        // Rows: dx = rstd * (dnorm - mean(dnorm) - xhat * mean(dnorm * xhat)), dnorm = dout * w.
        Parallel.forEachChunk(N, grain: rowGrain(C)) { rows in
            for n in rows {
                let x = inp + n * C, d = dout + n * C, dx = dinp + n * C
                let m = mean[n], s = rstd[n]
                var sumD: Float = 0, sumDX: Float = 0
                for c in 0..<C {
                    let dn = d[c] * weight[c]
                    sumD += dn
                    sumDX += dn * (x[c] - m) * s
                }
                let meanD = sumD / Float(C), meanDX = sumDX / Float(C)
                for c in 0..<C {
                    let xhat = (x[c] - m) * s
                    dx[c] += s * (d[c] * weight[c] - meanD - xhat * meanDX)
                }
            }
        }
        // Columns: each column sums over all rows in row order (deterministic).
        let columnChunks = min(C, max(1, Parallel.workers))
        Parallel.forEachChunk(columnChunks, grain: 1) { chunkRange in
            for chunk in chunkRange {
                let c0 = chunk * C / columnChunks, c1 = (chunk + 1) * C / columnChunks
                for n in 0..<N {
                    let x = inp + n * C, d = dout + n * C
                    let m = mean[n], s = rstd[n]
                    for c in c0..<c1 {
                        dweight[c] += d[c] * (x[c] - m) * s
                        if let dbias { dbias[c] += d[c] }
                    }
                }
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
        BLAS.sgemm(transA: false, transB: true, m: N, n: OC, k: IC, alpha: 1, a: inp, lda: IC,
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
                    for c in 0..<OC { o[c] = r[c] + bias[c] }
                } else if UnsafePointer(o) != r {
                    o.update(from: r, count: OC)
                }
            }
        }
        BLAS.sgemm(transA: false, transB: true, m: N, n: OC, k: IC, alpha: 1, a: inp, lda: IC,
                   b: weight, ldb: IC, beta: 1, c: out, ldc: OC)
    }

    /// dinp = dout @ weight (or += when `accumulateInput`); dweight += dout^T @ inp;
    /// dbias += column sums of dout.
    /// dinp, inp (N, IC); dout (N, OC); weight, dweight (OC, IC); dbias (OC).
    static func linearBackward(dinp: FloatPtr?, dweight: FloatPtr, dbias: FloatPtr?, dout: ConstFloatPtr,
                               inp: ConstFloatPtr, weight: ConstFloatPtr, N: Int, IC: Int, OC: Int,
                               accumulateInput: Bool = false) {
        if let dinp {
            BLAS.sgemm(transA: false, transB: false, m: N, n: IC, k: OC, alpha: 1, a: dout, lda: OC,
                       b: weight, ldb: IC, beta: accumulateInput ? 1 : 0, c: dinp, ldc: IC)
        }
        BLAS.sgemm(transA: true, transB: false, m: OC, n: IC, k: N, alpha: 1, a: dout, lda: OC,
                   b: inp, ldb: IC, beta: 1, c: dweight, ldc: IC)
        if let dbias { columnSums(into: dbias, dout, rows: N, columns: OC) }
    }

    /// into[c] += sum over rows of m[r, c]; m (rows, columns). Fixed row order.
    static func columnSums(into: FloatPtr, _ m: ConstFloatPtr, rows: Int, columns: Int) {
        let chunks = min(max(1, columns / 64), max(1, Parallel.workers))
        Parallel.forEachChunk(chunks, grain: 1) { chunkRange in
            for chunk in chunkRange {
                let c0 = chunk * columns / chunks, c1 = (chunk + 1) * columns / chunks
                for r in 0..<rows {
                    let row = m + r * columns
                    for c in c0..<c1 { into[c] += row[c] }
                }
            }
        }
    }

    // MARK: - GELU (exact, erf form, as PyTorch's default F.gelu)

    /// out = 0.5 x (1 + erf(x / sqrt 2)); out, inp (n). out may alias inp.
    static func geluForward(out: FloatPtr, inp: ConstFloatPtr, count n: Int) {
        Parallel.forEachChunk(n, grain: 16_384) { r in
            for i in r {
                let x = inp[i]
                out[i] = 0.5 * x * (1 + erff(x * 0.70710678118654752))
            }
        }
    }

    /// dinp = dout * gelu'(inp); dinp, dout, inp (n); dinp may alias dout.
    static func geluBackward(dinp: FloatPtr, inp: ConstFloatPtr, dout: ConstFloatPtr, count n: Int) {
        Parallel.forEachChunk(n, grain: 16_384) { r in
            for i in r {
                let x = inp[i]
                let cdf = 0.5 * (1 + erff(x * 0.70710678118654752))
                let pdf = 0.39894228040143268 * expf(-0.5 * x * x)
                dinp[i] = dout[i] * (cdf + x * pdf)
            }
        }
    }

    // MARK: - Residual

    /// out = a + b; out, a, b (n). out may alias a or b.
    static func residualForward(out: FloatPtr, a: ConstFloatPtr, b: ConstFloatPtr, count n: Int) {
        Parallel.forEachChunk(n, grain: 16_384) { r in
            for i in r { out[i] = a[i] + b[i] }
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
    /// (entries above the diagonal are 0); qkv (B, T, 3C) holds q | k | v,
    /// head h at columns h*hs ..< (h+1)*hs of each third (hs = C / H).
    static func attentionForward(out: FloatPtr, att: FloatPtr, qkv: ConstFloatPtr, B: Int, T: Int, C: Int, H: Int) {
        let hs = C / H, C3 = 3 * C
        let scale = 1 / Float(hs).squareRoot()
        let blocks = rowBlocks(T)
        // 1. scores = scale * q k^T (lower blocks only).
        for b in 0..<B {
            for h in 0..<H {
                let q = qkv + b * T * C3 + h * hs, k = q + C
                let a = att + (b * H + h) * T * T
                for (r0, r1) in blocks {
                    BLAS.sgemm(transA: false, transB: true, m: r1 - r0, n: r1, k: hs, alpha: scale,
                               a: q + r0 * C3, lda: C3, b: k, ldb: C3, beta: 0, c: a + r0 * T, ldc: T)
                }
            }
        }
        // 2. causal softmax per row, zeros above the diagonal.
        Parallel.forEachChunk(B * H * T, grain: rowGrain(T)) { rows in
            for row in rows {
                let t = row % T
                let a = att + row * T
                let n = t + 1
                let m = vmax(a, n)
                var s: Float = 0
                for j in 0..<n { let e = fexp(a[j] - m); a[j] = e; s += e }
                let inv = 1 / s
                for j in 0..<n { a[j] *= inv }
                for j in n..<T { a[j] = 0 }
            }
        }
        // 3. y = att v.
        for b in 0..<B {
            for h in 0..<H {
                let v = qkv + b * T * C3 + 2 * C + h * hs
                let a = att + (b * H + h) * T * T
                let y = out + b * T * C + h * hs
                for (r0, r1) in blocks {
                    BLAS.sgemm(transA: false, transB: false, m: r1 - r0, n: hs, k: r1, alpha: 1,
                               a: a + r0 * T, lda: T, b: v, ldb: C3, beta: 0, c: y + r0 * C, ldc: C)
                }
            }
        }
    }

    /// dqkv = gradient of the attention output w.r.t. qkv (overwritten).
    /// dqkv, qkv (B, T, 3C); dout (B, T, C); att (B, H, T, T) from forward;
    /// datt (B, H, T, T) is scratch.
    static func attentionBackward(dqkv: FloatPtr, datt: FloatPtr, dout: ConstFloatPtr, qkv: ConstFloatPtr,
                                  att: ConstFloatPtr, B: Int, T: Int, C: Int, H: Int) {
        let hs = C / H, C3 = 3 * C
        let scale = 1 / Float(hs).squareRoot()
        let blocks = rowBlocks(T)
        // 1. datt = dy v^T; dv = att^T dy (widest block first with beta 0 covers all rows).
        for b in 0..<B {
            for h in 0..<H {
                let v = qkv + b * T * C3 + 2 * C + h * hs
                let dv = dqkv + b * T * C3 + 2 * C + h * hs
                let dy = dout + b * T * C + h * hs
                let a = att + (b * H + h) * T * T
                let da = datt + (b * H + h) * T * T
                for (i, (r0, r1)) in blocks.enumerated() {
                    BLAS.sgemm(transA: false, transB: true, m: r1 - r0, n: r1, k: hs, alpha: 1,
                               a: dy + r0 * C, lda: C, b: v, ldb: C3, beta: 0, c: da + r0 * T, ldc: T)
                    BLAS.sgemm(transA: true, transB: false, m: r1, n: hs, k: r1 - r0, alpha: 1,
                               a: a + r0 * T, lda: T, b: dy + r0 * C, ldb: C, beta: i == 0 ? 0 : 1,
                               c: dv, ldc: C3)
                }
            }
        }
        // 2. softmax backward in place: dpre = scale * att * (datt - <att, datt>).
        Parallel.forEachChunk(B * H * T, grain: rowGrain(T)) { rows in
            for row in rows {
                let t = row % T
                let a = att + row * T, d = datt + row * T
                let n = t + 1
                let dot = vdot(a, d, n)
                for j in 0..<n { d[j] = scale * a[j] * (d[j] - dot) }
                for j in n..<T { d[j] = 0 }
            }
        }
        // 3. dq = dpre k; dk = dpre^T q.
        for b in 0..<B {
            for h in 0..<H {
                let q = qkv + b * T * C3 + h * hs, k = q + C
                let dq = dqkv + b * T * C3 + h * hs, dk = dq + C
                let d = datt + (b * H + h) * T * T
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

    // MARK: - Softmax cross-entropy (fused forward and backward)

    /// losses[n] = -log softmax(logits[n])[targets[n]]. When `gradScale` is
    /// given, logits are overwritten in place by d(gradScale * sum of
    /// losses)/dlogits = gradScale * (softmax - onehot).
    /// logits (N, V); targets, losses (N).
    static func softmaxCrossEntropy(logits: FloatPtr, losses: FloatPtr, targets: UnsafePointer<Int32>,
                                    N: Int, V: Int, gradScale: Float?) {
        Parallel.forEachChunk(N, grain: rowGrain(V)) { rows in
            for n in rows {
                let z = logits + n * V
                let m = vmax(z, V)
                var s: Float = 0
                for j in 0..<V { s += fexp(z[j] - m) }
                let y = Int(targets[n])
                let logSum = logf(s) + m
                losses[n] = logSum - z[y]
                if let g = gradScale {
                    for j in 0..<V { z[j] = g * fexp(z[j] - logSum) }
                    z[y] -= g
                }
            }
        }
    }
}
