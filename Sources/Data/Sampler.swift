// BatchSampler: shuffled epochs over a list of block ids, from a seed.
//
// Epoch e visits every id once, in the order of a Fisher-Yates shuffle
// drawn from RandomGenerator(seed: mix(seed, e)); batches run across epoch
// boundaries without gaps. So the whole position is (seed, epoch,
// position in epoch): that small `State` is what a run saves to resume
// exactly, and the same seed always gives the same batches.
import TensorCore

/// Draws batches of block ids in shuffled epochs (see the file header).
public struct BatchSampler: Sendable {
    /// Where a sampler stands; save it to resume exactly.
    public struct State: Codable, Equatable, Sendable {
        public var seed: UInt64
        public var epoch: Int
        public var position: Int
        public init(seed: UInt64, epoch: Int = 0, position: Int = 0) {
            self.seed = seed
            self.epoch = epoch
            self.position = position
        }
    }

    /// The ids sampled from, in the order given.
    public let ids: [Int32]
    public private(set) var state: State
    /// The current epoch's order.
    private var order: [Int32]

    /// A sampler over `ids` (not empty) at the given position.
    public init(ids: [Int32], state: State) throws {
        guard !ids.isEmpty else {
            throw DataError.invalidArgument(op: "sampler", message: "no blocks to sample from")
        }
        guard state.epoch >= 0, state.position >= 0, state.position < ids.count else {
            throw DataError.invalidArgument(
                op: "sampler", message: "state epoch \(state.epoch), position \(state.position) is not inside an epoch of \(ids.count) blocks")
        }
        self.ids = ids
        self.state = state
        self.order = BatchSampler.order(ids: ids, seed: state.seed, epoch: state.epoch)
    }

    /// A sampler over `ids` at the start of epoch 0.
    public init(ids: [Int32], seed: UInt64) throws {
        try self.init(ids: ids, state: State(seed: seed))
    }

    /// The seed of epoch `epoch` (SplitMix64-style mixing of the two).
    static func epochSeed(_ seed: UInt64, _ epoch: Int) -> UInt64 {
        var z = seed &+ UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The visiting order of one epoch.
    public static func order(ids: [Int32], seed: UInt64, epoch: Int) -> [Int32] {
        var order = ids
        var rng = RandomGenerator(seed: epochSeed(seed, epoch))
        order.withUnsafeMutableBufferPointer { rng.shuffle($0) }
        return order
    }

    /// Fills `out` with the next `out.count` ids.
    public mutating func next(into out: UnsafeMutableBufferPointer<Int32>) {
        var k = 0
        while k < out.count {
            let take = min(out.count - k, order.count - state.position)
            order.withUnsafeBufferPointer { src in
                for j in 0..<take { out[k + j] = src[state.position + j] }
            }
            k += take
            state.position += take
            if state.position == order.count {
                state.epoch += 1
                state.position = 0
                order = BatchSampler.order(ids: ids, seed: state.seed, epoch: state.epoch)
            }
        }
    }

    /// The next `batchSize` ids.
    public mutating func next(batchSize: Int) throws -> [Int32] {
        guard batchSize > 0 else {
            throw DataError.invalidArgument(op: "sampler", message: "batch size must be positive, got \(batchSize)")
        }
        var out = [Int32](repeating: 0, count: batchSize)
        out.withUnsafeMutableBufferPointer { next(into: $0) }
        return out
    }
}
