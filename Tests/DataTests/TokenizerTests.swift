// TokenizerTests: round trips on random bytes and tricky Unicode for every
// tokenizer; the fast BPE trainer and encoder against naive references;
// determinism; JSON save/load.
import Foundation
import Testing
@testable import Data
import TensorCore

/// Naive BPE training: recount every pair of every chunk before each merge.
func naiveBPETrain(_ corpus: Corpus, merges wanted: Int, maxChunk: Int) -> [(UInt32, UInt32)] {
    var counts = [[UInt32]: Int]()
    corpus.bytes.withUnsafeBufferPointer { all in
        for doc in corpus.documents {
            let part = UnsafeBufferPointer(rebasing: all[doc.range])
            Pretokenizer.forEachChunk(part, maxChunk: maxChunk) { s, n in
                counts[part[s..<s + n].map { UInt32($0) }, default: 0] += 1
                return true
            }
        }
    }
    var words = counts.map { ($0.key, $0.value) }
    var merges = [(UInt32, UInt32)]()
    while merges.count < wanted {
        var pairs = [UInt64: Int]()
        for (w, c) in words where w.count > 1 {
            for k in 0..<(w.count - 1) { pairs[UInt64(w[k]) << 32 | UInt64(w[k + 1]), default: 0] += c }
        }
        guard let best = pairs.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }),
              best.value >= 2 else { break }
        let a = UInt32(best.key >> 32), b = UInt32(best.key & 0xFFFF_FFFF)
        let id = UInt32(256 + merges.count)
        merges.append((a, b))
        words = words.map { (w, c) in
            var out = [UInt32](), k = 0
            while k < w.count {
                if k + 1 < w.count && w[k] == a && w[k + 1] == b { out.append(id); k += 2 } else { out.append(w[k]); k += 1 }
            }
            return (out, c)
        }
    }
    return merges
}

/// Naive BPE encoding: apply each merge, in order, to every chunk.
func naiveBPEEncode(_ bytes: [UInt8], merges: [(UInt32, UInt32)], maxChunk: Int) -> [UInt32] {
    var out = [UInt32]()
    bytes.withUnsafeBufferPointer { buf in
        Pretokenizer.forEachChunk(buf, maxChunk: maxChunk) { s, n in
            var w = buf[s..<s + n].map { UInt32($0) }
            for (i, (a, b)) in merges.enumerated() {
                var next = [UInt32](), k = 0
                while k < w.count {
                    if k + 1 < w.count && w[k] == a && w[k + 1] == b { next.append(UInt32(256 + i)); k += 2 } else { next.append(w[k]); k += 1 }
                }
                w = next
            }
            out += w
            return true
        }
    }
    return out
}

@Suite struct TokenizerTests {
    static let trainingText = syntheticText(words: 4000, seed: 11) + trickyStrings.joined(separator: "\n")

    static func tokenizers() throws -> [any Tokenizer] {
        let corpus = try Corpus(text: trainingText)
        return [ByteTokenizer(),
                try CharTokenizer(training: corpus),
                try BPETokenizer(training: corpus, vocab: 600)]
    }

    @Test func roundTripRandomBytes() throws {
        for tok in try TokenizerTests.tokenizers() {
            for seed in UInt64(0)..<20 {
                let bytes = randomBytes(Int(seed) * 37, seed: seed)
                let ids = try tok.encode(bytes: bytes)
                #expect(ids.allSatisfy { Int($0) < tok.vocabSize })
                #expect(try tok.decodeBytes(ids) == bytes, "\(tok.kind) seed \(seed)")
            }
        }
    }

    @Test func roundTripTrickyUnicode() throws {
        let unseen = "Ωμέγα ∑ ∫ 𝄞 ❤️ 🦀 \u{1F9D1}\u{200D}\u{1F52C} ﷽"
        for tok in try TokenizerTests.tokenizers() {
            for s in trickyStrings + [unseen, trickyStrings.joined()] {
                let ids = try tok.encode(s)
                #expect(try tok.decode(ids) == s, "\(tok.kind): \(s)")
            }
        }
    }

    @Test func bytesTokenizerIsIdentity() throws {
        let t = ByteTokenizer()
        #expect(t.vocabSize == 256)
        #expect(try t.encode("Az\u{E9}") == [65, 122, 0xC3, 0xA9])
    }

    @Test func charsVocabularyFromCorpus() throws {
        let c = try Corpus(text: "abba\u{E9}\u{1F600}a")
        let fallback = try CharTokenizer(training: c)
        #expect(fallback.scalars == [97, 98, 0xE9, 0x1F600])
        #expect(fallback.vocabSize == 4 + 256)
        #expect(try fallback.encode("ab\u{E9}\u{1F600}") == [0, 1, 2, 3])
        // Unknown 'z' spelled with its byte token.
        #expect(try fallback.encode("z") == [4 + 122])
        let strict = try CharTokenizer(training: c, byteFallback: false)
        #expect(strict.vocabSize == 4)
        #expect(throws: DataError.unknownCharacter(scalar: 122, tokenizer: "chars")) { try strict.encode("abz") }
        #expect("\(DataError.unknownCharacter(scalar: 0x7A, tokenizer: "chars"))".contains("U+007A"))
    }

    @Test func bpeTrainerMatchesNaiveReference() throws {
        let corpus = try Corpus(documents: [("a", Array(syntheticText(words: 1500, seed: 3).utf8)),
                                            ("b", Array((syntheticText(words: 500, seed: 4) + trickyStrings.joined()).utf8))])
        let fast = try BPETrainer.train(corpus: corpus, merges: 300, maxChunk: 128)
        let naive = naiveBPETrain(corpus, merges: 300, maxChunk: 128)
        #expect(fast.count == naive.count)
        #expect(fast.map { [$0.0, $0.1] } == naive.map { [$0.0, $0.1] })
        #expect(fast.count > 100)   // the synthetic text has many frequent pairs
    }

    @Test func bpeEncoderMatchesNaiveReference() throws {
        let corpus = try Corpus(text: syntheticText(words: 3000, seed: 5))
        let tok = try BPETokenizer(training: corpus, vocab: 500)
        for s in [syntheticText(words: 300, seed: 99)] + trickyStrings {
            let bytes = Array(s.utf8)
            #expect(try tok.encode(bytes: bytes) == naiveBPEEncode(bytes, merges: tok.merges, maxChunk: tok.maxChunk))
        }
        // It compresses: fewer tokens than bytes on text like its training text.
        let sample = Array(syntheticText(words: 300, seed: 99).utf8)
        #expect(try tok.encode(bytes: sample).count * 2 < sample.count)
    }

    @Test func bpeIsDeterministic() throws {
        let text = syntheticText(words: 3000, seed: 8)
        let a = try BPETokenizer(training: try Corpus(text: text), vocab: 700)
        let b = try BPETokenizer(training: try Corpus(text: text), vocab: 700)
        #expect(a.merges.map { [$0.0, $0.1] } == b.merges.map { [$0.0, $0.1] })
        #expect(a.file == b.file)
    }

    @Test func bpeStopsWhenNoPairRepeats() throws {
        let tok = try BPETokenizer(training: try Corpus(text: "abcabc"), vocab: 2048)
        // "abcabc" is one chunk: (a,b) -> 256 (ties with (b,c): smaller pair wins),
        // then (256,c) -> 257; (257,257) occurs once, so training stops.
        #expect(tok.vocabSize == 258)
        #expect(tok.merges.map { [$0.0, $0.1] } == [[97, 98], [256, 99]])
        #expect(try tok.encode("abcabc") == [257, 257])
        #expect(throws: DataError.self) { try BPETokenizer(training: try Corpus(text: "x"), vocab: 100) }
    }

    @Test func pretokenizerChunksTileInput() {
        let s = "Hello  world,\n\n  it's 2024!!  ok"
        var chunks = [String]()
        let bytes = Array(s.utf8)
        bytes.withUnsafeBufferPointer { buf in
            Pretokenizer.forEachChunk(buf, maxChunk: 128) { st, n in
                chunks.append(String(decoding: buf[st..<st + n], as: UTF8.self)); return true
            }
        }
        #expect(chunks == ["Hello", " ", " world", ",", "\n\n ", " it", "'", "s", " 2024", "!!", " ", " ok"])
        #expect(chunks.joined() == s)
    }

    @Test func saveAndLoadJSON() throws {
        try withTempDir { dir in
            for tok in try TokenizerTests.tokenizers() {
                let path = dir + "/\(tok.kind).json"
                try tok.save(to: path)
                let back = try loadTokenizer(path: path)
                #expect(back.kind == tok.kind)
                #expect(back.vocabSize == tok.vocabSize)
                #expect(back.file == tok.file)
                let s = TokenizerTests.trainingText
                #expect(try back.encode(s) == tok.encode(s))
            }
            try writeFile(dir + "/bad.json", "{\"format\": \"lfr-tokenizer\", \"version\": 1, \"kind\": \"bpe\", \"merges\": [[300, 1]]}")
            #expect(throws: DataError.self) { try loadTokenizer(path: dir + "/bad.json") }
            try writeFile(dir + "/junk.json", "not json")
            #expect(throws: DataError.self) { try loadTokenizer(path: dir + "/junk.json") }
            #expect(throws: DataError.missingFile(path: dir + "/none.json")) { try loadTokenizer(path: dir + "/none.json") }
        }
    }

    @Test func decodeRejectsIDsOutsideVocab() throws {
        let t = ByteTokenizer()
        #expect(throws: DataError.tokenOutOfVocab(token: 256, vocab: 256, location: "decode")) { try t.decode([65, 256]) }
        #expect(throws: DataError.self) { try t.decode([-1]) }
    }

    @Test func interruptStopsTokenizing() throws {
        // A stop forced for this task only: other tests in the process never see it.
        try StopCheck.$forced.withValue(true) {
            let text = syntheticText(words: 200, seed: 1)
            #expect(throws: DataError.interrupted(op: "tokenize (bytes)")) { try ByteTokenizer().encode(text) }
            let chars = try CharTokenizer(training: try Corpus(text: text))
            #expect(throws: DataError.interrupted(op: "tokenize (chars)")) { try chars.encode(text) }
            #expect(throws: DataError.interrupted(op: "bpe training")) {
                try BPETokenizer(training: try Corpus(text: text), vocab: 400)
            }
            let bpe = try BPETokenizer(merges: [(97, 98)])
            #expect(throws: DataError.interrupted(op: "tokenize (bpe)")) { try bpe.encode(text) }
        }
        #expect(try ByteTokenizer().encode("ok") == [111, 107])
    }
}
