// Bigram: the smallest language model, logits of the next token = one row
// of a (V, V) table picked by the current token. Fast to train; used in
// tests and quick experiments, through the same LanguageModel protocol.
// What stays true: the table is the only parameter ("bigram.weight", rows =
// current token, columns = next-token logits); activations of a pass are
// one allocation freed at its end.
import TensorCore

/// A bigram language model (see the file header).
public final class Bigram: LanguageModel {
    public let vocabularySize: Int
    public let parameters: ParameterSet
    public var kind: String { "bigram" }
    public var maxSequenceLength: Int? { nil }
    public var config: [String: String] { ["model": "bigram", "vocab": String(vocabularySize)] }

    /// A table drawn from N(0, 0.02) with `seed`.
    public init(vocab: Int, seed: UInt64) throws {
        guard vocab >= 1, vocab <= 65_536 else {
            throw ModelError.invalidConfig(model: "bigram", message: "vocab must be in 1 ... 65536 (the table is vocab x vocab), got \(vocab)")
        }
        vocabularySize = vocab
        parameters = try ParameterSet(layout: [("bigram.weight", [vocab, vocab], true)], model: "bigram")
        var rng = RandomGenerator(seed: seed)
        for i in 0..<parameters.count { parameters.values[i] = Float(0.02 * rng.nextNormal()) }
    }

    private init(copying o: Bigram) {
        vocabularySize = o.vocabularySize
        parameters = o.parameters.copy()
    }

    public func copy() -> Bigram { Bigram(copying: self) }

    public func run(_ batch: TokenBatch, gradientScale: Float?) throws -> LossResult {
        try Layers.withModelThreads { try runPass(batch, gradientScale: gradientScale) }
    }

    private func runPass(_ batch: TokenBatch, gradientScale: Float?) throws -> LossResult {
        try validate(batch, op: gradientScale == nil ? "loss" : "step")
        let B = batch.batchSize, T = batch.sequenceLength, N = B * T, V = vocabularySize
        // logits (N, V) then losses (N), one allocation.
        try MemoryBudget.check(estimatedBytes: Double(N) * Double(V + 1) * 4, what: "the logits of a \(B) x \(T) batch")
        let mem = UnsafeMutablePointer<Float>.allocate(capacity: N * V + N)
        defer { mem.deallocate() }
        let logits = mem, losses = mem + N * V
        let W = parameters.values, G = parameters.grads
        return batch.inputs.withUnsafeBufferPointer { xs in
            batch.targets.withUnsafeBufferPointer { ys in
                for n in 0..<N { (logits + n * V).update(from: W + Int(xs[n]) * V, count: V) }
                Layers.softmaxCrossEntropy(logits: logits, losses: losses, targets: ys.baseAddress!, N: N, V: V,
                                           gradScale: gradientScale.map { $0 / Float(N) })
                if gradientScale != nil {
                    for n in 0..<N {
                        let g = G + Int(xs[n]) * V, d = logits + n * V
                        for j in 0..<V { g[j] += d[j] }
                    }
                }
                return LossResult(positionLosses: losses, batchSize: B, sequenceLength: T)
            }
        }
    }

    public func generate(prompt: [Int32], tokens: Int, temperature: Float = 1, topK: Int? = nil,
                         seed: UInt64 = 0) throws -> [Int32] {
        let V = vocabularySize
        try Sampling.validate(prompt: prompt, tokens: tokens, temperature: temperature, topK: topK, vocab: V)
        var rng = RandomGenerator(seed: seed)
        let row = UnsafeMutablePointer<Float>.allocate(capacity: V)
        defer { row.deallocate() }
        var last = prompt[prompt.count - 1]
        var out: [Int32] = []
        for _ in 0..<tokens {
            if Interrupt.isRequested { throw ModelError.interrupted(op: "generate") }
            row.update(from: parameters.values + Int(last) * V, count: V)
            last = try Sampling.sample(logits: row, vocab: V, temperature: temperature, topK: topK, rng: &rng)
            out.append(last)
        }
        return out
    }
}
