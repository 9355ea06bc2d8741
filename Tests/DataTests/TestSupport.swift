// TestSupport: temporary folders and synthetic text for the Data tests.
// Every test makes its own folder under the system temp dir and removes it.
import Foundation
@testable import Data
import TensorCore

/// A fresh temporary folder, removed when `body` returns.
func withTempDir<R>(_ body: (String) throws -> R) throws -> R {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("lfr-data-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try body(dir)
}

/// Writes bytes to a file, creating parent folders.
func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    let parent = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: path, contents: Foundation.Data(bytes)) else {
        throw DataError.io(path: path, message: "test could not write")
    }
}

func writeFile(_ path: String, _ text: String) throws { try writeFile(path, Array(text.utf8)) }

/// Random bytes from a seed.
func randomBytes(_ n: Int, seed: UInt64) -> [UInt8] {
    var g = RandomGenerator(seed: seed)
    return (0..<n).map { _ in UInt8(truncatingIfNeeded: g.next()) }
}

/// English-like text: random words from a small list with punctuation,
/// spaces and newlines, so BPE has frequent pairs to find.
func syntheticText(words n: Int, seed: UInt64) -> String {
    let vocab = ["the", "king", "queen", "and", "of", "to", "thou", "art", "my", "lord",
                 "love", "shall", "not", "be", "what", "is", "this", "night", "day", "ROMEO:",
                 "JULIET:", "a", "I", "it", "with", "thee", "sweet", "death", "O", "fair"]
    var g = RandomGenerator(seed: seed)
    var s = ""
    for i in 0..<n {
        s += vocab[g.nextInt(below: vocab.count)]
        let r = g.nextInt(below: 20)
        s += r == 0 ? ",\n" : r == 1 ? ".\n\n" : r == 2 ? "!  " : " "
        if i % 97 == 96 { s += "   \t" }
    }
    return s
}

/// Strings that break naive tokenizers.
let trickyStrings: [String] = [
    "",
    "a",
    "héllo wörld — naïve café",
    "e\u{301}\u{302}\u{303} combining marks on e",
    "👩‍👩‍👧‍👦 family, 🏳️‍🌈 flag, 👍🏽 skin tone",
    "日本語のテキストと中文文本，还有한국어",
    "العربية עברית mixed RTL ←→",
    "\u{0}NUL\u{0} and \u{7F} DEL",
    "\u{FEFF}BOM at start",
    "line\r\nwindows\rmac\nunix",
    "\u{10FFFF} max scalar, \u{FFFD} replacement, \u{E000} private use",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙 𝟘𝟙𝟚",
    String(repeating: "a", count: 1000),
    String(repeating: " ", count: 300) + "x",
    String(repeating: "🙂", count: 200),
    "don't won't it's I'm we'll",
    "tabs\t\tand\u{0B}vertical\u{0C}feeds",
]
