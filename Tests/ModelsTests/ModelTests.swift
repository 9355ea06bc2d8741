// ModelTests: whole-model checks: GPT/bigram/MLP gradients against finite
// differences, eval = training forward, determinism, gradient accumulation,
// copies, clear errors, and KV-cache generation against the plain forward.
import Testing
@testable import Models
import TensorCore

/// Replaces a model's parameters by N(0, scale) draws (LayerNorm gains
/// 1 + N(0, scale)) so gradients are O(0.1) and a finite-difference check
/// is not vacuous.
func randomize(_ m: some LanguageModel, seed: UInt64, scale: Double = 0.3) {
    var rng = RandomGenerator(seed: seed)
    for s in m.parameters.specs {
        let p = m.parameters.values + s.offset
        let base: Float = s.name.contains("ln_") && s.name.hasSuffix("weight") ? 1 : 0
        for i in 0..<s.count { p[i] = base + Float(scale * rng.nextNormal()) }
    }
}

func tokens(_ n: Int, vocab: Int, seed: UInt64) -> [Int32] {
    var rng = RandomGenerator(seed: seed)
    return (0..<n).map { _ in Int32(rng.nextInt(below: vocab)) }
}

/// Checks every parameter tensor of a model at a few indices each; the
/// objective is the summed loss (gradient scale N), accumulated in Double.
func checkModelGradients(_ model: some LanguageModel, _ batch: TokenBatch, perTensor: Int = 5) -> [String] {
    let N = Float(batch.batchSize * batch.sequenceLength)
    model.parameters.zeroGrads()
    _ = try? model.run(batch, gradientScale: N)
    let grads = Array(UnsafeBufferPointer(start: model.parameters.grads, count: model.parameters.count))
    func objective() -> Double {
        let r = (try? model.loss(batch))?.perSequence ?? []
        return r.map { Double($0) * Double(batch.sequenceLength) }.reduce(0, +)
    }
    var failures: [String] = []
    for s in model.parameters.specs {
        let idx = (0..<min(perTensor, s.count)).map { s.offset + $0 * s.count / min(perTensor, s.count) }
        let rep = gradCheck(values: model.parameters.values, analytic: grads, indices: idx,
                            h: 1e-2, rtol: 2e-2, atol: 2e-3, objective: objective)
        if !rep.passed { failures.append("\(s.name): \(rep.details)") }
    }
    return failures
}

@Suite struct ModelTests {
    static let tiny = GPTConfig(layers: 2, heads: 2, dim: 8, context: 8, vocab: 11, bias: true)

    @Test(arguments: [true, false]) func gptGradientsMatchFiniteDifferences(bias: Bool) throws {
        var c = ModelTests.tiny
        c.bias = bias
        let m = try GPT(config: c, seed: 3)
        randomize(m, seed: 4)
        let batch = try TokenBatch(inputs: tokens(12, vocab: 11, seed: 5), targets: tokens(12, vocab: 11, seed: 6),
                                   batchSize: 2, sequenceLength: 6)
        let failures = checkModelGradients(m, batch)
        #expect(failures.isEmpty, "\(failures)")
        // Non-vacuous: the gradient is far from zero.
        #expect(m.parameters.gradientSquaredNorm() > 1)
    }

    @Test func bigramAndMLPGradientsMatchFiniteDifferences() throws {
        let batch = try TokenBatch(inputs: tokens(12, vocab: 9, seed: 7), targets: tokens(12, vocab: 9, seed: 8),
                                   batchSize: 3, sequenceLength: 4)
        let bigram = try Bigram(vocab: 9, seed: 1)
        randomize(bigram, seed: 2)
        #expect(checkModelGradients(bigram, batch, perTensor: 30).isEmpty)
        let mlp = try MLPModel(config: MLPConfig(vocab: 9, context: 3, embedding: 4, hidden: 10), seed: 1)
        randomize(mlp, seed: 3)
        let f = checkModelGradients(mlp, batch, perTensor: 12)
        #expect(f.isEmpty, "\(f)")
    }

    @Test func evalLossEqualsTrainingLossAndPerSequenceMeans() throws {
        let m = try GPT(config: ModelTests.tiny, seed: 9)
        let batch = try TokenBatch(inputs: tokens(24, vocab: 11, seed: 1), targets: tokens(24, vocab: 11, seed: 2),
                                   batchSize: 3, sequenceLength: 8)
        let e = try m.loss(batch)
        let t = try m.run(batch, gradientScale: 1)
        #expect(e == t)                                 // bit-identical, per sequence too
        #expect(e.perSequence.count == 3)
        let mean = e.perSequence.map(Double.init).reduce(0, +) / 3
        #expect(abs(mean - Double(e.mean)) < 1e-6)
        // A freshly initialised model predicts about uniformly: loss ~ ln(vocab).
        #expect(abs(Double(e.mean) - log(11.0)) < 0.1)
        // Each row's loss is the loss of that row alone.
        let row1 = try m.loss(batch.rows(1, 2))
        #expect(row1.mean == e.perSequence[1])
    }

    @Test func blocksEntryShiftsTargets() throws {
        let blocks: [Int32] = [1, 2, 3, 4, 5, 6, 7, 8]
        let b = try TokenBatch(blocks: blocks, blockLength: 4)
        #expect(b.inputs == [1, 2, 3, 5, 6, 7])
        #expect(b.targets == [2, 3, 4, 6, 7, 8])
        #expect(b.batchSize == 2 && b.sequenceLength == 3)
        #expect(throws: ModelError.self) { try TokenBatch(blocks: blocks, blockLength: 3) }
    }

    @Test func sameSeedGivesBitIdenticalTraining() throws {
        func run(seed: UInt64) throws -> [Float] {
            let m = try GPT(config: GPTConfig(layers: 2, heads: 2, dim: 16, context: 16, vocab: 20), seed: seed)
            let opt = try AdamW(learningRate: 1e-2)
            var losses: [Float] = []
            for s in 0..<4 {
                let batch = try TokenBatch(inputs: tokens(64, vocab: 20, seed: UInt64(s)),
                                           targets: tokens(64, vocab: 20, seed: UInt64(100 + s)),
                                           batchSize: 4, sequenceLength: 16)
                losses.append(try m.step(batch, optimizer: opt).loss.mean)
            }
            return losses
        }
        let a = try run(seed: 1), b = try run(seed: 1), c = try run(seed: 2)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        #expect(a != c)
        #expect(a.last! < a.first!)
    }

    @Test func gradientAccumulationMatchesOnePass() throws {
        let m = try GPT(config: ModelTests.tiny, seed: 2)
        let batch = try TokenBatch(inputs: tokens(32, vocab: 11, seed: 3), targets: tokens(32, vocab: 11, seed: 4),
                                   batchSize: 4, sequenceLength: 8)
        let one = try m.computeGradients(batch)
        let g1 = Array(UnsafeBufferPointer(start: m.parameters.grads, count: m.parameterCount))
        let two = try m.computeGradients(batch, microBatches: 2)
        let g2 = Array(UnsafeBufferPointer(start: m.parameters.grads, count: m.parameterCount))
        #expect(abs(one.mean - two.mean) < 1e-6)
        #expect(one.perSequence == two.perSequence)
        var maxErr: Float = 0, maxG: Float = 0
        for i in 0..<g1.count { maxErr = max(maxErr, abs(g1[i] - g2[i])); maxG = max(maxG, abs(g1[i])) }
        #expect(maxErr <= 1e-5 * maxG + 1e-8)
        #expect(throws: ModelError.self) { try m.computeGradients(batch, microBatches: 3) }
    }

    @Test func copyIsDeepAndEqual() throws {
        let m = try GPT(config: ModelTests.tiny, seed: 5)
        let c = m.copy()
        let batch = try TokenBatch(inputs: tokens(16, vocab: 11, seed: 1), targets: tokens(16, vocab: 11, seed: 2),
                                   batchSize: 2, sequenceLength: 8)
        let before = try c.loss(batch)
        #expect(try m.loss(batch) == before)
        try m.step(batch, optimizer: AdamW(learningRate: 0.1))
        #expect(try c.loss(batch) == before)
        #expect(try m.loss(batch) != before)
    }

    @Test func configAndInputErrorsAreClear() throws {
        #expect(throws: ModelError.invalidConfig(model: "gpt", message: "heads (3) must divide dim (8); 8 / 3 is not a whole head size")) {
            try GPT(config: GPTConfig(layers: 1, heads: 3, dim: 8, context: 4, vocab: 5), seed: 1)
        }
        let m = try GPT(config: ModelTests.tiny, seed: 1)
        let long = try TokenBatch(inputs: tokens(9, vocab: 11, seed: 1), targets: tokens(9, vocab: 11, seed: 1),
                                  batchSize: 1, sequenceLength: 9)
        #expect(throws: ModelError.sequenceTooLong(op: "loss", length: 9, context: 8)) { try m.loss(long) }
        var ids = tokens(8, vocab: 11, seed: 1)
        ids[5] = 11
        let bad = try TokenBatch(inputs: ids, targets: ids, batchSize: 1, sequenceLength: 8)
        #expect(throws: ModelError.tokenOutOfRange(op: "loss", token: 11, position: 5, vocab: 11)) { try m.loss(bad) }
        ids[5] = -1
        #expect(throws: ModelError.self) { try m.loss(TokenBatch(inputs: ids, targets: ids, batchSize: 1, sequenceLength: 8)) }
        #expect(throws: ModelError.self) { try TokenBatch(inputs: ids, targets: ids, batchSize: 2, sequenceLength: 8) }
        // NaN loss stops before the update and names the step.
        let opt = try AdamW()
        let ok = try TokenBatch(inputs: tokens(8, vocab: 11, seed: 2), targets: tokens(8, vocab: 11, seed: 3),
                                batchSize: 1, sequenceLength: 8)
        try m.step(ok, optimizer: opt)
        m.parameters.values[3] = .nan
        do {
            try m.step(ok, optimizer: opt)
            Issue.record("expected a nonFiniteLoss error")
        } catch let e as ModelError {
            guard case .nonFiniteLoss(step: 2, _) = e else { Issue.record("wrong error \(e)"); return }
            #expect(e.description.contains("step 2"))
        }
        #expect(opt.step == 1)
        #expect(throws: ModelError.self) { try Bigram(vocab: 0, seed: 1) }
        #expect(throws: ModelError.self) { try MLPModel(config: MLPConfig(hidden: 0), seed: 1) }
    }

    /// Greedy decoding with the KV cache equals greedy decoding that re-runs
    /// the whole forward on the (cropped) window for every token.
    @Test func cachedGenerationMatchesPlainForward() throws {
        let m = try GPT(config: ModelTests.tiny, seed: 11)
        randomize(m, seed: 12, scale: 0.5)
        let prompt: [Int32] = [3, 1, 4]
        let cached = try m.generate(prompt: prompt, tokens: 12, temperature: 0)
        var seq = prompt
        var plain: [Int32] = []
        for _ in 0..<12 {
            let window = Array(seq.suffix(8))
            let logits = try m.logits(inputs: window, batchSize: 1, sequenceLength: window.count)
            let last = logits[((window.count - 1) * 11)...]
            var best = last.startIndex
            for j in last.indices where last[j] > last[best] { best = j }
            let next = Int32(best - last.startIndex)
            plain.append(next)
            seq.append(next)
        }
        #expect(cached == plain)
        // Sampling: a seed fixes the draws; top_k 1 is greedy.
        let a = try m.generate(prompt: prompt, tokens: 10, temperature: 1, seed: 5)
        let b = try m.generate(prompt: prompt, tokens: 10, temperature: 1, seed: 5)
        #expect(a == b)
        #expect(try m.generate(prompt: prompt, tokens: 12, temperature: 1, topK: 1, seed: 9) == cached)
        #expect(a.allSatisfy { $0 >= 0 && $0 < 11 })
        #expect(throws: ModelError.self) { try m.generate(prompt: [], tokens: 3, temperature: 1, topK: nil, seed: 1) }
        #expect(throws: ModelError.self) { try m.generate(prompt: [11], tokens: 3, temperature: 1, topK: nil, seed: 1) }
        let bg = try Bigram(vocab: 11, seed: 1)
        #expect(try bg.generate(prompt: [2], tokens: 5, temperature: 0.5, topK: 3, seed: 1).count == 5)
        let mlp = try MLPModel(config: MLPConfig(vocab: 11), seed: 1)
        #expect(try mlp.generate(prompt: [2], tokens: 5, temperature: 0.5, topK: 3, seed: 1).count == 5)
    }

    @Test func descriptionShowsConfigAndParameterCount() throws {
        let m = try GPT(config: ModelTests.tiny, seed: 1)
        #expect(m.description.contains("layers: 2"))
        #expect(m.description.contains("\(m.parameterCount) parameters"))
        // nanoGPT's count: wte + wpe + L * (12 C^2 + 13 C) + 2 C with biases.
        let C = 8
        #expect(m.parameterCount == 11 * C + 8 * C + 2 * (12 * C * C + 13 * C) + 2 * C)
    }
}

#if canImport(Glibc)
import Glibc
#endif
