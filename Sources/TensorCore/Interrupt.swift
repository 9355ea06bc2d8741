// Interrupt: the flag that long loops in the core poll (Ctrl-C, SIGTERM).
// It is the process's one interrupt flag (CInterrupt), shared with the
// language's VM: loops check it at least every 100 ms of work and stop at
// the next safe point by throwing TensorError.interrupted (or their
// module's equivalent); whoever handles the stop clears it.
import CInterrupt

public enum Interrupt {
    /// Asks running work to stop at its next safe point (signal-safe).
    public static func request() { lfr_interrupt_request() }
    /// Clears a pending request (done by whoever handles the stop).
    public static func clear() { lfr_interrupt_clear() }
    /// True when a stop has been requested.
    @inline(__always) public static var isRequested: Bool { lfr_interrupt_pending() != 0 }
}
