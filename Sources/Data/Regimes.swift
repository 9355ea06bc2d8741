// Regimes: datasets altered in controlled ways, to probe where a data
// policy pays: redundancy (duplicated blocks, as web-scale near-duplicates),
// noise (blocks of uniformly random tokens no model can learn), mixtures of
// corpora with weights, and a held-out split for reference models.
//
// What stays true in every transform:
// - validation is untouched: the same validation block ids with the same
//   tokens (a mixture takes its first dataset's validation blocks);
// - every block id of the source keeps its tokens; new blocks get new ids
//   after the source's, so statistics and `data.block(id)` stay meaningful;
// - choices are drawn from `seed` alone (the same call gives the same dataset);
// - `info.alterations` says, in words, what was changed.
// Duplicates share the source's tokens (a duplicated block costs one run
// record, no token copy); noise blocks live in one new token store.
import TensorCore

extension Dataset {
    /// `k` distinct entries of `ids` chosen uniformly from `seed`, ascending.
    static func choose(_ k: Int, of ids: [Int32], seed: UInt64) -> [Int32] {
        var pool = ids
        var rng = RandomGenerator(seed: seed ^ 0x2E61_3E00_0000_0001)
        pool.withUnsafeMutableBufferPointer { p in
            for i in 0..<k { p.swapAt(i, i + rng.nextInt(below: p.count - i)) }
        }
        return pool[0..<k].sorted()
    }

    private func with(alteration: String) -> Info {
        var i = info
        i.alterations.append(alteration)
        return i
    }

    private static func checkFraction(_ f: Double, op: String, below1: Bool) throws {
        guard f.isFinite, f >= 0, below1 ? f < 1 : f <= 1 else {
            throw DataError.invalidArgument(op: op, message: "fraction must be in [0, \(below1 ? "1)" : "1]"), got \(f)")
        }
    }

    // MARK: - Redundancy

    /// A copy in which `round(fraction * train blocks)` training blocks,
    /// chosen by `seed`, each appear `copies` more times (1 + copies in all).
    /// Returns the dataset and the chosen source block ids (ascending); the
    /// copies of source `s` (the i-th chosen) are the new ids
    /// `blockCount + i * copies ..< blockCount + (i + 1) * copies`, appended to the training ids.
    public func duplicating(fraction: Double, copies: Int, seed: UInt64 = 0) throws -> (data: Dataset, sources: [Int32]) {
        try Dataset.checkFraction(fraction, op: "duplicate", below1: false)
        guard copies >= 1, copies <= 1000 else {
            throw DataError.invalidArgument(op: "duplicate", message: "copies must be in 1...1000 (extra copies of each chosen block), got \(copies)")
        }
        let k = Int((fraction * Double(trainIDs.count)).rounded())
        guard blockCount + k * copies <= Int(Int32.max) else {
            throw DataError.invalidArgument(op: "duplicate", message: "\(blockCount + k * copies) blocks is more than the \(Int32.max) block ids supported")
        }
        let sources = Dataset.choose(k, of: trainIDs, seed: seed)
        var newRuns = runs
        newRuns.reserveCapacity(runs.count + k * copies)
        var added = [Int32]()
        added.reserveCapacity(k * copies)
        var next = blockCount
        for s in sources {
            let (store, start) = location(of: Int(s))
            for _ in 0..<copies {
                newRuns.append(BlockSpan(store: store, firstBlock: next, blocks: 1, startToken: start))
                added.append(Int32(next))
                next += 1
            }
        }
        let note = "\(k) of \(trainIDs.count) training blocks duplicated x\(copies) (+\(k * copies) blocks, seed \(seed))"
        let data = Dataset(deriving: self, stores: stores, runs: newRuns, trainIDs: trainIDs + added,
                           valIDs: valIDs, info: with(alteration: note))
        return (data, sources)
    }

    // MARK: - Noise

    /// A copy with blocks of uniformly random tokens (ids 0..<vocab, from
    /// `seed`) added so that they make up `fraction` of the training blocks:
    /// `round(fraction / (1 - fraction) * train blocks)` of them, new ids
    /// appended to the training ids (returned, ascending). Clean blocks all stay.
    public func addingNoise(fraction: Double, seed: UInt64 = 0) throws -> (data: Dataset, noise: [Int32]) {
        try Dataset.checkFraction(fraction, op: "noise", below1: true)
        let m = Int((fraction / (1 - fraction) * Double(trainIDs.count)).rounded())
        guard m > 0 else { return (Dataset(deriving: self, stores: stores, runs: runs, trainIDs: trainIDs, valIDs: valIDs,
                                           info: with(alteration: "no noise blocks (fraction \(fraction))")), []) }
        guard blockCount + m <= Int(Int32.max), m <= (Int.max / 2) / blockLength else {
            throw DataError.invalidArgument(op: "noise", message: "\(m) noise blocks is more than supported")
        }
        // One run of m blocks at the dataset's stride: (m - 1) * stride + blockLength tokens.
        let tokens = (m - 1) * blockStride + blockLength
        let builder = TokenStoreBuilder(width: TokenStore.width(forVocab: vocabSize), capacity: tokens)
        var rng = RandomGenerator(seed: seed ^ 0x4015_E000_0000_0002)
        for _ in 0..<tokens { builder.append(UInt32(rng.nextInt(below: vocabSize))) }
        let store = TokenStore(builder: builder)
        let first = blockCount
        let newRuns = runs + [BlockSpan(store: stores.count, firstBlock: first, blocks: m, startToken: 0)]
        let ids = (first..<first + m).map { Int32($0) }
        let note = "\(m) noise blocks of uniform random tokens added (\(fraction * 100)% of training, seed \(seed))"
        let data = Dataset(deriving: self, stores: stores + [store], runs: newRuns, trainIDs: trainIDs + ids,
                           valIDs: valIDs, info: with(alteration: note))
        return (data, ids)
    }

    // MARK: - Held-out split

    /// Splits the training blocks: `round(fraction * train blocks)` of them
    /// (chosen by `seed`, at least one when fraction > 0) become the training
    /// blocks of `heldOut`; `rest` trains on the others. Both keep every
    /// block id and this dataset's validation blocks, so a reference model
    /// trained on `heldOut` can score `rest`'s training blocks in
    /// `rest`'s order, and neither set touches validation.
    public func holdingOut(fraction: Double, seed: UInt64 = 0) throws -> (rest: Dataset, heldOut: Dataset) {
        try Dataset.checkFraction(fraction, op: "holdout", below1: true)
        guard fraction > 0 else { throw DataError.invalidArgument(op: "holdout", message: "fraction must be above 0") }
        let k = max(1, Int((fraction * Double(trainIDs.count)).rounded()))
        guard k < trainIDs.count else {
            throw DataError.invalidArgument(op: "holdout", message: "holding out \(k) of \(trainIDs.count) training blocks leaves none to train on")
        }
        let held = Dataset.choose(k, of: trainIDs, seed: seed)
        var isHeld = Set(held)
        let rest = trainIDs.filter { !isHeld.contains($0) }
        isHeld.removeAll()
        let restData = Dataset(deriving: self, stores: stores, runs: runs, trainIDs: rest, valIDs: valIDs,
                               info: with(alteration: "\(k) training blocks held out (seed \(seed))"))
        let heldData = Dataset(deriving: self, stores: stores, runs: runs, trainIDs: held, valIDs: valIDs,
                               info: with(alteration: "held-out split: \(k) of \(trainIDs.count) training blocks (seed \(seed))"))
        return (restData, heldData)
    }

    // MARK: - Mixtures

    /// The training blocks of several datasets mixed in proportion to
    /// `weights` (>= 0, not all 0): as many blocks as the scarcest part
    /// allows, `floor(w_j / sum(w) * total)` drawn without replacement from
    /// dataset j (by `seed`). All parts share context, stride and vocabulary.
    /// Validation is the first dataset's (it names the text the mixture is for).
    public static func mixing(_ parts: [Dataset], weights: [Double], seed: UInt64 = 0) throws -> Dataset {
        guard let first = parts.first else { throw DataError.invalidArgument(op: "mix", message: "needs at least one dataset") }
        guard weights.count == parts.count else {
            throw DataError.invalidArgument(op: "mix", message: "\(parts.count) datasets but \(weights.count) weights")
        }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }), weights.contains(where: { $0 > 0 }) else {
            throw DataError.invalidArgument(op: "mix", message: "weights must be finite, >= 0 and not all 0, got \(weights)")
        }
        for (j, p) in parts.enumerated().dropFirst() {
            if p.contextLength != first.contextLength || p.blockStride != first.blockStride || p.vocabSize != first.vocabSize {
                throw DataError.invalidArgument(
                    op: "mix", message: "dataset \(j) has context \(p.contextLength), stride \(p.blockStride), vocab \(p.vocabSize); dataset 0 has \(first.contextLength), \(first.blockStride), \(first.vocabSize)")
            }
            if let a = first.tokenizer, let b = p.tokenizer, "\(a.kind)" != "\(b.kind)" {
                throw DataError.invalidArgument(op: "mix", message: "dataset \(j) uses tokenizer \(b.kind), dataset 0 uses \(a.kind)")
            }
        }
        let total = weights.reduce(0, +)
        let shares = weights.map { $0 / total }
        // The largest total for which every part has enough training blocks.
        var size = Double.infinity
        for (p, s) in zip(parts, shares) where s > 0 { size = min(size, Double(p.trainIDs.count) / s) }
        var stores = [TokenStore](), runs = [BlockSpan](), train = [Int32](), notes = [String]()
        var blockBase = 0
        for (j, p) in parts.enumerated() {
            let take = min(p.trainIDs.count, Int((shares[j] * size + 1e-9).rounded(.down)))
            let chosen = Dataset.choose(take, of: p.trainIDs, seed: seed &+ UInt64(j))
            for r in p.runs {
                runs.append(BlockSpan(store: r.store + stores.count, firstBlock: r.firstBlock + blockBase,
                                      blocks: r.blocks, startToken: r.startToken))
            }
            train += chosen.map { $0 + Int32(blockBase) }
            notes.append("\(take) from \(p.info.source)")
            stores += p.stores
            blockBase += p.blockCount
            guard blockBase <= Int(Int32.max) else {
                throw DataError.invalidArgument(op: "mix", message: "\(blockBase) blocks is more than the \(Int32.max) block ids supported")
            }
        }
        var info = first.info
        info.source = "mix of " + parts.map(\.info.source).joined(separator: ", ")
        info.files = parts.reduce(0) { $0 + $1.info.files }
        info.bytes = parts.reduce(0) { $0 + $1.info.bytes }
        info.droppedTokens = parts.reduce(0) { $0 + $1.info.droppedTokens }
        info.alterations.append("mixture weights \(weights): training blocks " + notes.joined(separator: ", ")
                                + "; validation from \(first.info.source)")
        return Dataset(deriving: first, stores: stores, runs: runs, trainIDs: train.sorted(), valIDs: first.valIDs,
                       info: info, idsChecked: parts.allSatisfy(\.idsChecked))
    }

    /// One line per alteration for the dataset's summary ("" when none).
    public var alterationSummary: String {
        info.alterations.map { "  altered:   " + $0 }.joined(separator: "\n")
    }
}
