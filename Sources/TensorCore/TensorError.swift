// TensorError: the errors TensorCore reports to its callers.
// Every case names the operation and, where shapes are involved, the shapes,
// so that the language can show `shape mismatch in @: [2, 3] @ [2, 3] ...`.

/// A user-facing error from a tensor operation.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// Operands' shapes do not fit the operation.
    case shapeMismatch(op: String, shapes: [[Int]], detail: String)
    /// A shape is not valid (negative dimension, too many elements).
    case invalidShape(op: String, shape: [Int])
    /// An index lies outside its dimension.
    case indexOutOfRange(op: String, index: Int, axis: Int, size: Int)
    /// An argument has a wrong value.
    case invalidArgument(op: String, message: String)
    /// A file could not be read or written.
    case io(path: String, message: String)
    /// A file's contents are not in the expected format.
    case format(path: String, message: String)
    /// Long work was stopped by an interrupt request (Ctrl-C).
    case interrupted(op: String)
    /// Building `what` needs more memory than is available (bytes nil: more
    /// than can be counted). See MemoryBudget.
    case outOfMemory(what: String, bytes: Int?, available: Int?)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, shapes, detail):
            let s = shapes.map { "\($0)" }.joined(separator: op == "@" ? " @ " : ", ")
            return "shape mismatch in \(op): \(s)" + (detail.isEmpty ? "" : " (\(detail))")
        case let .invalidShape(op, shape):
            return "invalid shape in \(op): \(shape)"
        case let .indexOutOfRange(op, index, axis, size):
            return "index \(index) out of range in \(op) for axis \(axis) of size \(size)"
        case let .invalidArgument(op, message):
            return "\(op): \(message)"
        case let .io(path, message):
            return "\(path): \(message)"
        case let .format(path, message):
            return "\(path): \(message)"
        case let .interrupted(op):
            return "interrupted in \(op)"
        case let .outOfMemory(what, bytes, available):
            let need = bytes.map { MemoryBudget.describe(bytes: $0) } ?? "more bytes than can be counted"
            let have = available.map { ", only \(MemoryBudget.describe(bytes: $0)) available" } ?? ""
            return "not enough memory for \(what): needs \(need)\(have)"
        }
    }
}
