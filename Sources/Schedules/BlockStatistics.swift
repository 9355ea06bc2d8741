// BlockStatistics: what lfr knows about every data block, as flat arrays
// indexed by block id (never one object per block; DESIGN.md section 3).
//
// A value is recorded each time a block is trained on (from the per-sequence
// losses the training forward pass already computes) or measured by a
// separate evaluation pass. Every recorded value keeps the step it was
// recorded at, because losses recorded during training are stale: a block
// scored early in an epoch was scored by a worse model.
//
// Definitions (these are the documented semantics; tests pin them):
// - latest loss: the last recorded loss (NaN until the block is seen);
// - window mean: mean of the losses recorded since the current recording
//   window began (`beginWindow()`, called at the start of each recording
//   phase); NaN when the window holds none;
// - seen: how many times the block was trained on, over the whole run
//   (records from a measurement pass do not count);
// - last step: the optimizer step of the latest record (-1 before any);
// - first and best loss: the first recorded and the lowest recorded loss
//   (NaN until the first record);
// - forgetting event: a record whose loss exceeds the previous record of the
//   same block by more than `forgetMargin` (nats) while the previous
//   transition of that block was a decrease (the block "had fallen, then
//   rose again"). A block needs three records before it can forget.

/// Per-block statistics over a dataset's training blocks (flat arrays).
public struct BlockStatistics: Sendable, Equatable {
    /// Number of blocks (ids are 0..<count).
    public let count: Int
    /// Margin in nats by which a loss must rise to count as forgetting.
    public var forgetMargin: Float

    public private(set) var latestLoss: [Float]
    public private(set) var firstLoss: [Float]
    public private(set) var bestLoss: [Float]
    public private(set) var windowSum: [Double]
    public private(set) var windowCount: [Int32]
    public private(set) var seen: [Int32]
    public private(set) var lastStep: [Int64]
    public private(set) var forgets: [Int32]
    /// 1 when the block's last transition was a decrease of its loss.
    public private(set) var fellLast: [UInt8]

    public init(count: Int, forgetMargin: Float = 0.1) {
        self.count = count
        self.forgetMargin = forgetMargin
        latestLoss = [Float](repeating: .nan, count: count)
        firstLoss = latestLoss
        bestLoss = latestLoss
        windowSum = [Double](repeating: 0, count: count)
        windowCount = [Int32](repeating: 0, count: count)
        seen = [Int32](repeating: 0, count: count)
        lastStep = [Int64](repeating: -1, count: count)
        forgets = [Int32](repeating: 0, count: count)
        fellLast = [UInt8](repeating: 0, count: count)
    }

    /// Starts a new recording window: window means restart from nothing.
    public mutating func beginWindow() {
        windowSum.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        windowCount.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// Records one loss per block id, all at `step`. Ids must be in range
    /// (the trainer draws them from the dataset; checked anyway).
    /// `trained` is false for a separate measurement pass: the values count
    /// as records (latest, window, forgetting) but not as times seen.
    public mutating func record(blocks: UnsafeBufferPointer<Int32>, losses: UnsafeBufferPointer<Float>, step: Int,
                                trained: Bool = true) {
        let n = min(blocks.count, losses.count)
        let margin = forgetMargin
        let step64 = Int64(step)
        latestLoss.withUnsafeMutableBufferPointer { latest in
        firstLoss.withUnsafeMutableBufferPointer { first in
        bestLoss.withUnsafeMutableBufferPointer { best in
        windowSum.withUnsafeMutableBufferPointer { wsum in
        windowCount.withUnsafeMutableBufferPointer { wcount in
        seen.withUnsafeMutableBufferPointer { seen in
        lastStep.withUnsafeMutableBufferPointer { last in
        forgets.withUnsafeMutableBufferPointer { forgets in
        fellLast.withUnsafeMutableBufferPointer { fell in
            for k in 0..<n {
                let id = Int(blocks[k])
                guard id >= 0 && id < latest.count else { continue }
                let loss = losses[k]
                if first[id].isNaN {
                    first[id] = loss
                    best[id] = loss
                } else {
                    let previous = latest[id]
                    if fell[id] != 0 && loss > previous + margin { forgets[id] &+= 1 }
                    fell[id] = loss < previous ? 1 : 0
                    if loss < best[id] { best[id] = loss }
                }
                latest[id] = loss
                wsum[id] += Double(loss)
                wcount[id] &+= 1
                if trained { seen[id] &+= 1 }
                last[id] = step64
            }
        }}}}}}}}}
    }

    /// Convenience for arrays.
    public mutating func record(blocks: [Int32], losses: [Float], step: Int, trained: Bool = true) {
        blocks.withUnsafeBufferPointer { b in
            losses.withUnsafeBufferPointer { l in record(blocks: b, losses: l, step: step, trained: trained) }
        }
    }

    /// Mean loss of each block over the current window (NaN where none).
    public var windowMean: [Float] {
        var out = [Float](repeating: .nan, count: count)
        out.withUnsafeMutableBufferPointer { o in
            windowSum.withUnsafeBufferPointer { s in
                windowCount.withUnsafeBufferPointer { c in
                    for i in 0..<o.count where c[i] > 0 { o[i] = Float(s[i] / Double(c[i])) }
                }
            }
        }
        return out
    }

    /// exp of each value (perplexity from loss in nats); NaN stays NaN.
    public static func perplexity(_ losses: [Float]) -> [Float] {
        var out = losses
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<o.count { o[i] = expf(o[i]) }
        }
        return out
    }

    /// Number of blocks recorded at least once.
    public var seenBlocks: Int { seen.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    /// Total forgetting events over all blocks.
    public var totalForgets: Int { forgets.reduce(0) { $0 + Int($1) } }

    /// Restores every array (for loading a saved run). Lengths must equal count.
    public init(count: Int, forgetMargin: Float, latestLoss: [Float], firstLoss: [Float], bestLoss: [Float],
                windowSum: [Double], windowCount: [Int32], seen: [Int32], lastStep: [Int64],
                forgets: [Int32], fellLast: [UInt8]) throws {
        for (name, n) in [("latestLoss", latestLoss.count), ("firstLoss", firstLoss.count),
                          ("bestLoss", bestLoss.count), ("windowSum", windowSum.count),
                          ("windowCount", windowCount.count), ("seen", seen.count),
                          ("lastStep", lastStep.count), ("forgets", forgets.count),
                          ("fellLast", fellLast.count)] where n != count {
            throw ScheduleError.invalidState("block statistics: \(name) has \(n) entries, expected \(count)")
        }
        self.count = count
        self.forgetMargin = forgetMargin
        self.latestLoss = latestLoss; self.firstLoss = firstLoss; self.bestLoss = bestLoss
        self.windowSum = windowSum; self.windowCount = windowCount; self.seen = seen
        self.lastStep = lastStep; self.forgets = forgets; self.fellLast = fellLast
    }
}

#if canImport(Glibc)
import Glibc
#endif
