// Tokenizer: the one protocol every tokenizer follows, the table that maps
// ids back to bytes, and the JSON file format tokenizers save to.
//
// What stays true: ids are 0..<vocabSize; every id has a byte string in
// `table`, so decoding is the same concatenation for every tokenizer; for
// any input bytes, decode(encode(bytes)) == bytes (the chars tokenizer
// without byte fallback is the one exception: it throws on what it cannot
// represent rather than lose it). Encoding appends UInt32 ids; datasets
// narrow them to UInt16 when the vocabulary fits.
import Foundation
import TensorCore

/// Turns bytes into token ids and back.
public protocol Tokenizer: AnyObject, Sendable {
    /// "bytes", "chars" or "bpe".
    var kind: String { get }
    /// Number of distinct ids (ids are 0..<vocabSize).
    var vocabSize: Int { get }
    /// The byte string of every id.
    var table: TokenTable { get }
    /// Appends the ids of `bytes` to `out`. Checks `Interrupt` on long input.
    func encode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt32]) throws
    /// The tokenizer as a JSON-ready file description.
    var file: TokenizerFile { get }
}

extension Tokenizer {
    /// The ids of a string's UTF-8 bytes.
    public func encode(_ text: String) throws -> [Int] {
        var out = [UInt32]()
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBufferPointer { try encode(UnsafeBufferPointer($0), into: &out) }
        return out.map { Int($0) }
    }

    /// The ids of raw bytes.
    public func encode(bytes: [UInt8]) throws -> [UInt32] {
        var out = [UInt32]()
        try bytes.withUnsafeBufferPointer { try encode($0, into: &out) }
        return out
    }

    /// The exact bytes of a sequence of ids (throws on ids outside the vocabulary).
    public func decodeBytes<S: Sequence>(_ ids: S) throws -> [UInt8] where S.Element: BinaryInteger {
        try table.bytes(of: ids)
    }

    /// The text of a sequence of ids; byte sequences that are not valid UTF-8
    /// (a BPE token can end inside a character) become U+FFFD.
    public func decode<S: Sequence>(_ ids: S) throws -> String where S.Element: BinaryInteger {
        String(decoding: try table.bytes(of: ids), as: UTF8.self)
    }

    /// Writes the tokenizer as JSON (to a temporary file renamed into place).
    public func save(to path: String) throws {
        try file.write(to: path)
    }

    /// One line: kind and vocabulary size.
    public var summary: String { "\(kind) (vocab \(vocabSize))" }
}

/// Loads a tokenizer from a JSON file written by `save(to:)`.
public func loadTokenizer(path: String) throws -> any Tokenizer {
    try TokenizerFile.read(from: path).makeTokenizer(path: path)
}

// MARK: - Token table

/// The byte string of every token id, stored flat: id `i` is
/// `bytes[offsets[i]..<offsets[i + 1]]`.
public struct TokenTable: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var offsets: [Int] = [0]

    public init() {}

    /// Number of ids.
    public var count: Int { offsets.count - 1 }

    /// Adds the next id with the given bytes.
    public mutating func append<C: Collection>(_ piece: C) where C.Element == UInt8 {
        bytes.append(contentsOf: piece)
        offsets.append(bytes.count)
    }

    /// The bytes of one id (the caller checks the range).
    public func piece(_ id: Int) -> ArraySlice<UInt8> { bytes[offsets[id]..<offsets[id + 1]] }

    /// The concatenated bytes of `ids`; throws on an id outside the table.
    public func bytes<S: Sequence>(of ids: S) throws -> [UInt8] where S.Element: BinaryInteger {
        var out = [UInt8]()
        out.reserveCapacity(ids.underestimatedCount * 2)
        try bytes.withUnsafeBufferPointer { b in
            try offsets.withUnsafeBufferPointer { o in
                let n = o.count - 1
                for raw in ids {
                    guard raw >= 0, raw < n, let id = Int(exactly: raw) else {
                        throw DataError.tokenOutOfVocab(token: Int(truncatingIfNeeded: raw), vocab: n, location: "decode")
                    }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[o[id]..<o[id + 1]]))
                }
            }
        }
        return out
    }
}

// MARK: - Bytes

/// One token per byte: vocabulary 256, nothing to train, nothing to save but the kind.
public final class ByteTokenizer: Tokenizer {
    public let kind = "bytes"
    public let vocabSize = 256
    public let table: TokenTable

    public init() {
        var t = TokenTable()
        for b in 0..<256 { t.append(CollectionOfOne(UInt8(b))) }
        table = t
    }

    public func encode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt32]) throws {
        guard let src = bytes.baseAddress else { return }
        let n = bytes.count
        var done = 0
        while done < n {                          // 16 MB between interrupt checks
            if StopCheck.requested { throw DataError.interrupted(op: "tokenize (bytes)") }
            let piece = min(n - done, 1 << 24)
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: piece))
            out.withUnsafeMutableBufferPointer { dstBuf in
                let dst = dstBuf.baseAddress! + start
                let from = src + done
                for i in 0..<piece { dst[i] = UInt32(from[i]) }
            }
            done += piece
        }
    }

    public var file: TokenizerFile { TokenizerFile(kind: kind) }
}

// MARK: - Chars

/// One token per Unicode scalar seen in the training text (ids in scalar
/// order), optionally followed by 256 byte tokens that spell out anything
/// else, so that every input round-trips.
public final class CharTokenizer: Tokenizer {
    public let kind = "chars"
    /// The scalars with an id, ascending; id `i` is `scalars[i]`.
    public let scalars: [UInt32]
    /// Whether ids `scalars.count ..< scalars.count + 256` spell unknown input byte by byte.
    public let byteFallback: Bool
    public let table: TokenTable
    public var vocabSize: Int { table.count }

    /// ASCII scalar -> id, or -1.
    private let ascii: [Int32]
    /// Non-ASCII scalar -> id.
    private let others: [UInt32: UInt32]

    /// A tokenizer over the given scalars (duplicates removed, sorted).
    public init(scalars given: [UInt32], byteFallback: Bool = true) throws {
        let sorted = Array(Set(given)).sorted()
        for s in sorted where Unicode.Scalar(s) == nil {
            throw DataError.invalidArgument(op: "chars", message: "\(s) is not a Unicode scalar value")
        }
        if sorted.isEmpty && !byteFallback {
            throw DataError.invalidArgument(op: "chars", message: "no characters and no byte fallback: the vocabulary would be empty")
        }
        scalars = sorted
        self.byteFallback = byteFallback
        var t = TokenTable()
        var a = [Int32](repeating: -1, count: 128)
        var o = [UInt32: UInt32]()
        for (id, s) in sorted.enumerated() {
            t.append(Array(String(Character(Unicode.Scalar(s)!)).utf8))
            if s < 128 { a[Int(s)] = Int32(id) } else { o[s] = UInt32(id) }
        }
        if byteFallback { for b in 0..<256 { t.append(CollectionOfOne(UInt8(b))) } }
        table = t
        ascii = a
        others = o
    }

    /// The scalars of a corpus (valid UTF-8), as a tokenizer.
    public convenience init(training corpus: Corpus, byteFallback: Bool = true) throws {
        try self.init(scalars: corpus.bytes.withUnsafeBufferPointer(CharTokenizer.scalarSet), byteFallback: byteFallback)
    }

    /// Distinct scalars of well-formed UTF-8 (ill-formed bytes are skipped).
    static func scalarSet(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt32] {
        var seenASCII = [Bool](repeating: false, count: 128)
        var seen = Set<UInt32>()
        let n = bytes.count
        var i = 0
        seenASCII.withUnsafeMutableBufferPointer { flags in
            while i < n {
                let b = bytes[i]
                if b < 0x80 { flags[Int(b)] = true; i += 1; continue }
                if let (s, len) = decodeScalar(bytes, at: i) { seen.insert(s); i += len } else { i += 1 }
            }
        }
        var result = (0..<128).filter { seenASCII[$0] }.map { UInt32($0) }
        result.append(contentsOf: seen.sorted())
        return result
    }

    /// Decodes one well-formed multi-byte scalar at `i`, or nil when the
    /// bytes there are ill-formed (same table as UTF8Validation).
    @inline(__always)
    static func decodeScalar(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int)? {
        let n = p.count
        let b0 = p[i]
        var length = 0
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
        var value: UInt32
        switch b0 {
        case 0xC2...0xDF: length = 2; value = UInt32(b0 & 0x1F)
        case 0xE0: length = 3; lo = 0xA0; value = UInt32(b0 & 0x0F)
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; value = UInt32(b0 & 0x0F)
        case 0xED: length = 3; hi = 0x9F; value = UInt32(b0 & 0x0F)
        case 0xF0: length = 4; lo = 0x90; value = UInt32(b0 & 0x07)
        case 0xF1...0xF3: length = 4; value = UInt32(b0 & 0x07)
        case 0xF4: length = 4; hi = 0x8F; value = UInt32(b0 & 0x07)
        default: return nil
        }
        if i + length > n { return nil }
        let b1 = p[i + 1]
        if b1 < lo || b1 > hi { return nil }
        value = value << 6 | UInt32(b1 & 0x3F)
        var k = 2
        while k < length {
            let b = p[i + k]
            if b & 0xC0 != 0x80 { return nil }
            value = value << 6 | UInt32(b & 0x3F)
            k += 1
        }
        return (value, length)
    }

    public func encode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt32]) throws {
        let n = bytes.count
        if n == 0 { return }
        let start = out.count
        // At most one id per byte: write into room for n ids, then trim.
        out.append(contentsOf: repeatElement(0, count: n))
        let fallbackBase = UInt32(scalars.count)
        let fallback = byteFallback
        var written = 0
        defer { out.removeLast(n - written) }     // also on a throw: keep only whole ids
        try ascii.withUnsafeBufferPointer { table in
            try out.withUnsafeMutableBufferPointer { dstBuf in
                let dst = dstBuf.baseAddress! + start
                var i = 0
                var nextCheck = 0
                while i < n {
                    if i >= nextCheck {
                        if StopCheck.requested { throw DataError.interrupted(op: "tokenize (chars)") }
                        nextCheck = i + 1 << 22
                    }
                    let b = bytes[i]
                    if b < 0x80 {
                        let id = table[Int(b)]
                        if id >= 0 {
                            dst[written] = UInt32(bitPattern: id); written += 1; i += 1
                            continue
                        }
                        guard fallback else { throw DataError.unknownCharacter(scalar: UInt32(b), tokenizer: "chars") }
                        dst[written] = fallbackBase + UInt32(b); written += 1; i += 1
                        continue
                    }
                    if let (s, len) = CharTokenizer.decodeScalar(bytes, at: i) {
                        if let id = others[s] {
                            dst[written] = id; written += 1; i += len
                            continue
                        }
                        guard fallback else { throw DataError.unknownCharacter(scalar: s, tokenizer: "chars") }
                        for k in 0..<len { dst[written] = fallbackBase + UInt32(bytes[i + k]); written += 1 }
                        i += len
                        continue
                    }
                    guard fallback else { throw DataError.invalidUTF8(path: "<input to chars>", offset: i) }
                    dst[written] = fallbackBase + UInt32(b); written += 1; i += 1
                }
            }
        }
    }

    public var file: TokenizerFile {
        TokenizerFile(kind: kind, chars: scalars, byteFallback: byteFallback)
    }
}

// MARK: - File format

/// The JSON form of a tokenizer:
/// `{"format": "lfr-tokenizer", "version": 1, "kind": "bpe", "merges": [[a, b], ...]}`;
/// chars store `"chars"` (scalar values) and `"byteFallback"`.
public struct TokenizerFile: Codable, Equatable {
    public var format = "lfr-tokenizer"
    public var version = 1
    public var kind: String
    public var chars: [UInt32]?
    public var byteFallback: Bool?
    /// BPE merges in order: merge `i` makes id `256 + i` from the pair.
    public var merges: [[UInt32]]?
    /// BPE pre-tokenizer name and its longest chunk in bytes.
    public var pretokenizer: String?
    public var maxChunk: Int?

    public init(kind: String, chars: [UInt32]? = nil, byteFallback: Bool? = nil,
                merges: [[UInt32]]? = nil, pretokenizer: String? = nil, maxChunk: Int? = nil) {
        self.kind = kind
        self.chars = chars
        self.byteFallback = byteFallback
        self.merges = merges
        self.pretokenizer = pretokenizer
        self.maxChunk = maxChunk
    }

    /// The tokenizer this file describes.
    public func makeTokenizer(path: String = "<tokenizer>") throws -> any Tokenizer {
        guard format == "lfr-tokenizer", version == 1 else {
            throw DataError.format(path: path, message: "not an lfr tokenizer file (format \(format), version \(version))")
        }
        switch kind {
        case "bytes":
            return ByteTokenizer()
        case "chars":
            guard let chars else { throw DataError.format(path: path, message: "chars tokenizer without \"chars\"") }
            return try CharTokenizer(scalars: chars, byteFallback: byteFallback ?? true)
        case "bpe":
            guard let merges else { throw DataError.format(path: path, message: "bpe tokenizer without \"merges\"") }
            var pairs = [(UInt32, UInt32)]()
            pairs.reserveCapacity(merges.count)
            for (i, m) in merges.enumerated() {
                guard m.count == 2 else {
                    throw DataError.format(path: path, message: "merge \(i) has \(m.count) ids, not 2")
                }
                pairs.append((m[0], m[1]))
            }
            if let p = pretokenizer, p != BPETokenizer.pretokenizerName {
                throw DataError.format(path: path, message: "unknown pre-tokenizer \"\(p)\"")
            }
            return try BPETokenizer(merges: pairs, maxChunk: maxChunk ?? BPETokenizer.defaultMaxChunk, path: path)
        default:
            throw DataError.format(path: path, message: "unknown tokenizer kind \"\(kind)\" (expected bytes, chars or bpe)")
        }
    }

    /// Reads and decodes a tokenizer file.
    public static func read(from path: String) throws -> TokenizerFile {
        let bytes = try Corpus.readFile(path)
        do {
            return try JSONDecoder().decode(TokenizerFile.self, from: Foundation.Data(bytes))
        } catch {
            throw DataError.format(path: path, message: "not a valid tokenizer JSON file (\(error))")
        }
    }

    /// Writes the file atomically (temporary file, then rename).
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Foundation.Data
        do { data = try encoder.encode(self) } catch {
            throw DataError.io(path: path, message: "cannot encode tokenizer: \(error)")
        }
        try FileIO.writeAtomically(path: path) { write in try data.withUnsafeBytes { try write($0) } }
    }
}
