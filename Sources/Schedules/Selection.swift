// Selection: which blocks a phase trains on, and how they are drawn.
//
// A phase either trains on all blocks, on the blocks a rule keeps (the
// default focus rule drops the fraction with the lowest recorded value of a
// statistic, i.e. keeps the hardest), or on what a policy function returns:
// a mask (keep/drop, one per block: shuffled epochs over the kept blocks) or
// non-negative weights (sampling with replacement in proportion).
// Policy functions come from outside this module (ScriptLibrary wraps
// functions written in lfr); this file only checks what they return.
//
// Ranking is O(n) selection over packed 64-bit keys (the statistic's order
// bits and the block id), so ties break by block id and the result is the
// same on every machine. Blocks never recorded (NaN) rank as hardest: a
// focus phase never drops a block it knows nothing about.

/// The per-block statistic a rule ranks by.
public enum BlockStatistic: String, Sendable, CaseIterable {
    case loss, ppl                 // latest recorded value (ppl = exp(loss): same order)
    case meanLoss = "mean_loss", meanPpl = "mean_ppl"   // mean over the current window
    case seen, forgets
    case lastStep = "last_step"

    /// The values of this statistic, one per block.
    public func values(_ stats: BlockStatistics) -> [Float] {
        switch self {
        case .loss: return stats.latestLoss
        case .ppl: return BlockStatistics.perplexity(stats.latestLoss)
        case .meanLoss: return stats.windowMean
        case .meanPpl: return BlockStatistics.perplexity(stats.windowMean)
        case .seen: return stats.seen.map { Float($0) }
        case .forgets: return stats.forgets.map { Float($0) }
        case .lastStep: return stats.lastStep.map { Float($0) }
        }
    }
}

/// What a policy sees when a phase starts.
public struct PolicyInput {
    public let stats: BlockStatistics
    /// Dataset block id of each training block (index i -> id).
    public let blockIDs: [Int32]
    public let step: Int
    public let phaseIndex: Int
    public let phaseName: String
}

/// What a policy returns: a keep mask or sampling weights, one per block.
public enum PolicyResult: Equatable {
    case mask([Bool])
    case weights([Float])
}

/// How a phase picks its blocks.
public enum Selection {
    /// Every block, shuffled epochs.
    case all
    /// Drop the fraction `drop` of blocks with the lowest `by` values.
    case dropEasiest(drop: Double, by: BlockStatistic)
    /// A policy function (from the language or from Swift).
    case policy(name: String, (PolicyInput) throws -> PolicyResult)

    /// A short description for schedule tables.
    public var summary: String {
        switch self {
        case .all: return "all blocks"
        case let .dropEasiest(drop, by):
            return "hardest \(Selection.percent(1 - drop)) by \(by.rawValue)"
        case let .policy(name, _): return "policy \(name)"
        }
    }

    static func percent(_ x: Double) -> String {
        let p = x * 100
        return p == p.rounded() ? "\(Int(p))%" : "\((p * 10).rounded() / 10)%"
    }

    /// Blocks kept by a drop fraction out of `count` (nil for policies,
    /// whose choice is only known when the phase starts).
    public func activeCount(of count: Int) -> Int? {
        switch self {
        case .all: return count
        case let .dropEasiest(drop, _): return Selection.keptCount(drop: drop, of: count)
        case .policy: return nil
        }
    }

    static func keptCount(drop: Double, of count: Int) -> Int {
        max(1, count - Int((drop * Double(count)).rounded()))
    }
}

/// The outcome of a selection: ids for shuffled epochs, or weights.
public enum ChosenBlocks: Equatable {
    case ids([Int32])
    case weights([Float], positive: Int)

    /// Number of blocks that can be drawn.
    public var activeCount: Int {
        switch self {
        case .ids(let ids): return ids.count
        case .weights(_, let positive): return positive
        }
    }
}

public enum BlockSelector {
    /// Ids of the `keep` blocks with the highest values (NaN highest), in
    /// ascending id order. O(n) on average.
    public static func hardest(_ values: [Float], keep: Int) -> [Int32] {
        let n = values.count
        let k = max(0, min(keep, n))
        if k == 0 { return [] }
        if k == n { return (0..<Int32(n)).map { $0 } }
        // Key: descending order bits in the high word, id in the low word,
        // so the k smallest keys are the k hardest blocks (ties: lower id).
        var keys = [UInt64](unsafeUninitializedCapacity: n) { buf, count in
            values.withUnsafeBufferPointer { v in
                for i in 0..<n {
                    buf[i] = (UInt64(~orderBits(v[i])) << 32) | UInt64(UInt32(i))
                }
            }
            count = n
        }
        keys.withUnsafeMutableBufferPointer { select(smallest: k, in: $0) }
        var ids = keys[0..<k].map { Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF) }
        ids.sort()
        return ids
    }

    /// Maps a Float to UInt32 so that unsigned order is numeric order;
    /// every NaN maps to the top (hardest).
    @inline(__always)
    static func orderBits(_ x: Float) -> UInt32 {
        if x.isNaN { return UInt32.max }
        let b = x.bitPattern
        return (b & 0x8000_0000) != 0 ? ~b : (b | 0x8000_0000)
    }

    /// Moves the k smallest keys to the front (Hoare-style quickselect with
    /// median-of-three pivots; keys are distinct because ids are).
    static func select(smallest k: Int, in a: UnsafeMutableBufferPointer<UInt64>) {
        var lo = 0, hi = a.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            // median of three into a[mid]
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            // [lo, j] <= pivot <= [i, hi]
            if k - 1 <= j { hi = j } else if k - 1 >= i { lo = i } else { return }
        }
    }

    /// Applies a selection to the current statistics.
    public static func choose(_ selection: Selection, stats: BlockStatistics, step: Int,
                              phaseIndex: Int, phaseName: String, blockIDs: [Int32] = []) throws -> ChosenBlocks {
        let n = stats.count
        switch selection {
        case .all:
            return .ids((0..<Int32(n)).map { $0 })
        case let .dropEasiest(drop, by):
            guard drop >= 0 && drop < 1 else {
                throw ScheduleError.policy(phase: phaseName, message: "drop must be in [0, 1), got \(drop)")
            }
            return .ids(hardest(by.values(stats), keep: Selection.keptCount(drop: drop, of: n)))
        case let .policy(_, function):
            let result = try function(PolicyInput(stats: stats, blockIDs: blockIDs, step: step, phaseIndex: phaseIndex, phaseName: phaseName))
            return try validate(result, count: n, phaseName: phaseName)
        }
    }

    /// Checks a policy's answer and turns it into blocks to draw from.
    public static func validate(_ result: PolicyResult, count n: Int, phaseName: String) throws -> ChosenBlocks {
        switch result {
        case .mask(let mask):
            guard mask.count == n else {
                throw ScheduleError.policy(phase: phaseName,
                    message: "returned a mask of \(mask.count) entries, but the dataset has \(n) training blocks")
            }
            var ids: [Int32] = []
            ids.reserveCapacity(n)
            for (i, keep) in mask.enumerated() where keep { ids.append(Int32(i)) }
            guard !ids.isEmpty else {
                throw ScheduleError.policy(phase: phaseName, message: "returned a mask that keeps no block")
            }
            return .ids(ids)
        case .weights(let w):
            guard w.count == n else {
                throw ScheduleError.policy(phase: phaseName,
                    message: "returned \(w.count) weights, but the dataset has \(n) training blocks")
            }
            var positive = 0
            for (i, x) in w.enumerated() {
                if x.isNaN {
                    throw ScheduleError.policy(phase: phaseName, message: "weight of block \(i) is NaN")
                }
                if !(x >= 0) || x.isInfinite {
                    throw ScheduleError.policy(phase: phaseName, message: "weight of block \(i) is \(x); weights must be finite and >= 0")
                }
                if x > 0 { positive += 1 }
            }
            guard positive > 0 else {
                throw ScheduleError.policy(phase: phaseName, message: "returned weights that are all zero")
            }
            return .weights(w, positive: positive)
        }
    }
}
