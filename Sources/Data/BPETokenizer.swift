// BPETokenizer: byte-level byte-pair encoding, trained on a corpus.
//
// Ids 0..<256 are the bytes; merge i (in training order) makes id 256 + i
// from a pair of earlier ids. Any byte string encodes (bytes are the
// fallback), and decoding concatenates each id's bytes, so
// decode(encode(x)) == x for every input.
//
// Pre-tokenizer "lfr-v1" (same for training and encoding; merges never
// cross a chunk boundary). Bytes are classed as letters (A-Z, a-z and every
// byte >= 0x80, so UTF-8 characters stay inside words), digits, spaces
// (space, \t, \n, \v, \f, \r) and other. A chunk is a run of one class; a
// single space joins the letter, digit or other run that follows it; a run
// of spaces followed by a non-space leaves its last space (if it is ' ') to
// the next chunk. Chunks longer than `maxChunk` bytes are cut.
//
// Training (deterministic): count distinct chunks; keep pair counts, the
// chunks each pair occurs in, and a max-heap of (count, pair) with lazy
// deletion; repeatedly merge the most frequent pair (ties: the smaller
// pair (a, b)), touching only the chunks that contain it. Training stops at
// the requested vocabulary or when no pair occurs twice.
//
// Encoding: per chunk, repeatedly merge the adjacent pair with the lowest
// merge index (which reproduces training's order); results are cached per
// distinct chunk within one encode call.
import TensorCore

/// Byte-level BPE (see the file header).
public final class BPETokenizer: Tokenizer {
    public static let pretokenizerName = "lfr-v1"
    public static let defaultMaxChunk = 128

    public let kind = "bpe"
    /// Merges in order: merge i makes id 256 + i.
    public let merges: [(UInt32, UInt32)]
    public let maxChunk: Int
    public let table: TokenTable
    public var vocabSize: Int { 256 + merges.count }
    /// Pair key (a << 32 | b) -> merge index.
    private let ranks: [UInt64: UInt32]

    /// A tokenizer from known merges (checked: each pair uses earlier ids).
    public init(merges: [(UInt32, UInt32)], maxChunk: Int = BPETokenizer.defaultMaxChunk,
                path: String = "bpe") throws {
        guard maxChunk >= 2 else {
            throw DataError.format(path: path, message: "maxChunk must be at least 2, got \(maxChunk)")
        }
        var t = TokenTable()
        for b in 0..<256 { t.append(CollectionOfOne(UInt8(b))) }
        var r = [UInt64: UInt32]()
        r.reserveCapacity(merges.count)
        for (i, (a, b)) in merges.enumerated() {
            let limit = UInt32(256 + i)
            guard a < limit, b < limit else {
                throw DataError.format(path: path, message: "merge \(i) uses id \(max(a, b)), which is not defined before it")
            }
            let key = UInt64(a) << 32 | UInt64(b)
            guard r[key] == nil else {
                throw DataError.format(path: path, message: "merge \(i) repeats the pair (\(a), \(b))")
            }
            r[key] = UInt32(i)
            t.append(Array(t.piece(Int(a))) + Array(t.piece(Int(b))))
        }
        self.merges = merges
        self.maxChunk = maxChunk
        self.table = t
        self.ranks = r
    }

    /// Trains on a corpus up to `vocab` ids (>= 256).
    public convenience init(training corpus: Corpus, vocab: Int, maxChunk: Int = BPETokenizer.defaultMaxChunk) throws {
        guard vocab >= 256 else {
            throw DataError.invalidArgument(op: "bpe", message: "vocab must be at least 256 (the byte ids), got \(vocab)")
        }
        guard vocab <= 1 << 24 else {
            throw DataError.invalidArgument(op: "bpe", message: "vocab \(vocab) is too large (at most \(1 << 24))")
        }
        let merges = try BPETrainer.train(corpus: corpus, merges: vocab - 256, maxChunk: max(2, maxChunk))
        try self.init(merges: merges, maxChunk: max(2, maxChunk))
    }

    public var file: TokenizerFile {
        TokenizerFile(kind: kind, merges: merges.map { [$0.0, $0.1] },
                      pretokenizer: BPETokenizer.pretokenizerName, maxChunk: maxChunk)
    }

    public func encode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt32]) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var cache = ChunkTable(capacity: 4096)
        var cacheStart = [Int](), cacheLength = [Int32]()
        var cacheTokens = [UInt32]()
        var work = [UInt32]()
        var chunks = 0
        var failure: Error?
        Pretokenizer.forEachChunk(bytes, maxChunk: maxChunk) { start, length in
            chunks += 1
            if chunks & 0xFFFF == 1 && StopCheck.requested {
                failure = DataError.interrupted(op: "tokenize (bpe)")
                return false
            }
            let p = base + start
            let (e, inserted) = cache.index(of: p, count: length)
            if inserted {
                encodeChunk(p, length, into: &work)
                cacheStart.append(cacheTokens.count)
                cacheLength.append(Int32(work.count))
                cacheTokens.append(contentsOf: work)
            }
            let s = cacheStart[e]
            out.append(contentsOf: cacheTokens[s..<s + Int(cacheLength[e])])
            return true
        }
        if let failure { throw failure }
    }

    /// Merges one chunk's bytes by lowest merge index first (the reference
    /// semantics of BPE); `work` receives the ids.
    func encodeChunk(_ p: UnsafePointer<UInt8>, _ n: Int, into work: inout [UInt32]) {
        work.removeAll(keepingCapacity: true)
        for k in 0..<n { work.append(UInt32(p[k])) }
        if ranks.isEmpty { return }
        while work.count > 1 {
            var best = UInt32.max
            var bestAt = -1
            for k in 0..<(work.count - 1) {
                if let r = ranks[UInt64(work[k]) << 32 | UInt64(work[k + 1])], r < best {
                    best = r
                    bestAt = k
                }
            }
            if bestAt < 0 { break }
            let (a, b) = merges[Int(best)]
            let merged = 256 + best
            var w = bestAt, r = bestAt
            while r < work.count {
                if r + 1 < work.count && work[r] == a && work[r + 1] == b {
                    work[w] = merged
                    r += 2
                } else {
                    work[w] = work[r]
                    r += 1
                }
                w += 1
            }
            work.removeLast(work.count - w)
        }
    }
}

// MARK: - Pre-tokenizer

enum Pretokenizer {
    /// 0 letter, 1 digit, 2 space, 3 other.
    static let classes: [UInt8] = (0..<256).map { b -> UInt8 in
        switch b {
        case 0x41...0x5A, 0x61...0x7A, 0x80...0xFF: return 0
        case 0x30...0x39: return 1
        case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: return 2
        default: return 3
        }
    }

    /// Calls `body(start, length)` for each chunk in order; stops early when
    /// `body` returns false. The chunks tile the input.
    @inline(__always)
    static func forEachChunk(_ bytes: UnsafeBufferPointer<UInt8>, maxChunk: Int,
                             _ body: (Int, Int) -> Bool) {
        let n = bytes.count
        classes.withUnsafeBufferPointer { cls in
            var i = 0
            while i < n {
                let b = bytes[i]
                let c = cls[Int(b)]
                var j = i + 1
                if c == 2 {
                    if b == 0x20 && j < n && cls[Int(bytes[j])] != 2 {
                        // " word": the space joins the run after it.
                        let c2 = cls[Int(bytes[j])]
                        j += 1
                        while j < n && cls[Int(bytes[j])] == c2 { j += 1 }
                    } else {
                        while j < n && cls[Int(bytes[j])] == 2 { j += 1 }
                        // Leave a final ' ' to the word that follows.
                        if j < n && j - i >= 2 && bytes[j - 1] == 0x20 { j -= 1 }
                    }
                } else {
                    while j < n && cls[Int(bytes[j])] == c { j += 1 }
                }
                let end = min(j, i + maxChunk)
                if !body(i, end - i) { return }
                i = end
            }
        }
    }
}

// MARK: - Training

enum BPETrainer {
    /// A heap entry: higher count first, then the smaller pair key.
    struct Entry {
        var count: Int
        var pair: UInt64
        @inline(__always) func before(_ o: Entry) -> Bool {
            count != o.count ? count > o.count : pair < o.pair
        }
    }

    struct Heap {
        var items: [Entry] = []
        mutating func push(_ e: Entry) {
            items.append(e)
            var i = items.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                if !items[i].before(items[parent]) { break }
                items.swapAt(i, parent)
                i = parent
            }
        }
        mutating func pop() -> Entry? {
            guard let top = items.first else { return nil }
            let last = items.removeLast()
            if !items.isEmpty {
                items[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < items.count && items[l].before(items[m]) { m = l }
                    if r < items.count && items[r].before(items[m]) { m = r }
                    if m == i { break }
                    items.swapAt(i, m)
                    i = m
                }
            }
            return top
        }
    }

    /// The merges BPE training makes on `corpus` (at most `merges` of them).
    static func train(corpus: Corpus, merges wanted: Int, maxChunk: Int) throws -> [(UInt32, UInt32)] {
        // 1. Distinct chunks with counts (per document: chunks never span two).
        var table = ChunkTable(capacity: 1 << 16)
        var counts = [Int]()
        var interrupted = false
        var seen = 0
        corpus.bytes.withUnsafeBufferPointer { all in
            for doc in corpus.documents where !interrupted {
                let part = UnsafeBufferPointer(rebasing: all[doc.range])
                guard let base = part.baseAddress else { continue }
                Pretokenizer.forEachChunk(part, maxChunk: maxChunk) { start, length in
                    seen += 1
                    if seen & 0xFFFF == 1 && StopCheck.requested { interrupted = true; return false }
                    let (e, inserted) = table.index(of: base + start, count: length)
                    if inserted { counts.append(0) }
                    counts[e] += 1
                    return true
                }
            }
        }
        if interrupted { throw DataError.interrupted(op: "bpe training") }

        // 2. Words as symbol lists; pair counts and where each pair occurs.
        var words = [[UInt32]]()
        words.reserveCapacity(table.count)
        for e in 0..<table.count { words.append(table.key(e).map { UInt32($0) }) }
        var pairCount = [UInt64: Int]()
        var pairWords = [UInt64: [Int32]]()
        for (w, word) in words.enumerated() where word.count > 1 {
            for k in 0..<(word.count - 1) {
                let key = UInt64(word[k]) << 32 | UInt64(word[k + 1])
                pairCount[key, default: 0] += counts[w]
                if pairWords[key]?.last != Int32(w) { pairWords[key, default: []].append(Int32(w)) }
            }
        }
        var heap = Heap()
        heap.items.reserveCapacity(pairCount.count * 2)
        for (key, c) in pairCount { heap.push(Entry(count: c, pair: key)) }

        // 3. Merge the most frequent pair until done.
        var result = [(UInt32, UInt32)]()
        result.reserveCapacity(wanted)
        var fresh = [UInt64]()
        while result.count < wanted {
            if result.count & 63 == 0 && StopCheck.requested { throw DataError.interrupted(op: "bpe training") }
            guard let top = heap.pop() else { break }
            let current = pairCount[top.pair] ?? 0
            if current != top.count {
                if current > 0 && current < top.count { heap.push(Entry(count: current, pair: top.pair)) }
                continue
            }
            if current < 2 { break }
            let a = UInt32(truncatingIfNeeded: top.pair >> 32), b = UInt32(truncatingIfNeeded: top.pair)
            let newID = UInt32(256 + result.count)
            result.append((a, b))
            let affected = pairWords.removeValue(forKey: top.pair) ?? []
            fresh.removeAll(keepingCapacity: true)
            for w32 in affected {
                let w = Int(w32)
                let c = counts[w]
                var word = words[w]
                // Does the word still hold the pair?
                var holds = false
                for k in 0..<max(0, word.count - 1) where word[k] == a && word[k + 1] == b { holds = true; break }
                if !holds { continue }
                for k in 0..<(word.count - 1) {
                    let key = UInt64(word[k]) << 32 | UInt64(word[k + 1])
                    pairCount[key, default: 0] -= c
                }
                var out = 0, r = 0
                while r < word.count {
                    if r + 1 < word.count && word[r] == a && word[r + 1] == b {
                        word[out] = newID; r += 2
                    } else {
                        word[out] = word[r]; r += 1
                    }
                    out += 1
                }
                word.removeLast(word.count - out)
                if word.count > 1 {
                    for k in 0..<(word.count - 1) {
                        let key = UInt64(word[k]) << 32 | UInt64(word[k + 1])
                        pairCount[key, default: 0] += c
                        if word[k] == newID || word[k + 1] == newID {
                            if pairWords[key]?.last != w32 { pairWords[key, default: []].append(w32) }
                            fresh.append(key)
                        }
                    }
                }
                words[w] = word
            }
            pairCount[top.pair] = 0
            // New pairs (those holding newID) only ever grew: push their counts.
            fresh.sort()
            var last: UInt64? = nil
            for key in fresh where key != last {
                last = key
                if let c = pairCount[key], c > 0 { heap.push(Entry(count: c, pair: key)) }
            }
        }
        return result
    }
}
