// ScheduleError: user-facing errors of schedules, policies, the trainer and runs.
// Policy errors name the phase they happened in.

public enum ScheduleError: Error, Equatable, CustomStringConvertible {
    /// A phase or schedule was configured wrongly.
    case invalidPhase(String)
    /// A policy returned something unusable (wrong length, negative weights...).
    case policy(phase: String, message: String)
    /// Saved state could not be restored.
    case invalidState(String)
    /// Training failed (non-finite loss, model error...).
    case training(String)
    /// A file could not be read or written.
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case .invalidPhase(let m): return m
        case let .policy(phase, message): return "policy of phase \(phase): \(message)"
        case .invalidState(let m): return m
        case .training(let m): return m
        case let .io(path, message): return "\(path): \(message)"
        }
    }
}
