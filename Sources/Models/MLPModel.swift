// MLPModel: a small MLP language model (Bengio et al. 2003 style): the
// embeddings of the previous `context` tokens, concatenated, go through one
// GELU hidden layer to next-token logits. Fast to train; shares the
// LanguageModel protocol with GPT.
//
// Parameters: mlp.wte.weight (V + 1, E) where row V is the padding used
// before a sequence's start; mlp.fc.weight (hidden, context*E);
// mlp.fc.bias (hidden); mlp.head.weight (V, hidden); mlp.head.bias (V).
// Position t is predicted from x[t - context + 1 ... t] (its own token last).
// Activations of a pass are one allocation freed at its end.
import TensorCore

/// Hyper-parameters of an MLPModel.
public struct MLPConfig: Equatable, Sendable {
    /// Token ids are 0 ..< vocab (256: bytes).
    public var vocab: Int = 256
    /// How many previous tokens (including the current one) the model sees. 3.
    public var context: Int = 3
    /// Width of each token embedding. 16.
    public var embedding: Int = 16
    /// Hidden units. 128.
    public var hidden: Int = 128

    public init(vocab: Int = 256, context: Int = 3, embedding: Int = 16, hidden: Int = 128) {
        self.vocab = vocab; self.context = context; self.embedding = embedding; self.hidden = hidden
    }

    public func validate() throws {
        for (name, v) in [("vocab", vocab), ("context", context), ("embedding", embedding), ("hidden", hidden)] where v < 1 {
            throw ModelError.invalidConfig(model: "mlp", message: "\(name) must be >= 1, got \(v)")
        }
        let params = Double(vocab + 1) * Double(embedding) + Double(hidden) * Double(context * embedding + vocab + 1)
        if params > 4e9 || vocab > Int(Int32.max) - 1 {
            throw ModelError.invalidConfig(model: "mlp", message: "\(Int(params)) parameters is more than this implementation supports")
        }
    }
}

/// An MLP language model (see the file header).
public final class MLPModel: LanguageModel {
    public let configuration: MLPConfig
    public let parameters: ParameterSet
    let wte: Int, fcw: Int, fcb: Int, headw: Int, headb: Int

    public var kind: String { "mlp" }
    public var vocabularySize: Int { configuration.vocab }
    public var maxSequenceLength: Int? { nil }
    public var config: [String: String] {
        let c = configuration
        return ["model": "mlp", "vocab": String(c.vocab), "context": String(c.context),
                "embedding": String(c.embedding), "hidden": String(c.hidden)]
    }

    /// Weights N(0, 0.02) (the hidden layer's fan-in scaled: N(0, 1/sqrt(fan_in))), biases 0.
    public init(config: MLPConfig, seed: UInt64) throws {
        try config.validate()
        configuration = config
        let c = config
        parameters = try ParameterSet(layout: [
            ("mlp.wte.weight", [c.vocab + 1, c.embedding], true),
            ("mlp.fc.weight", [c.hidden, c.context * c.embedding], true),
            ("mlp.fc.bias", [c.hidden], false),
            ("mlp.head.weight", [c.vocab, c.hidden], true),
            ("mlp.head.bias", [c.vocab], false),
        ], model: "mlp")
        (wte, fcw, fcb, headw, headb) = MLPModel.offsets(parameters)
        var rng = RandomGenerator(seed: seed)
        for s in parameters.specs where !s.name.hasSuffix(".bias") {
            let std = s.name == "mlp.fc.weight" ? 1 / Double(c.context * c.embedding).squareRoot()
                : s.name == "mlp.wte.weight" ? 1.0 : 0.02
            let p = parameters.values + s.offset
            for i in 0..<s.count { p[i] = Float(std * rng.nextNormal()) }
        }
    }

    private init(copying o: MLPModel) {
        configuration = o.configuration
        parameters = o.parameters.copy()
        (wte, fcw, fcb, headw, headb) = MLPModel.offsets(parameters)
    }

    static func offsets(_ p: ParameterSet) -> (Int, Int, Int, Int, Int) {
        func o(_ n: String) -> Int { p.spec(named: n)?.offset ?? -1 }
        return (o("mlp.wte.weight"), o("mlp.fc.weight"), o("mlp.fc.bias"), o("mlp.head.weight"), o("mlp.head.bias"))
    }

    public func copy() -> MLPModel { MLPModel(copying: self) }

    /// The embedding row each (position, slot) reads: rows (N, K).
    private func contextRows(_ xs: UnsafePointer<Int32>, B: Int, T: Int, into rows: UnsafeMutablePointer<Int32>) {
        let K = configuration.context, V = Int32(configuration.vocab)
        for b in 0..<B {
            for t in 0..<T {
                for j in 0..<K {
                    let src = t - (K - 1) + j
                    rows[(b * T + t) * K + j] = src < 0 ? V : xs[b * T + src]
                }
            }
        }
    }

    /// Forward over rows (N, K) of embedding ids; returns logits pointer.
    /// emb (N, K*E); hpre, h (N, hidden); logits (N, V).
    private func forward(rows: UnsafePointer<Int32>, N: Int, emb: FloatPtr, hpre: FloatPtr, h: FloatPtr, logits: FloatPtr) {
        let c = configuration, K = c.context, E = c.embedding, P = parameters.values
        for n in 0..<N {
            for j in 0..<K {
                (emb + (n * K + j) * E).update(from: P + wte + Int(rows[n * K + j]) * E, count: E)
            }
        }
        Layers.linearForward(out: hpre, inp: emb, weight: P + fcw, bias: P + fcb, N: N, IC: K * E, OC: c.hidden)
        Layers.geluForward(out: h, inp: hpre, count: N * c.hidden)
        Layers.linearForward(out: logits, inp: h, weight: P + headw, bias: P + headb, N: N, IC: c.hidden, OC: c.vocab)
    }

    public func run(_ batch: TokenBatch, gradientScale: Float?) throws -> LossResult {
        try Layers.withModelThreads { try runPass(batch, gradientScale: gradientScale) }
    }

    private func runPass(_ batch: TokenBatch, gradientScale: Float?) throws -> LossResult {
        try validate(batch, op: gradientScale == nil ? "loss" : "step")
        let c = configuration, K = c.context, E = c.embedding, Hd = c.hidden, V = c.vocab
        let B = batch.batchSize, T = batch.sequenceLength, N = B * T
        // One allocation: emb (N, K*E), hpre (N, Hd), h (N, Hd), logits (N, V),
        // losses (N), and in training demb (N, K*E), dh (N, Hd).
        let training = gradientScale != nil
        let estimate = Double(N) * Double(K * E * (training ? 2 : 1) + Hd * (training ? 3 : 2) + V + 1) * 4
        try MemoryBudget.check(estimatedBytes: estimate, what: "the activations of a \(B) x \(T) batch")
        let size = N * K * E + 2 * N * Hd + N * V + N + (training ? N * K * E + N * Hd : 0)
        let mem = UnsafeMutablePointer<Float>.allocate(capacity: size)
        defer { mem.deallocate() }
        let emb = mem, hpre = emb + N * K * E, h = hpre + N * Hd, logits = h + N * Hd, losses = logits + N * V
        let demb = losses + N, dh = demb + N * K * E
        var rows = [Int32](repeating: 0, count: N * K)
        let P = parameters.values, G = parameters.grads
        return rows.withUnsafeMutableBufferPointer { rp in
            batch.inputs.withUnsafeBufferPointer { xs in
                batch.targets.withUnsafeBufferPointer { ys in
                    let r = rp.baseAddress!
                    contextRows(xs.baseAddress!, B: B, T: T, into: r)
                    forward(rows: r, N: N, emb: emb, hpre: hpre, h: h, logits: logits)
                    Layers.softmaxCrossEntropy(logits: logits, losses: losses, targets: ys.baseAddress!, N: N, V: V,
                                               gradScale: gradientScale.map { $0 / Float(N) })
                    if training {
                        Layers.linearBackward(dinp: dh, dweight: G + headw, dbias: G + headb, dout: logits, inp: h,
                                              weight: P + headw, N: N, IC: Hd, OC: V)
                        Layers.geluBackward(dinp: dh, inp: hpre, dout: dh, count: N * Hd)
                        Layers.linearBackward(dinp: demb, dweight: G + fcw, dbias: G + fcb, dout: dh, inp: emb,
                                              weight: P + fcw, N: N, IC: K * E, OC: Hd)
                        for n in 0..<N {
                            for j in 0..<K {
                                let g = G + wte + Int(r[n * K + j]) * E, d = demb + (n * K + j) * E
                                for i in 0..<E { g[i] += d[i] }
                            }
                        }
                    }
                    return LossResult(positionLosses: losses, batchSize: B, sequenceLength: T)
                }
            }
        }
    }

    public func generate(prompt: [Int32], tokens: Int, temperature: Float = 1, topK: Int? = nil,
                         seed: UInt64 = 0) throws -> [Int32] {
        let c = configuration, K = c.context, E = c.embedding, Hd = c.hidden, V = c.vocab
        try Sampling.validate(prompt: prompt, tokens: tokens, temperature: temperature, topK: topK, vocab: V)
        var rng = RandomGenerator(seed: seed)
        let mem = UnsafeMutablePointer<Float>.allocate(capacity: K * E + 2 * Hd + V)
        defer { mem.deallocate() }
        var seq = prompt
        var out: [Int32] = []
        var rows = [Int32](repeating: 0, count: K)
        for _ in 0..<tokens {
            if Interrupt.isRequested { throw ModelError.interrupted(op: "generate") }
            for j in 0..<K {
                let src = seq.count - K + j
                rows[j] = src < 0 ? Int32(V) : seq[src]
            }
            rows.withUnsafeBufferPointer { r in
                forward(rows: r.baseAddress!, N: 1, emb: mem, hpre: mem + K * E, h: mem + K * E + Hd, logits: mem + K * E + 2 * Hd)
            }
            let next = try Sampling.sample(logits: mem + K * E + 2 * Hd, vocab: V, temperature: temperature, topK: topK, rng: &rng)
            seq.append(next)
            out.append(next)
        }
        return out
    }
}
