// Dataset: a token stream cut into blocks, with stable block ids and a
// train/validation split by whole blocks.
//
// Layout. Block `i` is one training sequence of `context + 1` tokens (inputs
// and shifted targets). Blocks are laid out in runs: a run is a stretch of
// one token store where blocks start every `blockStride` tokens (stride =
// context for streams, so consecutive blocks share one token and every
// token after the first is predicted exactly once per epoch; stride =
// context + 1 for a 2-d tensor of rows). A stream is one run; a separate
// validation corpus or val.bin is a second run; "within documents" makes
// one run per document. Block ids count through the runs in order and never
// change for a given input and context.
//
// The tail. A run of n tokens holds floor((n - 1) / stride) blocks; the last
// (n - 1) mod stride tokens (fewer than one block) are not trained on and
// are reported as `droppedTokens`. A document shorter than context + 1
// tokens contributes no block in "within documents" mode (also counted).
//
// Storage is the flat TokenStore (never one object per block); the only
// per-block arrays are the two id lists of the split (Int32 each).
import TensorCore

/// Which tokenizer a dataset made from a corpus uses.
public enum TokenizerSpec: @unchecked Sendable {
    /// One token per byte (vocab 256): the default.
    case bytes
    /// One token per character seen in the corpus (plus 256 byte tokens when `byteFallback`).
    case chars(byteFallback: Bool)
    /// Byte-level BPE trained on the corpus up to `vocab` ids.
    case bpe(vocab: Int)
    /// A tokenizer made or loaded before.
    case tokenizer(any Tokenizer)

    /// Parses "bytes", "chars", "bpe" (vocab 2048) or "bpe:N".
    public static func named(_ name: String) throws -> TokenizerSpec {
        switch name {
        case "bytes": return .bytes
        case "chars": return .chars(byteFallback: true)
        case "bpe": return .bpe(vocab: 2048)
        default:
            if name.hasPrefix("bpe:"), let v = Int(name.dropFirst(4)) { return .bpe(vocab: v) }
            throw DataError.invalidArgument(
                op: "tokenizer", message: "unknown tokenizer \"\(name)\" (expected \"bytes\", \"chars\", \"bpe\" or \"bpe:<vocab>\")")
        }
    }

    /// The tokenizer, trained on `corpus` where that applies.
    public func make(trainingOn corpus: Corpus) throws -> any Tokenizer {
        switch self {
        case .bytes: return ByteTokenizer()
        case let .chars(fallback): return try CharTokenizer(training: corpus, byteFallback: fallback)
        case let .bpe(vocab): return try BPETokenizer(training: corpus, vocab: vocab)
        case let .tokenizer(t): return t
        }
    }
}

/// Token blocks for training and validation (see the file header).
public final class Dataset: @unchecked Sendable {
    /// Blocks `firstBlock ..< firstBlock + blocks` start in `stores[store]`
    /// at `startToken + k * blockStride`.
    struct BlockSpan {
        var store: Int
        var firstBlock: Int
        var blocks: Int
        var startToken: Int
    }

    /// Where a dataset came from, for its summary.
    public struct Info: Sendable {
        public var source: String
        public var files: Int
        public var bytes: Int
        /// "none", "fraction", "corpus" (separate validation corpus) or "file" (val.bin).
        public var split: String
        public var valFraction: Double
        public var seed: UInt64
        public var withinDocuments: Bool
        /// Tokens not covered by any block (run tails, short documents).
        public var droppedTokens: Int
        /// What regime transforms changed, in order ("12 blocks duplicated x2", ...; see Regimes.swift).
        public var alterations: [String] = []
    }

    /// The token arrays (one, or two when train and validation come from separate files).
    public let stores: [TokenStore]
    let runs: [BlockSpan]
    /// Tokens of input per block; a block holds `contextLength + 1` tokens.
    public let contextLength: Int
    /// Tokens between the starts of consecutive blocks of a run.
    public let blockStride: Int
    /// Number of blocks (ids 0..<blockCount).
    public let blockCount: Int
    /// Number of distinct token ids.
    public let vocabSize: Int
    /// The tokenizer (nil for datasets made from tensors or bare .bin files).
    public let tokenizer: (any Tokenizer)?
    /// Ids of the training blocks, ascending.
    public let trainIDs: [Int32]
    /// Ids of the validation blocks, ascending (empty when there is no split).
    public let valIDs: [Int32]
    public let info: Info
    /// True once every id is known to be below `vocabSize` (false for maps
    /// opened without a scan: batches are then checked as they are filled).
    let idsChecked: Bool

    /// Tokens per block (`contextLength + 1`).
    public var blockLength: Int { contextLength + 1 }
    /// Total tokens in the stores.
    public var tokenCount: Int { stores.reduce(0) { $0 + $1.count } }

    init(stores: [TokenStore], runs: [BlockSpan], context: Int, stride: Int, vocab: Int,
         tokenizer: (any Tokenizer)?, valRuns: Set<Int>?, valFraction: Double, seed: UInt64,
         info: Info, idsChecked: Bool, what: String) throws {
        let total = runs.reduce(0) { $0 + $1.blocks }
        if total == 0 {
            throw DataError.corpusTooShort(tokens: stores.reduce(0) { $0 + $1.count }, context: context, what: what)
        }
        guard total <= Int(Int32.max) else {
            throw DataError.invalidArgument(op: "dataset", message: "\(total) blocks is more than the \(Int32.max) block ids supported")
        }
        self.stores = stores
        self.runs = runs
        self.contextLength = context
        self.blockStride = stride
        self.blockCount = total
        self.vocabSize = vocab
        self.tokenizer = tokenizer
        self.idsChecked = idsChecked
        var info = info
        if let valRuns {
            // Split by runs: the validation corpus or val.bin.
            var train = [Int32](), val = [Int32]()
            for (r, run) in runs.enumerated() {
                let ids = (run.firstBlock..<run.firstBlock + run.blocks).map { Int32($0) }
                if valRuns.contains(r) { val += ids } else { train += ids }
            }
            if train.isEmpty { throw DataError.corpusTooShort(tokens: stores[0].count, context: context, what: "the training data") }
            if val.isEmpty { throw DataError.corpusTooShort(tokens: stores.count > 1 ? stores[1].count : 0, context: context, what: "the validation data") }
            trainIDs = train
            valIDs = val
        } else {
            (trainIDs, valIDs) = try Dataset.split(blocks: total, fraction: valFraction, seed: seed)
            info.split = valFraction > 0 ? "fraction" : "none"
        }
        info.valFraction = valRuns == nil ? valFraction : Double(valIDs.count) / Double(total)
        info.seed = seed
        self.info = info
    }

    /// A dataset derived from `base` with the given stores, runs and split
    /// (the regime transforms of Regimes.swift); the caller keeps ids in range.
    init(deriving base: Dataset, stores: [TokenStore], runs: [BlockSpan], trainIDs: [Int32], valIDs: [Int32], info: Info,
         idsChecked: Bool? = nil) {
        self.stores = stores
        self.runs = runs
        contextLength = base.contextLength
        blockStride = base.blockStride
        blockCount = runs.reduce(0) { $0 + $1.blocks }
        vocabSize = base.vocabSize
        tokenizer = base.tokenizer
        self.idsChecked = idsChecked ?? base.idsChecked
        self.trainIDs = trainIDs
        self.valIDs = valIDs
        self.info = info
    }

    /// The largest context accepted (far beyond any model; keeps arithmetic
    /// on block sizes from overflowing).
    public static let maxContext = 1 << 30

    static func checkContext(_ context: Int) throws {
        guard context > 0, context <= maxContext else { throw DataError.invalidContext(context) }
    }

    /// Chooses `round(fraction * blocks)` validation blocks (at least one
    /// when fraction > 0) uniformly at random from `seed`.
    static func split(blocks n: Int, fraction: Double, seed: UInt64) throws -> ([Int32], [Int32]) {
        guard fraction >= 0, fraction < 1, fraction.isFinite else {
            throw DataError.invalidArgument(op: "dataset", message: "val must be a fraction in [0, 1), got \(fraction)")
        }
        if fraction == 0 { return ((0..<n).map { Int32($0) }, []) }
        let nVal = max(1, Int((fraction * Double(n)).rounded()))
        guard nVal < n else {
            throw DataError.invalidArgument(
                op: "dataset", message: "val \(fraction) of \(n) block(s) leaves no training block; use more data, a smaller context or a smaller val")
        }
        // Partial Fisher-Yates: the first nVal entries become the validation set.
        var rng = RandomGenerator(seed: seed ^ 0x5EED_5B17_0000_0000)
        var ids = (0..<n).map { Int32($0) }
        var isVal = [Bool](repeating: false, count: n)
        ids.withUnsafeMutableBufferPointer { p in
            for i in 0..<nVal {
                let j = i + rng.nextInt(below: n - i)
                p.swapAt(i, j)
                isVal[Int(p[i])] = true
            }
        }
        var train = [Int32](), val = [Int32]()
        train.reserveCapacity(n - nVal)
        val.reserveCapacity(nVal)
        for i in 0..<n { if isVal[i] { val.append(Int32(i)) } else { train.append(Int32(i)) } }
        return (train, val)
    }

    // MARK: - Making datasets

    /// Tokenizes a corpus and cuts it into blocks.
    /// - Parameters:
    ///   - tokenizer: how to tokenize (a BPE or chars tokenizer is trained on `corpus`).
    ///   - context: input tokens per block (> 0).
    ///   - val: fraction of blocks held out for validation, chosen by `seed` (0: no split).
    ///     Ignored when `valCorpus` is given.
    ///   - valCorpus: a separate validation corpus (tokenized with the same tokenizer).
    ///   - withinDocuments: start blocks at each document's start and never let a block cross into the next document.
    public convenience init(corpus: Corpus, tokenizer spec: TokenizerSpec = .bytes, context: Int,
                            val: Double = 0.1, seed: UInt64 = 0, valCorpus: Corpus? = nil,
                            withinDocuments: Bool = false) throws {
        try Dataset.checkContext(context)
        if valCorpus == nil, !(val >= 0 && val < 1) {
            throw DataError.invalidArgument(op: "dataset", message: "val must be a fraction in [0, 1), got \(val)")
        }
        let tok = try spec.make(trainingOn: corpus)
        let vocab = tok.vocabSize
        let builder = TokenStoreBuilder(width: TokenStore.width(forVocab: vocab),
                                        capacity: corpus.byteCount + (valCorpus?.byteCount ?? 0))
        var docRanges = [Range<Int>]()         // token range of each document
        let parts = [corpus] + (valCorpus.map { [$0] } ?? [])
        var partEnds = [Int]()
        for part in parts {
            try part.bytes.withUnsafeBufferPointer { all in
                try Dataset.encodeDocuments(part.documents, of: all, with: tok) { ids in
                    let start = builder.count
                    builder.append(ids)
                    docRanges.append(start..<builder.count)
                }
            }
            partEnds.append(builder.count)
        }
        let store = TokenStore(builder: builder)
        // Runs: per document, or per part (train corpus, validation corpus).
        var runs = [BlockSpan]()
        var dropped = 0
        var valRuns = Set<Int>()
        var next = 0
        func addRun(_ range: Range<Int>, isVal: Bool) {
            let blocks = range.count > 0 ? (range.count - 1) / context : 0
            dropped += range.count - blocks * context - (blocks > 0 ? 1 : 0)
            if blocks == 0 { return }
            if isVal { valRuns.insert(runs.count) }
            runs.append(BlockSpan(store: 0, firstBlock: next, blocks: blocks, startToken: range.lowerBound))
            next += blocks
        }
        let trainDocs = corpus.documents.count
        if withinDocuments {
            for (d, r) in docRanges.enumerated() { addRun(r, isVal: d >= trainDocs) }
        } else {
            addRun(0..<partEnds[0], isVal: false)
            if partEnds.count > 1 { addRun(partEnds[0]..<partEnds[1], isVal: true) }
        }
        if valCorpus != nil {
            let trainBlocks = runs.enumerated().filter { !valRuns.contains($0.offset) }.reduce(0) { $0 + $1.element.blocks }
            if trainBlocks == 0 { throw DataError.corpusTooShort(tokens: partEnds[0], context: context, what: "corpus \(corpus.source)") }
            if valRuns.isEmpty {
                throw DataError.corpusTooShort(tokens: partEnds[1] - partEnds[0], context: context,
                                               what: "validation corpus \(valCorpus!.source)")
            }
        }
        let files = parts.reduce(0) { $0 + $1.documents.count }
        let bytes = parts.reduce(0) { $0 + $1.byteCount }
        let source = corpus.source + (valCorpus.map { " + val \($0.source)" } ?? "")
        let info = Info(source: source, files: files, bytes: bytes, split: valCorpus == nil ? "none" : "corpus",
                        valFraction: val, seed: seed, withinDocuments: withinDocuments, droppedTokens: dropped)
        try self.init(stores: [store], runs: runs, context: context, stride: context, vocab: vocab,
                      tokenizer: tok, valRuns: valCorpus == nil ? nil : valRuns, valFraction: valCorpus == nil ? val : 0,
                      seed: seed, info: info, idsChecked: true, what: "corpus \(corpus.source)")
    }

    /// Encodes documents in order, handing each one's ids to `sink`. Groups of
    /// documents (up to 32 MB of text) are encoded in parallel, one document
    /// per worker at a time; the sink sees them in document order.
    static func encodeDocuments(_ docs: [Corpus.Document], of all: UnsafeBufferPointer<UInt8>,
                                with tok: any Tokenizer,
                                _ sink: (UnsafeBufferPointer<UInt32>) -> Void) throws {
        var first = 0
        while first < docs.count {
            var last = first + 1
            var bytes = docs[first].range.count
            while last < docs.count && bytes + docs[last].range.count <= 32 << 20 {
                bytes += docs[last].range.count
                last += 1
            }
            let group = docs[first..<last]
            var results = [[UInt32]](repeating: [], count: group.count)
            var failures = [DataError?](repeating: nil, count: group.count)
            results.withUnsafeMutableBufferPointer { res in
                failures.withUnsafeMutableBufferPointer { fail in
                    Parallel.forEachChunk(group.count, grain: 1) { range in
                        for k in range {
                            let doc = group[group.startIndex + k]
                            do {
                                try tok.encode(UnsafeBufferPointer(rebasing: all[doc.range]), into: &res[k])
                            } catch let e as DataError {
                                fail[k] = e
                            } catch {
                                fail[k] = .invalidArgument(op: "tokenize", message: "\(error)")
                            }
                        }
                    }
                }
            }
            if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
            for r in results { r.withUnsafeBufferPointer(sink) }
            first = last
        }
    }

    /// A dataset from an in-memory tensor of token ids: 1-d is a stream cut
    /// into blocks (stride `context`); 2-d `[N, context + 1]` is N blocks.
    /// Every element must be a whole number in 0..<vocab; `vocab` defaults to
    /// the largest id + 1.
    public convenience init(tokens: Tensor, context: Int? = nil, val: Double = 0, seed: UInt64 = 0,
                            vocab: Int? = nil, tokenizer: (any Tokenizer)? = nil) throws {
        let ctx: Int
        let stride: Int
        switch tokens.rank {
        case 1:
            guard let c = context else {
                throw DataError.invalidArgument(op: "dataset", message: "a 1-d token tensor needs context:")
            }
            ctx = c
            stride = c
        case 2:
            let c = tokens.shape[1] - 1
            if let given = context, given != c {
                throw DataError.invalidArgument(
                    op: "dataset", message: "a 2-d token tensor of shape \(tokens.shape) holds blocks of context \(c), not \(given)")
            }
            ctx = c
            stride = c + 1
        default:
            throw DataError.invalidArgument(
                op: "dataset", message: "token tensor must be 1-d (a stream) or 2-d [N, context + 1], got shape \(tokens.shape)")
        }
        try Dataset.checkContext(ctx)
        let effectiveVocab = vocab ?? tokenizer?.vocabSize
        if let v = effectiveVocab, v <= 0 {
            throw DataError.invalidArgument(op: "dataset", message: "vocab must be positive, got \(v)")
        }
        // Check every element, find the largest id.
        var largest = -1
        let n = tokens.count
        var ids = [UInt32](repeating: 0, count: n)
        try tokens.withUnsafeBufferPointer { src in
            try ids.withUnsafeMutableBufferPointer { dst in
                for k in 0..<n {
                    let x = src[k]
                    guard x >= 0, x < 4_294_967_296, x == x.rounded(.towardZero) else {
                        throw DataError.invalidArgument(op: "dataset", message: "token tensor element \(k) is \(x), not a token id (a whole number >= 0)")
                    }
                    let id = Int(x)
                    if let v = effectiveVocab, id >= v {
                        throw DataError.tokenOutOfVocab(token: id, vocab: v, location: "token tensor element \(k)")
                    }
                    largest = max(largest, id)
                    dst[k] = UInt32(id)
                }
            }
        }
        let v = effectiveVocab ?? max(largest + 1, 1)
        let builder = TokenStoreBuilder(width: TokenStore.width(forVocab: v), capacity: n)
        ids.withUnsafeBufferPointer { builder.append($0) }
        let store = TokenStore(builder: builder)
        let blocks = tokens.rank == 2 ? tokens.shape[0] : (n > 0 ? (n - 1) / ctx : 0)
        let dropped = tokens.rank == 2 ? 0 : n - (blocks > 0 ? blocks * ctx + 1 : 0)
        let runs = blocks > 0 ? [BlockSpan(store: 0, firstBlock: 0, blocks: blocks, startToken: 0)] : []
        let info = Info(source: "tensor \(tokens.shape)", files: 0, bytes: 0, split: "none", valFraction: val,
                        seed: seed, withinDocuments: false, droppedTokens: dropped)
        try self.init(stores: [store], runs: runs, context: ctx, stride: stride, vocab: v, tokenizer: tokenizer,
                      valRuns: nil, valFraction: val, seed: seed, info: info, idsChecked: true,
                      what: "token tensor of shape \(tokens.shape)")
    }

    /// Memory-maps nanoGPT token files: `train` (and `val`, a separate split)
    /// are flat little-endian uint16. Opening reads nothing: when `vocab` (or
    /// a tokenizer) is given, ids are checked batch by batch as they are
    /// filled; without either, the files are scanned once for the largest id.
    public convenience init(trainBin: String, valBin: String? = nil, context: Int, vocab: Int? = nil,
                            tokenizer: (any Tokenizer)? = nil) throws {
        try Dataset.checkContext(context)
        var stores = [try TokenStore(mappingBin: trainBin)]
        if let valBin { stores.append(try TokenStore(mappingBin: valBin)) }
        for (s, path) in zip(stores, [trainBin] + (valBin.map { [$0] } ?? [])) where s.count == 0 {
            throw DataError.emptyCorpus(path: path)
        }
        var v = vocab ?? tokenizer?.vocabSize
        var checked = false
        if let given = v {
            guard given > 0, given <= 65_536 else {
                throw DataError.invalidArgument(op: "dataset", message: "a uint16 .bin file holds vocabularies of 1...65536 ids, got \(given)")
            }
        } else {
            v = Int(stores.map { $0.maxID(in: 0..<$0.count) }.max() ?? 0) + 1
            checked = true
        }
        var runs = [BlockSpan]()
        var dropped = 0
        var next = 0
        for (i, s) in stores.enumerated() {
            let blocks = (s.count - 1) / context
            dropped += s.count - (blocks > 0 ? blocks * context + 1 : 0)
            if blocks > 0 {
                runs.append(BlockSpan(store: i, firstBlock: next, blocks: blocks, startToken: 0))
                next += blocks
            } else if i == 0 {
                throw DataError.corpusTooShort(tokens: s.count, context: context, what: trainBin)
            } else {
                throw DataError.corpusTooShort(tokens: s.count, context: context, what: valBin ?? "val.bin")
            }
        }
        let info = Info(source: trainBin + (valBin.map { " + \($0)" } ?? ""), files: stores.count,
                        bytes: stores.reduce(0) { $0 + 2 * $1.count }, split: valBin == nil ? "none" : "file",
                        valFraction: 0, seed: 0, withinDocuments: false, droppedTokens: dropped)
        try self.init(stores: stores, runs: runs, context: context, stride: context, vocab: v!, tokenizer: tokenizer,
                      valRuns: valBin == nil ? nil : [1], valFraction: 0, seed: 0, info: info,
                      idsChecked: checked, what: trainBin)
    }

    // MARK: - Blocks

    /// The store and first token of block `id` (0 <= id < blockCount).
    @inline(__always)
    func location(of id: Int) -> (store: Int, start: Int) {
        var lo = 0, hi = runs.count - 1
        while lo < hi {                      // last run with firstBlock <= id
            let mid = (lo + hi + 1) / 2
            if runs[mid].firstBlock <= id { lo = mid } else { hi = mid - 1 }
        }
        let r = runs[lo]
        return (r.store, r.startToken + (id - r.firstBlock) * blockStride)
    }

    private func checkID(_ id: Int, op: String) throws {
        guard id >= 0, id < blockCount else {
            throw DataError.invalidArgument(op: op, message: "block id \(id) is outside 0..<\(blockCount)")
        }
    }

    /// Writes the `contextLength + 1` tokens of each block in `blockIDs`, one
    /// block after another, to `dst` (which holds `blockIDs.count * blockLength`).
    public func fillBatch(blockIDs: UnsafeBufferPointer<Int32>, into dst: UnsafeMutablePointer<Int32>) throws {
        let L = blockLength
        for (b, raw) in blockIDs.enumerated() {
            let id = Int(raw)
            try checkID(id, op: "fillBatch")
            let (s, start) = location(of: id)
            let largest = stores[s].copy(from: start, count: L, to: dst + b * L)
            if !idsChecked && Int(largest) >= vocabSize {
                throw DataError.tokenOutOfVocab(token: Int(largest), vocab: vocabSize,
                                                location: "block \(id) (\(stores[s].path ?? "tokens"))")
            }
        }
    }

    /// `fillBatch` for an array of ids.
    public func fillBatch(blockIDs: [Int32], into dst: UnsafeMutablePointer<Int32>) throws {
        try blockIDs.withUnsafeBufferPointer { try fillBatch(blockIDs: $0, into: dst) }
    }

    /// The token ids of one block.
    public func block(_ id: Int) throws -> [Int] {
        try checkID(id, op: "block")
        var out = [Int32](repeating: 0, count: blockLength)
        try out.withUnsafeMutableBufferPointer { p in
            try fillBatch(blockIDs: [Int32(id)], into: p.baseAddress!)
        }
        return out.map { Int($0) }
    }

    /// One block as a 1-d Float tensor of `contextLength + 1` ids.
    public func blockTensor(_ id: Int) throws -> Tensor {
        let ids = try block(id)
        return try Tensor(shape: [ids.count], values: ids.map { Float($0) })
    }

    /// A batch as a `[B, contextLength + 1]` Float tensor of ids.
    public func batchTensor(_ blockIDs: [Int32]) throws -> Tensor {
        var buf = [Int32](repeating: 0, count: blockIDs.count * blockLength)
        try buf.withUnsafeMutableBufferPointer { try fillBatch(blockIDs: blockIDs, into: $0.baseAddress!) }
        return try Tensor(shape: [blockIDs.count, blockLength], values: buf.map { Float($0) })
    }

    /// Scans every token once and throws if one is outside the vocabulary.
    public func validateTokens() throws {
        for s in stores {
            let m = s.maxID(in: 0..<s.count)
            if s.count > 0 && Int(m) >= vocabSize {
                var at = 0
                while Int(s[at]) < vocabSize { at += 1 }
                throw DataError.tokenOutOfVocab(token: Int(m), vocab: vocabSize, location: "\(s.path ?? "tokens") at token \(at)")
            }
        }
    }

    // MARK: - Text

    private func requireTokenizer(_ op: String) throws -> any Tokenizer {
        guard let tokenizer else {
            throw DataError.invalidArgument(op: op, message: "this dataset was made from token ids and has no tokenizer")
        }
        return tokenizer
    }

    /// Token ids of a text, with the dataset's tokenizer.
    public func encode(_ text: String) throws -> [Int] { try requireTokenizer("encode").encode(text) }

    /// Text of token ids, with the dataset's tokenizer.
    public func decode<S: Sequence>(_ ids: S) throws -> String where S.Element: BinaryInteger {
        try requireTokenizer("decode").decode(ids)
    }

    /// Text of a tensor of token ids (any shape, read in row-major order).
    public func decode(tensor: Tensor) throws -> String {
        var ids = [Int]()
        ids.reserveCapacity(tensor.count)
        for (k, x) in tensor.toArray().enumerated() {
            guard x >= 0, x < Float(vocabSize), x == x.rounded(.towardZero) else {
                throw DataError.tokenOutOfVocab(token: x.isFinite && abs(x) < 1e15 ? Int(x) : -1, vocab: vocabSize, location: "decode (element \(k) is \(x))")
            }
            ids.append(Int(x))
        }
        return try decode(ids)
    }

    /// Token ids of a text as a 1-d Float tensor.
    public func encodeTensor(_ text: String) throws -> Tensor {
        let ids = try encode(text)
        return try Tensor(shape: [ids.count], values: ids.map { Float($0) })
    }
}
