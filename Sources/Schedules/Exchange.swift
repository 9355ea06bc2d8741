// Exchange: what a training run needs from the other processes of a
// data-parallel job (DESIGN.md section 7), and the data-parallel step.
//
// The trainer never talks to MPI: it talks to an `Exchange` (gradient sums,
// gathered per-block losses, rank and size). `LocalExchange` is the world
// of one process, where every operation is the identity, so one process
// runs the very same code. ScriptLibrary adapts the MPI world to this
// protocol (Schedules does not depend on it).
//
// A data-parallel step on R ranks with micro-batch count G (the run's
// micro_batches when R divides it, else R when micro_batches is 1) is the
// one-process step with G micro-batches: the global batch is drawn from the
// same sampler on every rank, rank r trains micro-batches r*G/R ..< (r+1)*G/R,
// each scaled by 1/G, the gradients are summed over ranks (one call per
// bucket), and every rank takes the same optimizer step. Per-sequence
// losses are gathered, so every rank records identical block statistics and
// every policy decides identically everywhere. Only the order of the
// gradient sum differs from one process, so losses agree to rounding.
//
// Gradient groups make that order reproducible: a one-process run with
// gradient_groups R sums micro-batches r*G/R ..< (r+1)*G/R alone, exactly as
// rank r does, then adds the R group sums in rank order. On 2 ranks that is
// the all-reduce to the bit (a + b is b + a), so a run saved on 2 ranks and
// resumed on one process continues exactly as on the 2 ranks. For R > 2,
// MPI chooses the order in which it adds the rank sums, so only rounding
// agreement is promised. A run trained on R ranks records R groups.
import Data
import Models
import TensorCore

/// The other processes of a run, as the trainer sees them.
public protocol Exchange: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Element-wise sum over all ranks, in place.
    func sum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    /// Element-wise sum over all ranks, in place.
    func sum(_ buffer: UnsafeMutableBufferPointer<Double>) throws
    /// Every rank's values, in rank order, on every rank.
    func gather(_ values: [Float]) throws -> [[Float]]
    /// Every rank's bytes, in rank order, on every rank.
    func gather(bytes: [UInt8]) throws -> [[UInt8]]
}

/// One process: every operation is the identity.
public final class LocalExchange: Exchange {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func sum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    public func sum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {}
    public func gather(_ values: [Float]) throws -> [[Float]] { [values] }
    public func gather(bytes: [UInt8]) throws -> [[UInt8]] { [bytes] }
}

/// The exchange new runs use, and what the data-parallel steps cost.
public enum DataParallel {
    /// Set once at start-up by the host (ScriptLibrary) under mpirun.
    nonisolated(unsafe) public static var exchange: any Exchange = LocalExchange()
    /// Gradient elements per all-reduce call.
    nonisolated(unsafe) public static var bucketElements = 1 << 20
    /// Seconds spent in gradient sums, and bytes summed (this process).
    nonisolated(unsafe) public static var reduceSeconds = 0.0
    nonisolated(unsafe) public static var reducedBytes = 0

    /// Micro-batches of a global step on `ranks` ranks (see the file header).
    /// (`ranks` is the number of gradient groups on one process.)
    public static func microBatches(batch: Int, requested: Int, ranks: Int, op: String = "train") throws -> Int {
        if ranks == 1 { return requested }
        let g = requested % ranks == 0 ? requested : (requested == 1 ? ranks : 0)
        guard g > 0 else {
            throw ScheduleError.invalidPhase("\(op): micro_batches (\(requested)) must be 1 or a multiple of the number of ranks or gradient groups (\(ranks))")
        }
        guard batch % g == 0 else {
            throw ScheduleError.invalidPhase("\(op): with \(ranks) ranks or gradient groups the batch (\(batch)) must be a multiple of \(g) (one micro-batch or more per group)")
        }
        return g
    }
}

extension Run {
    /// One optimizer step on `batch` (the whole global batch): the model's
    /// own step on one process, the data-parallel step on several.
    func trainStep(_ batch: TokenBatch) throws -> (loss: LossResult, learningRate: Float) {
        let ranks = exchange.size
        let groups = ranks > 1 ? ranks : config.gradientGroups
        if groups == 1 {
            let r = try model.step(batch, optimizer: optimizer, microBatches: config.microBatches)
            return (r.loss, r.learningRate)
        }
        let g = try DataParallel.microBatches(batch: batch.batchSize, requested: config.microBatches, ranks: groups)
        let per = batch.batchSize / g
        let p = model.parameters
        /// Group r's gradient sum into p.grads (what rank r computes); its
        /// micro-batch means and per-sequence losses.
        func group(_ r: Int) throws -> [Float] {
            p.zeroGrads()
            var means: [Float] = [], sequences: [Float] = []
            for m in (r * g / groups) ..< ((r + 1) * g / groups) {
                let out = try model.run(try batch.rows(m * per, (m + 1) * per), gradientScale: 1 / Float(g))
                means.append(out.mean)
                sequences += out.perSequence
            }
            return means + sequences
        }
        var parts: [[Float]]
        if ranks > 1 {
            let mine = try group(exchange.rank)
            try sumGradients()
            parts = try exchange.gather(mine)
        } else {
            // One process, as `groups` ranks: each group alone, the sums added in rank order.
            parts = [try group(0)]
            var total = [Float](UnsafeBufferPointer(start: p.grads, count: p.count))
            for r in 1..<groups {
                parts.append(try group(r))
                for i in 0..<p.count { total[i] += p.grads[i] }
            }
            total.withUnsafeBufferPointer { p.grads.update(from: $0.baseAddress!, count: p.count) }
        }
        var allMeans: [Float] = [], allSequences: [Float] = []
        for part in parts {
            let k = part.count / (per + 1)
            allMeans += part[0..<k]
            allSequences += part[k...]
        }
        var total = 0.0
        for m in allMeans { total += Double(m) }   // the one-process order
        let loss = LossResult(mean: Float(total / Double(g)), perSequence: allSequences)
        guard loss.mean.isFinite else { throw ModelError.nonFiniteLoss(step: optimizer.step + 1, loss: loss.mean) }
        let (lr, _) = try optimizer.update(model.parameters)
        return (loss, lr)
    }

    /// Sums the gradients over all ranks, one call per bucket.
    func sumGradients() throws {
        let p = model.parameters
        let t0 = Clock.seconds()
        var at = 0
        while at < p.count {
            let n = min(DataParallel.bucketElements, p.count - at)
            try exchange.sum(UnsafeMutableBufferPointer(start: p.grads + at, count: n))
            at += n
        }
        DataParallel.reduceSeconds += Clock.seconds() - t0
        DataParallel.reducedBytes += p.count * MemoryLayout<Float>.size
    }

    /// Per-block eval losses of `ids`: on several ranks each scores a run
    /// of whole evaluation batches (the same batches one process would
    /// form) and the losses are gathered, in order, on every rank.
    func scoreSplit(ids: [Int32]) throws -> [Float] {
        if exchange.size == 1 { return try Run.score(model: model, data: data, ids: ids, batch: config.evalBatch) }
        let chunk = max(1, config.evalBatch)
        let batches = (ids.count + chunk - 1) / chunk
        let lo = min(ids.count, exchange.rank * batches / exchange.size * chunk)
        let hi = min(ids.count, (exchange.rank + 1) * batches / exchange.size * chunk)
        let local = lo < hi ? try Run.score(model: model, data: data, ids: Array(ids[lo..<hi]), batch: chunk) : []
        return try exchange.gather(local).flatMap { $0 }
    }

    /// True on the rank that writes the run folder and checkpoints.
    public var writesFiles: Bool { exchange.rank == 0 }
}
