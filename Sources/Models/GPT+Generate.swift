// GPT+Generate: sampling text from a GPT with a key/value cache.
//
// While the sequence fits the position table, each new token costs one
// single-position pass over the blocks: its k and v are appended to the
// cache (L, context, C) and its query attends to all cached positions.
// Once the sequence is longer than `context`, the model conditions on the
// last `context` tokens (as nanoGPT's generate crops), which shifts every
// position; then each token re-runs the batched eval forward on that window.
// Results equal the uncached forward (checked in the tests).
import TensorCore

#if canImport(Glibc)
import Glibc
#endif

extension GPT {
    /// Samples `tokens` ids after `prompt` (only the new ids are returned).
    /// temperature 0 is greedy; `topK` keeps the k most likely ids; `seed`
    /// fixes the draws.
    public func generate(prompt: [Int32], tokens: Int, temperature: Float = 1, topK: Int? = nil,
                         seed: UInt64 = 0) throws -> [Int32] {
        try Layers.withModelThreads {
            try generateCached(prompt: prompt, tokens: tokens, temperature: temperature, topK: topK, seed: seed)
        }
    }

    private func generateCached(prompt: [Int32], tokens: Int, temperature: Float, topK: Int?,
                                seed: UInt64) throws -> [Int32] {
        let c = configuration
        try Sampling.validate(prompt: prompt, tokens: tokens, temperature: temperature, topK: topK, vocab: c.vocab)
        if tokens == 0 { return [] }
        let C = c.dim, L = c.layers, ctx = c.context, V = c.vocab, H = c.heads, hs = C / H
        // One allocation: k cache, v cache (L, ctx, C) each; x, xn, y (C);
        // qkv (3C); h (4C); scores (ctx); logits (V).
        let total = 2 * L * ctx * C + 3 * C + 3 * C + 4 * C + ctx + V
        let mem = UnsafeMutablePointer<Float>.allocate(capacity: total)
        mem.initialize(repeating: 0, count: total)
        defer { mem.deallocate() }
        let kc = mem, vc = mem + L * ctx * C
        let x = vc + L * ctx * C, xn = x + C, y = xn + C, qkv = y + C, h = qkv + 3 * C
        let scores = h + 4 * C, logits = scores + ctx
        let P = parameters.values
        func bias(_ o: Int?) -> ConstFloatPtr? { o.map { UnsafePointer(P + $0) } }

        /// One position through the model with the cache; writes logits.
        func decode(_ token: Int32, _ pos: Int) {
            let e = P + wte + Int(token) * C, p = P + wpe + pos * C
            for i in 0..<C { x[i] = e[i] + p[i] }
            for l in 0..<L {
                let w = blocks[l]
                Layers.layerNormForward(out: xn, mean: nil, rstd: nil, inp: x, weight: P + w.ln1w,
                                        bias: bias(w.ln1b), N: 1, C: C)
                Layers.linearForward(out: qkv, inp: xn, weight: P + w.qkvw, bias: bias(w.qkvb), N: 1, IC: C, OC: 3 * C)
                let kl = kc + l * ctx * C, vl = vc + l * ctx * C
                (kl + pos * C).update(from: qkv + C, count: C)
                (vl + pos * C).update(from: qkv + 2 * C, count: C)
                let scale = 1 / Float(hs).squareRoot()
                for hd in 0..<H {
                    let q = qkv + hd * hs
                    for j in 0...pos { scores[j] = scale * vdot(q, kl + j * C + hd * hs, hs) }
                    let m = vmax(scores, pos + 1)
                    var s: Float = 0
                    for j in 0...pos { scores[j] = expf(scores[j] - m); s += scores[j] }
                    let yh = y + hd * hs
                    for i in 0..<hs { yh[i] = 0 }
                    for j in 0...pos {
                        let a = scores[j] / s, v = vl + j * C + hd * hs
                        for i in 0..<hs { yh[i] += a * v[i] }
                    }
                }
                Layers.residualLinearForward(out: x, residual: x, inp: y, weight: P + w.projw, bias: bias(w.projb),
                                             N: 1, IC: C, OC: C)
                Layers.layerNormForward(out: xn, mean: nil, rstd: nil, inp: x, weight: P + w.ln2w,
                                        bias: bias(w.ln2b), N: 1, C: C)
                Layers.linearForward(out: h, inp: xn, weight: P + w.fcw, bias: bias(w.fcb), N: 1, IC: C, OC: 4 * C)
                Layers.geluForward(out: h, inp: h, count: 4 * C)
                Layers.residualLinearForward(out: x, residual: x, inp: h, weight: P + w.fcprojw,
                                             bias: bias(w.fcprojb), N: 1, IC: 4 * C, OC: C)
            }
            Layers.layerNormForward(out: xn, mean: nil, rstd: nil, inp: x, weight: P + lnfw, bias: bias(lnfb), N: 1, C: C)
            Layers.linearForward(out: logits, inp: xn, weight: P + wte, bias: nil, N: 1, IC: C, OC: V)
        }

        var sequence = prompt
        var rng = RandomGenerator(seed: seed)
        var out: [Int32] = []
        out.reserveCapacity(tokens)
        // Prompt: the last `ctx` tokens fill the cache.
        let window = Array(prompt.suffix(ctx))
        for (pos, t) in window.enumerated() { decode(t, pos) }
        var pos = window.count
        while true {
            let next = try Sampling.sample(logits: logits, vocab: V, temperature: temperature, topK: topK, rng: &rng)
            out.append(next)
            sequence.append(next)
            if out.count == tokens { break }
            if Interrupt.isRequested { throw ModelError.interrupted(op: "generate") }
            if pos < ctx {
                decode(next, pos)
                pos += 1
            } else {
                let last = Array(sequence.suffix(ctx))
                let all = try self.logits(inputs: last, batchSize: 1, sequenceLength: ctx)
                all.withUnsafeBufferPointer { logits.update(from: $0.baseAddress! + (ctx - 1) * V, count: V) }
            }
        }
        return out
    }
}
