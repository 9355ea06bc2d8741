// DataError: every user-facing error of the Data module.
// Each case names the cause and, where there is one, the file (and byte
// offset or block id), so the language can print it as is. Internal
// invariants are never reported through this type.
import TensorCore

/// A user-facing error from loading corpora, tokenizing, or building datasets.
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// A path does not exist (or cannot be opened).
    case missingFile(path: String)
    /// A file exists but could not be read or written.
    case io(path: String, message: String)
    /// The corpus holds no bytes (no files, or only empty files).
    case emptyCorpus(path: String)
    /// A file is not valid UTF-8; `offset` is the byte offset of the first bad byte.
    case invalidUTF8(path: String, offset: Int)
    /// The token stream is too short to make a single block of `context + 1` tokens.
    case corpusTooShort(tokens: Int, context: Int, what: String)
    /// A nanoGPT .bin file whose byte length is not a whole number of uint16 tokens.
    case oddLengthBin(path: String, bytes: Int)
    /// A token id is not below the vocabulary size.
    case tokenOutOfVocab(token: Int, vocab: Int, location: String)
    /// The context length is not positive.
    case invalidContext(Int)
    /// Any other argument with a wrong value.
    case invalidArgument(op: String, message: String)
    /// A file's content is not in the expected format.
    case format(path: String, message: String)
    /// A character the tokenizer has no id for (chars without byte fallback).
    case unknownCharacter(scalar: UInt32, tokenizer: String)
    /// Long work stopped because an interrupt (Ctrl-C) was requested.
    case interrupted(op: String)

    public var description: String {
        switch self {
        case let .missingFile(path):
            return "\(path): no such file or folder"
        case let .io(path, message):
            return "\(path): \(message)"
        case let .emptyCorpus(path):
            return "\(path): the corpus is empty (no text found)"
        case let .invalidUTF8(path, offset):
            return "\(path): invalid UTF-8 at byte offset \(offset)"
        case let .corpusTooShort(tokens, context, what):
            return "\(what) has \(tokens) tokens, fewer than one block of context + 1 = \(context + 1) tokens"
        case let .oddLengthBin(path, bytes):
            return "\(path): a token .bin file must hold uint16 tokens, but its length \(bytes) bytes is odd"
        case let .tokenOutOfVocab(token, vocab, location):
            return "token id \(token) in \(location) is outside the vocabulary (size \(vocab))"
        case let .invalidContext(c):
            return "context must be a positive number of tokens, got \(c)"
        case let .invalidArgument(op, message):
            return "\(op): \(message)"
        case let .format(path, message):
            return "\(path): \(message)"
        case let .unknownCharacter(scalar, tokenizer):
            let hex = String(scalar, radix: 16, uppercase: true)
            return "character U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex) is not in the \(tokenizer) vocabulary"
        case let .interrupted(op):
            return "interrupted in \(op)"
        }
    }
}

/// The stop check of the Data module's long loops: the process-wide Ctrl-C
/// flag, or a stop forced for the current task only (so tests can exercise
/// interruption without touching the flag other tests in the process see).
enum StopCheck {
    @TaskLocal static var forced = false

    @inline(__always)
    static var requested: Bool { Interrupt.isRequested || forced }
}
