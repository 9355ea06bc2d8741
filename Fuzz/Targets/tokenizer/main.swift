// fuzz-tokenizer: bytes -> a tokenizer file (load_tokenizer) -> encoding and
// decoding sample texts. A tokenizer the loader accepts must keep the
// tokenizer contract (Tokenizer.swift): ids below its vocabulary, and
// decode(encode(bytes)) == bytes whenever encoding succeeds; saving it and
// loading it again gives the same file.
import Data
import FuzzSupport
import TensorCore

/// Texts every accepted tokenizer encodes: ASCII, other scripts, invalid
/// UTF-8, a long run (the BPE chunk limit) and an empty text.
let sampleTexts: [[UInt8]] = [
    Array("the cat sat on the mat, the end.\n".utf8),
    Array("héllo wörld ∑ 你好 🙂 tab\there".utf8),
    [0xFF, 0xFE, 0x00, 0x41, 0xC3, 0x28, 0xE2, 0x82],
    [UInt8](repeating: 97, count: 300),
    [],
]

Fuzz.main(seeds: tokenizerSeeds) { input in
    let path = Fuzz.scratchFile("tokenizer.json", input)
    Fuzz.expectingUserErrors("tokenizer file") {
        let tokenizer = try loadTokenizer(path: path)
        for text in sampleTexts + [Array(input.prefix(256))] {
            let ids: [UInt32]
            do { ids = try tokenizer.encode(bytes: text) } catch is DataError { continue }
            Fuzz.require(ids.allSatisfy { Int($0) < tokenizer.vocabSize }, "an id at or above the vocabulary \(tokenizer.vocabSize)")
            Fuzz.require(try tokenizer.decodeBytes(ids) == text, "decode(encode(x)) != x for a \(tokenizer.kind) tokenizer")
        }
        let again = Fuzz.scratchFile("again.json", UnsafeRawBufferPointer(start: nil, count: 0))
        try tokenizer.save(to: again)
        Fuzz.require(try loadTokenizer(path: again).file == tokenizer.file, "a saved tokenizer loads differently")
    }
}

/// The three kinds, as lfr saves them (BPE trained on a small text).
func tokenizerSeeds() throws -> [(name: String, bytes: [UInt8])] {
    let text = String(repeating: "the quick brown fox jumps over the lazy dog; héllo ", count: 8)
    let corpusPath = Fuzz.scratchFile("corpus.txt", UnsafeRawBufferPointer(start: nil, count: 0))
    try Fuzz.write(Array(text.utf8), to: corpusPath)
    let corpus = try Corpus.load(corpusPath)
    let tokenizers: [(String, any Tokenizer)] = [
        ("bytes", ByteTokenizer()),
        ("chars", try CharTokenizer(training: corpus, byteFallback: true)),
        ("chars-strict", try CharTokenizer(training: corpus, byteFallback: false)),
        ("bpe", try BPETokenizer(training: corpus, vocab: 300)),
    ]
    let path = Fuzz.scratchFile("seed.json", UnsafeRawBufferPointer(start: nil, count: 0))
    return try tokenizers.map { name, t in
        try t.save(to: path)
        return (name, try Fuzz.readBytes(path))
    }
}
