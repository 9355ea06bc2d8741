// Signals: Ctrl-C (SIGINT) handling for the whole process.
// What stays true here: the handler only does async-signal-safe work (atomic
// stores); it never exits the REPL. It asks running code to stop at its next
// safe point (the language's interrupt flag and TensorCore's `Interrupt`) and
// counts the signal so the line editor can clear the prompt. It is installed
// without SA_RESTART, so a blocking poll() at the prompt returns EINTR.
import Glibc
import Synchronization
import TensorCore
import Script

/// Process-wide Ctrl-C state.
enum Signals {
    /// Ctrl-C presses not yet handled by the prompt.
    static let pendingInterrupts = Atomic<Int>(0)
    /// In batch mode a second Ctrl-C kills the process (exit 130) even if
    /// native code does not reach a safe point.
    static let batchMode = Atomic<Bool>(false)

    /// Installs the SIGINT handler (call once, early).
    static func installInterruptHandler(batch: Bool) {
        // Touch every lazily created global now: the first access must not
        // happen inside the signal handler.
        _ = pendingInterrupts.load(ordering: .relaxed)
        batchMode.store(batch, ordering: .relaxed)
        Interrupt.clear()
        ScriptHost.clearInterrupt()
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            let previous = Signals.pendingInterrupts.add(1, ordering: .relaxed).oldValue
            Interrupt.request()
            ScriptHost.requestInterrupt()
            if previous > 0 && Signals.batchMode.load(ordering: .relaxed) {
                _exit(130)
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    /// Takes the pending Ctrl-C presses (returns how many there were).
    static func takeInterrupts() -> Int {
        pendingInterrupts.exchange(0, ordering: .relaxed)
    }

    /// Clears every stop request after an interrupted evaluation was handled.
    static func resetAfterInterrupt() {
        _ = takeInterrupts()
        Interrupt.clear()
        ScriptHost.clearInterrupt()
    }
}
