// ModelError: the user-facing errors of the Models module.
// Every case carries what the user needs to find the problem (the offending
// value, the limit it broke, the step or tensor name); `description` is the
// message the language shows. Internal invariants are not reported here.

/// A user-facing error from building, training, saving or loading a model.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// A configuration value is invalid (e.g. heads not dividing dim).
    case invalidConfig(model: String, message: String)
    /// An argument of a model operation is invalid (sizes, lengths).
    case invalidArgument(op: String, message: String)
    /// A token id lies outside `0..<vocab`.
    case tokenOutOfRange(op: String, token: Int, position: Int, vocab: Int)
    /// A sequence is longer than the model's position table.
    case sequenceTooLong(op: String, length: Int, context: Int)
    /// The loss became NaN or infinite; `step` is the optimizer step it happened at.
    case nonFiniteLoss(step: Int, loss: Float)
    /// A checkpoint does not fit the model or is malformed.
    case checkpoint(path: String, message: String)
    /// Long work stopped at a safe point because an interrupt was requested.
    case interrupted(op: String)

    public var description: String {
        switch self {
        case let .invalidConfig(model, message):
            return "invalid \(model) config: \(message)"
        case let .invalidArgument(op, message):
            return "\(op): \(message)"
        case let .tokenOutOfRange(op, token, position, vocab):
            return "\(op): token id \(token) at position \(position) is out of range for vocab \(vocab) (ids must be in 0..<\(vocab))"
        case let .sequenceTooLong(op, length, context):
            return "\(op): sequence length \(length) is longer than the model's context \(context) (its position table)"
        case let .nonFiniteLoss(step, loss):
            return "training diverged: loss is \(loss) at step \(step) (try a lower learning rate or gradient clipping)"
        case let .checkpoint(path, message):
            return "checkpoint \(path): \(message)"
        case let .interrupted(op):
            return "interrupted in \(op)"
        }
    }
}
