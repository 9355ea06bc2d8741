// Interrupt: the flag that long loops in the core poll (Ctrl-C).
// Set from a signal handler, so it is a lock-free atomic; loops check it at
// least every 100 ms of work and stop at the next safe point by throwing
// TensorError.interrupted (or their module's equivalent).
import Synchronization

public enum Interrupt {
    private static let flag = Atomic<Bool>(false)

    /// Asks running work to stop at its next safe point (signal-safe).
    public static func request() { flag.store(true, ordering: .relaxed) }
    /// Clears a pending request (done by whoever handles the stop).
    public static func clear() { flag.store(false, ordering: .relaxed) }
    /// True when a stop has been requested.
    @inline(__always) public static var isRequested: Bool { flag.load(ordering: .relaxed) }
}
