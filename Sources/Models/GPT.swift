// GPT: a nanoGPT / llm.c style transformer language model on raw buffers.
//
//   x = wte[tokens] + wpe[positions]                       (B, T, C)
//   per block: x = x + c_proj(attn(c_attn(ln_1(x))))       pre-LN, causal MHA
//              x = x + mlp.c_proj(gelu(mlp.c_fc(ln_2(x)))) GELU MLP, 4C hidden
//   logits = ln_f(x) @ wte^T                               LM head tied to wte
//
// Parameters and gradients live in one ParameterSet each (nanoGPT names; see
// docs/models.md for the mapping to PyTorch). Activations are carved from ONE
// arena, grown on demand and reused across calls. In eval mode there are no
// backward caches: every layer reuses one set of layer buffers and the
// residual stream is updated in place.
//
// Initialisation (GPT-2 / nanoGPT): weights and embeddings N(0, 0.02); the
// two residual projections (attn.c_proj, mlp.c_proj) N(0, 0.02/sqrt(2*layers));
// biases 0; LayerNorm gains 1. Draws come from RandomGenerator(seed) in
// parameter order, so a seed fixes the model bit for bit.
//
// Letters inside kernels: B batch rows, T sequence length, C channels,
// H heads, V vocab, N = B*T.
import TensorCore

/// Offsets of one block's parameters inside the flat buffer (nil: no bias).
struct GPTBlockOffsets {
    var ln1w = 0, ln1b: Int? = nil
    var qkvw = 0, qkvb: Int? = nil
    var projw = 0, projb: Int? = nil
    var ln2w = 0, ln2b: Int? = nil
    var fcw = 0, fcb: Int? = nil
    var fcprojw = 0, fcprojb: Int? = nil
}

/// One block's activations. Shapes: ln1, atty, res2, ln2, res3 (N, C);
/// ln1Mean, ln1Rstd, ln2Mean, ln2Rstd (N); qkv (N, 3C); att (B, H, T, T);
/// fch, fchCdf, fchGelu (N, 4C) (fchCdf = Phi(fch), kept for the GELU backward).
struct GPTBlockActivations {
    var ln1, ln1Mean, ln1Rstd, qkv, att, atty, res2, ln2, ln2Mean, ln2Rstd, fch, fchGelu, res3: FloatPtr
    var fchCdf: FloatPtr?
}

/// All activations of one forward(/backward) pass.
struct GPTActivations {
    var encoded: FloatPtr            // (N, C) embeddings; the residual stream in eval mode
    var blocks: [GPTBlockActivations] // L in training, 1 (shared) in eval
    var lnf, lnfMean, lnfRstd: FloatPtr // (N, C), (N), (N)
    var logits: FloatPtr             // (N, V); overwritten by dlogits in training
    var losses: FloatPtr             // (N)
    // Backward scratch, training only (reused by every block):
    var dres: FloatPtr?              // (N, C) gradient of the residual stream
    var dln: FloatPtr?               // (N, C) gradient of a LayerNorm output
    var dqkv: FloatPtr?              // (N, 3C)
    var datty: FloatPtr?             // (N, C)
    var dfch: FloatPtr?              // (N, 4C)
    var datt: FloatPtr?              // (B, H, T, T)
}

/// A GPT language model (see the file header).
public final class GPT: LanguageModel {
    public let configuration: GPTConfig
    public let parameters: ParameterSet

    let wte: Int, wpe: Int, lnfw: Int, lnfb: Int?
    let blocks: [GPTBlockOffsets]

    // The activation arena and the layout carved from it last time.
    private var arena: UnsafeMutablePointer<Float>?
    private var arenaCount = 0
    private var cachedLayout: (B: Int, T: Int, training: Bool, acts: GPTActivations)?

    public var kind: String { "gpt" }
    public var vocabularySize: Int { configuration.vocab }
    public var maxSequenceLength: Int? { configuration.context }
    public var config: [String: String] { configuration.dictionary }

    /// The parameter names and shapes of a config, in buffer order.
    static func layout(_ c: GPTConfig) -> [(name: String, shape: [Int], decay: Bool)] {
        let C = c.dim
        var l: [(name: String, shape: [Int], decay: Bool)] = [
            ("transformer.wte.weight", [c.vocab, C], true),
            ("transformer.wpe.weight", [c.context, C], true),
        ]
        for i in 0..<c.layers {
            let p = "transformer.h.\(i)."
            l.append((p + "ln_1.weight", [C], false))
            if c.bias { l.append((p + "ln_1.bias", [C], false)) }
            l.append((p + "attn.c_attn.weight", [3 * C, C], true))
            if c.bias { l.append((p + "attn.c_attn.bias", [3 * C], false)) }
            l.append((p + "attn.c_proj.weight", [C, C], true))
            if c.bias { l.append((p + "attn.c_proj.bias", [C], false)) }
            l.append((p + "ln_2.weight", [C], false))
            if c.bias { l.append((p + "ln_2.bias", [C], false)) }
            l.append((p + "mlp.c_fc.weight", [4 * C, C], true))
            if c.bias { l.append((p + "mlp.c_fc.bias", [4 * C], false)) }
            l.append((p + "mlp.c_proj.weight", [C, 4 * C], true))
            if c.bias { l.append((p + "mlp.c_proj.bias", [C], false)) }
        }
        l.append(("transformer.ln_f.weight", [C], false))
        if c.bias { l.append(("transformer.ln_f.bias", [C], false)) }
        return l
    }

    /// A freshly initialised model (GPT-2 init from `seed`, see the file header).
    public init(config: GPTConfig, seed: UInt64) throws {
        try config.validate()
        configuration = config
        parameters = try ParameterSet(layout: GPT.layout(config), model: "gpt")
        (wte, wpe, lnfw, lnfb, blocks) = GPT.offsets(parameters, config)
        var rng = RandomGenerator(seed: seed)
        let residualStd = 0.02 / (2.0 * Double(config.layers)).squareRoot()
        for s in parameters.specs {
            let p = parameters.values + s.offset
            if s.name.hasSuffix(".bias") { continue }                     // zeros
            if s.name.contains("ln_") { p.update(repeating: 1, count: s.count); continue }
            let std = s.name.hasSuffix("c_proj.weight") ? residualStd : 0.02
            for i in 0..<s.count { p[i] = Float(std * rng.nextNormal()) }
        }
    }

    private init(copying other: GPT) {
        configuration = other.configuration
        parameters = other.parameters.copy()
        (wte, wpe, lnfw, lnfb, blocks) = GPT.offsets(parameters, configuration)
    }

    deinit { arena?.deallocate() }

    public func copy() -> GPT { GPT(copying: self) }

    static func offsets(_ ps: ParameterSet, _ c: GPTConfig)
        -> (Int, Int, Int, Int?, [GPTBlockOffsets]) {
        func off(_ n: String) -> Int { ps.spec(named: n)?.offset ?? -1 }
        func opt(_ n: String) -> Int? { ps.spec(named: n)?.offset }
        var bs: [GPTBlockOffsets] = []
        for i in 0..<c.layers {
            let p = "transformer.h.\(i)."
            var b = GPTBlockOffsets()
            b.ln1w = off(p + "ln_1.weight"); b.ln1b = opt(p + "ln_1.bias")
            b.qkvw = off(p + "attn.c_attn.weight"); b.qkvb = opt(p + "attn.c_attn.bias")
            b.projw = off(p + "attn.c_proj.weight"); b.projb = opt(p + "attn.c_proj.bias")
            b.ln2w = off(p + "ln_2.weight"); b.ln2b = opt(p + "ln_2.bias")
            b.fcw = off(p + "mlp.c_fc.weight"); b.fcb = opt(p + "mlp.c_fc.bias")
            b.fcprojw = off(p + "mlp.c_proj.weight"); b.fcprojb = opt(p + "mlp.c_proj.bias")
            bs.append(b)
        }
        return (off("transformer.wte.weight"), off("transformer.wpe.weight"),
                off("transformer.ln_f.weight"), opt("transformer.ln_f.bias"), bs)
    }

    // MARK: - Activation arena

    /// Carves the activations of a (B, T) pass; `take(n)` hands out n floats.
    private func carve(B: Int, T: Int, training: Bool, take: (Int) -> FloatPtr) -> GPTActivations {
        let C = configuration.dim, H = configuration.heads, V = configuration.vocab, N = B * T
        let encoded = take(N * C)
        var blockActs: [GPTBlockActivations] = []
        for _ in 0..<(training ? configuration.layers : 1) {
            let fch = take(N * 4 * C)
            blockActs.append(GPTBlockActivations(
                ln1: take(N * C), ln1Mean: take(N), ln1Rstd: take(N), qkv: take(N * 3 * C),
                att: take(B * H * T * T), atty: take(N * C), res2: take(N * C), ln2: take(N * C),
                ln2Mean: take(N), ln2Rstd: take(N), fch: fch,
                fchGelu: training ? take(N * 4 * C) : fch,     // eval: GELU in place
                res3: training ? take(N * C) : encoded,         // eval: residual in place
                fchCdf: training ? take(N * 4 * C) : nil))
        }
        var a = GPTActivations(encoded: encoded, blocks: blockActs, lnf: take(N * C), lnfMean: take(N),
                               lnfRstd: take(N), logits: take(N * V), losses: take(N))
        if training {
            a.dres = take(N * C); a.dln = take(N * C); a.dqkv = take(N * 3 * C)
            a.datty = take(N * C); a.dfch = take(N * 4 * C); a.datt = take(B * H * T * T)
        }
        return a
    }

    /// The activations for a (B, T) pass, growing the arena when needed.
    private func activations(B: Int, T: Int, training: Bool) throws -> GPTActivations {
        if let c = cachedLayout, c.B == B, c.T == T, c.training == training { return c.acts }
        // The arena's size, estimated in Double before it is counted exactly
        // (B comes from the user: the exact count must not overflow).
        let C = Double(configuration.dim), N = Double(B) * Double(T)
        let perLayer = N * C * 18 + N * 4 + Double(B * configuration.heads) * Double(T) * Double(T) * 2
        let estimate = 4 * (perLayer * Double(training ? configuration.layers : 1) + N * (C * 8 + Double(configuration.vocab) + 3))
        try MemoryBudget.check(estimatedBytes: estimate, what: "the activations of a \(B) x \(T) batch")
        // Pass 1 counts (pointers unused), pass 2 carves for real. Each piece
        // is rounded up to 16 floats so every buffer starts 64-byte aligned.
        var needed = 0
        var dummy: Float = 0
        withUnsafeMutablePointer(to: &dummy) { d in
            _ = carve(B: B, T: T, training: training) { n in needed += (n + 15) & ~15; return d }
        }
        if needed > arenaCount {
            arena?.deallocate()
            let raw = UnsafeMutableRawPointer.allocate(byteCount: needed * 4, alignment: 64)
            arena = raw.bindMemory(to: Float.self, capacity: needed)
            arena!.initialize(repeating: 0, count: needed)
            arenaCount = needed
        }
        guard let base = arena else { preconditionFailure("GPT: arena missing") }
        var used = 0
        let acts = carve(B: B, T: T, training: training) { n in
            let p = base + used
            used += (n + 15) & ~15
            return p
        }
        cachedLayout = (B, T, training, acts)
        return acts
    }

    /// Frees the activation arena (it is re-made by the next pass).
    public func releaseActivations() {
        arena?.deallocate()
        arena = nil
        arenaCount = 0
        cachedLayout = nil
    }

    // MARK: - Forward and backward

    public func run(_ batch: TokenBatch, gradientScale: Float?) throws -> LossResult {
        try validate(batch, op: gradientScale == nil ? "loss" : "step")
        let B = batch.batchSize, T = batch.sequenceLength
        let training = gradientScale != nil
        let acts = try activations(B: B, T: T, training: training)
        return Layers.withModelThreads { batch.inputs.withUnsafeBufferPointer { xs in
            batch.targets.withUnsafeBufferPointer { ys in
                forward(acts, inputs: xs.baseAddress!, B: B, T: T, training: training)
                let N = B * T, V = configuration.vocab
                StepProfile.time(.kernels) {
                    Layers.softmaxCrossEntropy(logits: acts.logits, losses: acts.losses, targets: ys.baseAddress!,
                                               N: N, V: V, gradScale: gradientScale.map { $0 / Float(N) })
                }
                if training { backward(acts, inputs: xs.baseAddress!, B: B, T: T) }
                return LossResult(positionLosses: acts.losses, batchSize: B, sequenceLength: T)
            }
        } }
    }

    /// Logits (B*T, V) of every position, eval mode (generation, inspection).
    public func logits(inputs: [Int32], batchSize B: Int, sequenceLength T: Int) throws -> [Float] {
        let batch = try TokenBatch(inputs: inputs, targets: inputs, batchSize: B, sequenceLength: T)
        try validate(batch, op: "logits")
        let acts = try activations(B: B, T: T, training: false)
        Layers.withModelThreads {
            inputs.withUnsafeBufferPointer { forward(acts, inputs: $0.baseAddress!, B: B, T: T, training: false) }
        }
        return Array(UnsafeBufferPointer(start: acts.logits, count: B * T * configuration.vocab))
    }

    /// Embeddings, blocks, final LayerNorm and LM head: fills acts.logits.
    private func forward(_ a: GPTActivations, inputs: UnsafePointer<Int32>, B: Int, T: Int, training: Bool) {
        let c = configuration
        let C = c.dim, H = c.heads, V = c.vocab, N = B * T
        let P = parameters.values
        func bias(_ o: Int?) -> ConstFloatPtr? { o.map { UnsafePointer(P + $0) } }

        StepProfile.time(.kernels) {
            Layers.embeddingForward(out: a.encoded, tokens: inputs, wte: P + wte, wpe: P + wpe, B: B, T: T, C: C)
        }
        var x = a.encoded                                   // (N, C) block input
        for l in 0..<c.layers {
            let w = blocks[l]
            let s = a.blocks[training ? l : 0]
            StepProfile.time(.kernels) {
                Layers.layerNormForward(out: s.ln1, mean: s.ln1Mean, rstd: s.ln1Rstd, inp: x,
                                        weight: P + w.ln1w, bias: bias(w.ln1b), N: N, C: C)
            }
            StepProfile.time(.matmul) {
                Layers.linearForward(out: s.qkv, inp: s.ln1, weight: P + w.qkvw, bias: bias(w.qkvb),
                                     N: N, IC: C, OC: 3 * C)
            }
            StepProfile.time(.attention) {
                Layers.attentionForward(out: s.atty, att: s.att, qkv: s.qkv, B: B, T: T, C: C, H: H)
            }
            StepProfile.time(.matmul) {
                Layers.residualLinearForward(out: s.res2, residual: x, inp: s.atty, weight: P + w.projw,
                                             bias: bias(w.projb), N: N, IC: C, OC: C)
            }
            StepProfile.time(.kernels) {
                Layers.layerNormForward(out: s.ln2, mean: s.ln2Mean, rstd: s.ln2Rstd, inp: s.res2,
                                        weight: P + w.ln2w, bias: bias(w.ln2b), N: N, C: C)
            }
            StepProfile.time(.matmul) {
                Layers.linearForward(out: s.fch, inp: s.ln2, weight: P + w.fcw, bias: bias(w.fcb),
                                     N: N, IC: C, OC: 4 * C)
            }
            StepProfile.time(.kernels) {
                Layers.geluForward(out: s.fchGelu, cdf: s.fchCdf, inp: s.fch, count: N * 4 * C)
            }
            StepProfile.time(.matmul) {
                Layers.residualLinearForward(out: s.res3, residual: s.res2, inp: s.fchGelu, weight: P + w.fcprojw,
                                             bias: bias(w.fcprojb), N: N, IC: 4 * C, OC: C)
            }
            x = s.res3
        }
        StepProfile.time(.kernels) {
            Layers.layerNormForward(out: a.lnf, mean: a.lnfMean, rstd: a.lnfRstd, inp: x,
                                    weight: P + lnfw, bias: bias(lnfb), N: N, C: C)
        }
        StepProfile.time(.matmul) {
            Layers.linearForward(out: a.logits, inp: a.lnf, weight: P + wte, bias: nil, N: N, IC: C, OC: V)
        }
    }

    /// Backward from dlogits (already in a.logits) to every parameter gradient.
    private func backward(_ a: GPTActivations, inputs: UnsafePointer<Int32>, B: Int, T: Int) {
        let c = configuration
        let C = c.dim, H = c.heads, V = c.vocab, N = B * T
        let P = parameters.values, G = parameters.grads
        func gb(_ o: Int?) -> FloatPtr? { o.map { G + $0 } }
        guard let dres = a.dres, let dln = a.dln, let dqkv = a.dqkv, let datty = a.datty,
              let dfch = a.dfch, let datt = a.datt else { preconditionFailure("GPT: training buffers missing") }

        // LM head (tied): dlnf = dlogits @ wte; dwte += dlogits^T @ lnf.
        StepProfile.time(.matmul) {
            Layers.linearBackward(dinp: dln, dweight: G + wte, dbias: nil, dout: a.logits, inp: a.lnf,
                                  weight: P + wte, N: N, IC: C, OC: V)
        }
        // Final LayerNorm starts the residual-stream gradient.
        dres.update(repeating: 0, count: N * C)
        let last = a.blocks[c.layers - 1].res3
        StepProfile.time(.kernels) {
            Layers.layerNormBackward(dinp: dres, dweight: G + lnfw, dbias: gb(lnfb), dout: dln, inp: last,
                                     weight: P + lnfw, mean: a.lnfMean, rstd: a.lnfRstd, N: N, C: C)
        }
        for l in stride(from: c.layers - 1, through: 0, by: -1) {
            let w = blocks[l]
            let s = a.blocks[l]
            let x = l == 0 ? a.encoded : a.blocks[l - 1].res3
            // res3 = res2 + mlp: the residual passes dres through unchanged.
            StepProfile.time(.matmul) {
                Layers.linearBackward(dinp: dfch, dweight: G + w.fcprojw, dbias: gb(w.fcprojb), dout: dres,
                                      inp: s.fchGelu, weight: P + w.fcprojw, N: N, IC: 4 * C, OC: C)
            }
            StepProfile.time(.kernels) {
                Layers.geluBackward(dinp: dfch, inp: s.fch, cdf: s.fchCdf, dout: dfch, count: N * 4 * C)
            }
            StepProfile.time(.matmul) {
                Layers.linearBackward(dinp: dln, dweight: G + w.fcw, dbias: gb(w.fcb), dout: dfch,
                                      inp: s.ln2, weight: P + w.fcw, N: N, IC: C, OC: 4 * C)
            }
            StepProfile.time(.kernels) {
                Layers.layerNormBackward(dinp: dres, dweight: G + w.ln2w, dbias: gb(w.ln2b), dout: dln, inp: s.res2,
                                         weight: P + w.ln2w, mean: s.ln2Mean, rstd: s.ln2Rstd, N: N, C: C)
            }
            // res2 = x + attn.
            StepProfile.time(.matmul) {
                Layers.linearBackward(dinp: datty, dweight: G + w.projw, dbias: gb(w.projb), dout: dres,
                                      inp: s.atty, weight: P + w.projw, N: N, IC: C, OC: C)
            }
            StepProfile.time(.attention) {
                Layers.attentionBackward(dqkv: dqkv, datt: datt, dout: datty, qkv: s.qkv, att: s.att,
                                         B: B, T: T, C: C, H: H)
            }
            StepProfile.time(.matmul) {
                Layers.linearBackward(dinp: dln, dweight: G + w.qkvw, dbias: gb(w.qkvb), dout: dqkv,
                                      inp: s.ln1, weight: P + w.qkvw, N: N, IC: C, OC: 3 * C)
            }
            StepProfile.time(.kernels) {
                Layers.layerNormBackward(dinp: dres, dweight: G + w.ln1w, dbias: gb(w.ln1b), dout: dln, inp: x,
                                         weight: P + w.ln1w, mean: s.ln1Mean, rstd: s.ln1Rstd, N: N, C: C)
            }
        }
        StepProfile.time(.kernels) {
            Layers.embeddingBackward(dwte: G + wte, dwpe: G + wpe, dout: dres, tokens: inputs, B: B, T: T, C: C)
        }
    }
}
