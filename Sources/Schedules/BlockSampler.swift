// BlockSampler: draws the block ids of each training batch.
//
// Two modes, as DESIGN.md section 3 and the policy contract define them:
// - shuffled epochs over an active set (a mask kept these blocks): each epoch
//   is a fresh Fisher-Yates permutation of the active ids; batches run
//   through the permutation and continue into the next epoch's permutation,
//   so every active block is visited exactly once per epoch;
// - weighted sampling with replacement, probability proportional to a
//   non-negative weight per block (Vose's alias method: O(n) set-up, O(1)
//   per draw).
// All state (RNG, permutation, cursor, epoch) is stored, so a run saved and
// restored mid-epoch draws exactly the same batches as one never stopped.
import TensorCore

public struct BlockSampler: Sendable, Equatable {
    public enum Mode: String, Sendable { case epochs, weighted }

    public private(set) var mode: Mode
    public private(set) var rng: RandomGenerator
    /// Epoch mode: the active ids in the current epoch's order.
    public private(set) var order: [Int32]
    /// Epoch mode: position of the next id in `order`.
    public private(set) var cursor: Int
    /// Completed passes over the active set (epoch mode) or draws / active
    /// count (weighted mode, for display only).
    public private(set) var epoch: Int
    /// Weighted mode: alias-method tables over all blocks.
    public private(set) var probability: [Double]
    public private(set) var alias: [Int32]
    /// Number of blocks this sampler draws from (kept blocks, or blocks with
    /// positive weight).
    public private(set) var activeCount: Int

    /// Shuffled epochs over the given ids (which must be non-empty).
    public init(active ids: [Int32], rng: RandomGenerator) throws {
        guard !ids.isEmpty else { throw ScheduleError.invalidPhase("sampler: no active blocks to sample from") }
        mode = .epochs
        self.rng = rng
        order = ids
        cursor = 0
        epoch = 0
        probability = []
        alias = []
        activeCount = ids.count
        order.withUnsafeMutableBufferPointer { self.rng.shuffle($0) }
    }

    /// Sampling with replacement in proportion to `weights` (one per block,
    /// finite and >= 0, not all zero).
    public init(weights: [Float], rng: RandomGenerator) throws {
        let n = weights.count
        guard n > 0 else { throw ScheduleError.invalidPhase("sampler: no blocks to sample from") }
        var total = 0.0
        var positive = 0
        for (i, w) in weights.enumerated() {
            guard w.isFinite && w >= 0 else {
                throw ScheduleError.invalidPhase("sampler: weight \(w) of block \(i) is not a finite non-negative number")
            }
            total += Double(w)
            if w > 0 { positive += 1 }
        }
        guard total > 0 else { throw ScheduleError.invalidPhase("sampler: all weights are zero") }
        mode = .weighted
        self.rng = rng
        order = []
        cursor = 0
        epoch = 0
        activeCount = positive
        // Vose's alias method.
        var prob = [Double](repeating: 0, count: n)
        var alias = [Int32](repeating: 0, count: n)
        var scaled = weights.map { Double($0) * Double(n) / total }
        var small: [Int32] = [], large: [Int32] = []
        small.reserveCapacity(n); large.reserveCapacity(n)
        for i in 0..<n { if scaled[i] < 1 { small.append(Int32(i)) } else { large.append(Int32(i)) } }
        while let s = small.last, let l = large.last {
            small.removeLast()
            prob[Int(s)] = scaled[Int(s)]
            alias[Int(s)] = l
            scaled[Int(l)] = (scaled[Int(l)] + scaled[Int(s)]) - 1
            if scaled[Int(l)] < 1 { large.removeLast(); small.append(l) }
        }
        for l in large { prob[Int(l)] = 1; alias[Int(l)] = l }
        for s in small { prob[Int(s)] = 1; alias[Int(s)] = s }   // rounding leftovers
        probability = prob
        self.alias = alias
    }

    /// Restores a saved sampler.
    public init(mode: Mode, rng: RandomGenerator, order: [Int32], cursor: Int, epoch: Int,
                probability: [Double], alias: [Int32], activeCount: Int) throws {
        switch mode {
        case .epochs:
            guard !order.isEmpty, cursor >= 0, cursor <= order.count else {
                throw ScheduleError.invalidState("sampler: saved cursor \(cursor) outside its order of \(order.count)")
            }
        case .weighted:
            guard !probability.isEmpty, probability.count == alias.count,
                  alias.allSatisfy({ $0 >= 0 && Int($0) < probability.count }) else {
                throw ScheduleError.invalidState("sampler: saved alias tables are inconsistent")
            }
        }
        self.mode = mode; self.rng = rng; self.order = order; self.cursor = cursor
        self.epoch = epoch; self.probability = probability; self.alias = alias
        self.activeCount = activeCount
    }

    /// Writes the next `count` block ids to `out`.
    public mutating func next(_ count: Int, into out: UnsafeMutablePointer<Int32>) {
        switch mode {
        case .epochs:
            var k = 0
            while k < count {
                if cursor == order.count {
                    order.withUnsafeMutableBufferPointer { rng.shuffle($0) }
                    cursor = 0
                    epoch += 1
                }
                let take = min(count - k, order.count - cursor)
                order.withUnsafeBufferPointer { o in
                    (out + k).update(from: o.baseAddress! + cursor, count: take)
                }
                cursor += take
                k += take
            }
        case .weighted:
            let n = probability.count
            probability.withUnsafeBufferPointer { prob in
                alias.withUnsafeBufferPointer { alias in
                    for k in 0..<count {
                        let i = rng.nextInt(below: n)
                        out[k] = rng.nextDouble() < prob[i] ? Int32(i) : alias[i]
                    }
                }
            }
        }
    }

    /// The next `count` block ids as an array.
    public mutating func next(_ count: Int) -> [Int32] {
        if count <= 0 { return [] }
        return [Int32](unsafeUninitializedCapacity: count) { buf, n in
            next(count, into: buf.baseAddress!)
            n = count
        }
    }
}
