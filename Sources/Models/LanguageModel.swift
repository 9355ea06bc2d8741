// LanguageModel: the one protocol the trainer sees, so GPT, the bigram model
// and the MLP model are trained, evaluated, copied and saved alike; plus the
// token batch it takes and the loss it returns.
//
// What stays true: a TokenBatch always holds batchSize * sequenceLength
// inputs and as many targets (validated when it is made); a LossResult's
// mean is the mean of its perSequence values (every row has the same length);
// a training pass only ever ADDS to the gradients (callers zero them).
import TensorCore

/// Token ids of one batch: inputs x and targets y, both [B, T] row-major.
public struct TokenBatch: Sendable {
    public let inputs: [Int32]
    public let targets: [Int32]
    public let batchSize: Int
    public let sequenceLength: Int

    /// x and y given separately, each batchSize * sequenceLength ids.
    public init(inputs: [Int32], targets: [Int32], batchSize: Int, sequenceLength: Int) throws {
        guard batchSize > 0, sequenceLength > 0 else {
            throw ModelError.invalidArgument(
                op: "batch", message: "batch size and sequence length must be positive (got \(batchSize) x \(sequenceLength))")
        }
        guard inputs.count == batchSize * sequenceLength, targets.count == inputs.count else {
            throw ModelError.invalidArgument(
                op: "batch", message: "expected \(batchSize) x \(sequenceLength) = \(batchSize * sequenceLength) inputs and targets, got \(inputs.count) inputs and \(targets.count) targets")
        }
        self.inputs = inputs
        self.targets = targets
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
    }

    /// `blockCount` blocks of `blockLength` = T + 1 tokens each, back to back:
    /// x = block[0 ..< T], y = block[1 ... T] (the datasets hand out such blocks).
    public init(blocks: UnsafeBufferPointer<Int32>, blockLength: Int) throws {
        guard blockLength >= 2 else {
            throw ModelError.invalidArgument(op: "batch", message: "a block needs at least 2 tokens (input and target), got \(blockLength)")
        }
        guard blocks.count > 0, blocks.count % blockLength == 0 else {
            throw ModelError.invalidArgument(
                op: "batch", message: "\(blocks.count) tokens are not a whole number of blocks of \(blockLength)")
        }
        let B = blocks.count / blockLength, T = blockLength - 1
        var x = [Int32](repeating: 0, count: B * T)
        var y = [Int32](repeating: 0, count: B * T)
        x.withUnsafeMutableBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                for b in 0..<B {
                    for t in 0..<T {
                        xs[b * T + t] = blocks[b * blockLength + t]
                        ys[b * T + t] = blocks[b * blockLength + t + 1]
                    }
                }
            }
        }
        try self.init(inputs: x, targets: y, batchSize: B, sequenceLength: T)
    }

    /// Same as `init(blocks:blockLength:)` from an array.
    public init(blocks: [Int32], blockLength: Int) throws {
        self = try blocks.withUnsafeBufferPointer { try TokenBatch(blocks: $0, blockLength: blockLength) }
    }

    /// Rows lo ..< hi of this batch.
    public func rows(_ lo: Int, _ hi: Int) throws -> TokenBatch {
        let T = sequenceLength
        return try TokenBatch(inputs: Array(inputs[lo * T ..< hi * T]), targets: Array(targets[lo * T ..< hi * T]),
                              batchSize: hi - lo, sequenceLength: T)
    }
}

/// Mean cross-entropy of a batch and the mean of each row (sequence).
public struct LossResult: Sendable, Equatable {
    /// Mean over every predicted position (nats).
    public var mean: Float
    /// One mean loss per batch row, in row order.
    public var perSequence: [Float]

    /// Builds the result from per-position losses (N = B * T), summing in
    /// Double in a fixed order.
    init(positionLosses losses: UnsafePointer<Float>, batchSize B: Int, sequenceLength T: Int) {
        var per = [Float](repeating: 0, count: B)
        var total: Double = 0
        for b in 0..<B {
            var s: Double = 0
            for t in 0..<T { s += Double(losses[b * T + t]) }
            per[b] = Float(s / Double(T))
            total += s
        }
        mean = Float(total / Double(B * T))
        perSequence = per
    }

    public init(mean: Float, perSequence: [Float]) {
        self.mean = mean
        self.perSequence = perSequence
    }
}

/// What one optimizer step did.
public struct StepResult: Sendable, Equatable {
    /// Loss of the batch before the update (mean and per sequence).
    public var loss: LossResult
    /// Learning rate used for the update.
    public var learningRate: Float
    /// Global gradient norm before clipping.
    public var gradientNorm: Float
    /// The optimizer's step count after the update.
    public var step: Int
}

/// A language model lfr can train: GPT, bigram, MLP (see the file header).
public protocol LanguageModel: AnyObject, CustomStringConvertible {
    /// Short kind name: "gpt", "bigram", "mlp".
    var kind: String { get }
    /// The parameters and their gradients.
    var parameters: ParameterSet { get }
    /// Token ids are in 0 ..< vocabularySize.
    var vocabularySize: Int { get }
    /// Longest sequence the model takes (nil: any length).
    var maxSequenceLength: Int? { get }
    /// The configuration as strings (checkpoint metadata, printing).
    var config: [String: String] { get }
    /// Forward pass over a batch. With `gradientScale` nil this is eval mode:
    /// no backward caches, no gradients. Otherwise the gradients of
    /// `gradientScale * mean loss` are ADDED to `parameters.grads`.
    func run(_ batch: TokenBatch, gradientScale: Float?) throws -> LossResult
    /// A deep copy (parameters and gradients; no shared state).
    func copy() -> Self
    /// Samples `tokens` new ids after `prompt` (see each model for details).
    func generate(prompt: [Int32], tokens: Int, temperature: Float, topK: Int?, seed: UInt64) throws -> [Int32]
}

extension LanguageModel {
    /// Number of parameters.
    public var parameterCount: Int { parameters.count }

    /// Eval-mode loss (mean and per sequence) of a batch.
    public func loss(_ batch: TokenBatch) throws -> LossResult { try run(batch, gradientScale: nil) }

    /// Eval-mode loss of x and y given as [B, T] id arrays.
    public func loss(inputs: [Int32], targets: [Int32], batchSize: Int, sequenceLength: Int) throws -> LossResult {
        try loss(TokenBatch(inputs: inputs, targets: targets, batchSize: batchSize, sequenceLength: sequenceLength))
    }

    /// Zeroes the gradients, then accumulates those of the batch's mean loss,
    /// split into `microBatches` sequential passes (gradient accumulation:
    /// same result as one pass, less activation memory).
    public func computeGradients(_ batch: TokenBatch, microBatches: Int = 1) throws -> LossResult {
        guard microBatches >= 1, batch.batchSize % microBatches == 0 else {
            throw ModelError.invalidArgument(
                op: "step", message: "micro-batches (\(microBatches)) must divide the batch size (\(batch.batchSize))")
        }
        parameters.zeroGrads()
        if microBatches == 1 { return try run(batch, gradientScale: 1) }
        let per = batch.batchSize / microBatches
        var sequences: [Float] = []
        var total: Double = 0
        for m in 0..<microBatches {
            if Interrupt.isRequested { throw ModelError.interrupted(op: "step") }
            let part = try batch.rows(m * per, (m + 1) * per)
            let r = try run(part, gradientScale: 1 / Float(microBatches))
            sequences += r.perSequence
            total += Double(r.mean)
        }
        return LossResult(mean: Float(total / Double(microBatches)), perSequence: sequences)
    }

    /// One training step: gradients of the batch's mean loss, then an AdamW
    /// update. Throws `nonFiniteLoss` (naming the step) before updating when
    /// the loss is NaN or infinite.
    @discardableResult
    public func step(_ batch: TokenBatch, optimizer: AdamW, microBatches: Int = 1) throws -> StepResult {
        let loss = try computeGradients(batch, microBatches: microBatches)
        guard loss.mean.isFinite else { throw ModelError.nonFiniteLoss(step: optimizer.step + 1, loss: loss.mean) }
        let (lr, norm) = try optimizer.update(parameters)
        return StepResult(loss: loss, learningRate: lr, gradientNorm: norm, step: optimizer.step)
    }

    /// Eval-mode loss of many blocks of `blockLength` = T + 1 tokens, run
    /// `batchSize` blocks at a time; checks for interrupts between batches.
    public func evaluate(blocks: UnsafeBufferPointer<Int32>, blockLength: Int, batchSize: Int = 16) throws -> LossResult {
        guard batchSize >= 1, blockLength >= 2, blocks.count % blockLength == 0 else {
            throw ModelError.invalidArgument(
                op: "evaluate", message: "need a positive batch size and whole blocks of \(blockLength) tokens (got \(blocks.count) tokens)")
        }
        let count = blocks.count / blockLength
        var per: [Float] = []
        per.reserveCapacity(count)
        var total: Double = 0
        var i = 0
        while i < count {
            if Interrupt.isRequested { throw ModelError.interrupted(op: "evaluate") }
            let n = min(batchSize, count - i)
            let slice = UnsafeBufferPointer(rebasing: blocks[(i * blockLength) ..< ((i + n) * blockLength)])
            let r = try loss(TokenBatch(blocks: slice, blockLength: blockLength))
            per += r.perSequence
            for v in r.perSequence { total += Double(v) }
            i += n
        }
        return LossResult(mean: count == 0 ? 0 : Float(total / Double(count)), perSequence: per)
    }

    /// Checks every id of a batch against the vocabulary and the sequence
    /// length against the model's limit.
    func validate(_ batch: TokenBatch, op: String) throws {
        if let limit = maxSequenceLength, batch.sequenceLength > limit {
            throw ModelError.sequenceTooLong(op: op, length: batch.sequenceLength, context: limit)
        }
        try validateTokens(batch.inputs, op: op)
        try validateTokens(batch.targets, op: op)
    }

    func validateTokens(_ ids: [Int32], op: String) throws {
        let V = Int32(truncatingIfNeeded: vocabularySize)
        let bad = ids.withUnsafeBufferPointer { p -> Int? in
            for i in 0..<p.count where p[i] < 0 || p[i] >= V { return i }
            return nil
        }
        if let bad { throw ModelError.tokenOutOfRange(op: op, token: Int(ids[bad]), position: bad, vocab: vocabularySize) }
    }

    public var description: String {
        let keys = config.keys.sorted().filter { $0 != "model" }
        let fields = keys.map { "\($0): \(config[$0] ?? "")" }.joined(separator: ", ")
        return "\(kind)(\(fields)) with \(parameterCount) parameters"
    }
}
