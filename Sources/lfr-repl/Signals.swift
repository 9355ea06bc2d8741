// Signals: Ctrl-C (SIGINT) handling for the whole process.
// What stays true here: the handler only does async-signal-safe work (atomic
// stores); it never exits the REPL. It asks running code to stop at its next
// safe point (the process's one interrupt flag, which the VM and the core
// both poll),
// counts the signal, and writes a byte to a pipe that the prompt's poll()
// watches (the self-pipe trick: the signal may be delivered to any thread
// that does not block it, e.g. an OpenBLAS worker, so EINTR alone is not
// enough to wake the prompt).
import Glibc
import Synchronization
import Script

/// Process-wide Ctrl-C state.
enum Signals {
    /// Ctrl-C presses not yet handled by the prompt.
    static let pendingInterrupts = Atomic<Int>(0)
    /// In batch mode a second Ctrl-C kills the process (exit 130) even if
    /// native code does not reach a safe point.
    static let batchMode = Atomic<Bool>(false)
    /// Write end of the wake-up pipe (-1 until installed).
    static let wakeWriteEnd = Atomic<Int32>(-1)
    /// Read end of the wake-up pipe, watched by the prompt (-1 until installed).
    nonisolated(unsafe) static var wakeReadEnd: Int32 = -1

    /// Installs the SIGINT handler (call once, early).
    static func installInterruptHandler(batch: Bool) {
        // Touch every lazily created global now: the first access must not
        // happen inside the signal handler.
        _ = pendingInterrupts.load(ordering: .relaxed)
        batchMode.store(batch, ordering: .relaxed)
        ScriptHost.clearInterrupt()
        var fds: [Int32] = [-1, -1]
        if wakeReadEnd < 0 && pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            wakeReadEnd = fds[0]
            wakeWriteEnd.store(fds[1], ordering: .relaxed)
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            let previous = Signals.pendingInterrupts.add(1, ordering: .relaxed).oldValue
            ScriptHost.requestInterrupt()
            if previous > 0 && Signals.batchMode.load(ordering: .relaxed) {
                _exit(130)
            }
            let fd = Signals.wakeWriteEnd.load(ordering: .relaxed)
            if fd >= 0 {
                var byte: UInt8 = 3
                _ = write(fd, &byte, 1)   // a full pipe already wakes the prompt
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    /// Takes the pending Ctrl-C presses (returns how many there were).
    static func takeInterrupts() -> Int {
        drainWakePipe()
        return pendingInterrupts.exchange(0, ordering: .relaxed)
    }

    /// Empties the wake-up pipe (its bytes only say "look at pendingInterrupts").
    static func drainWakePipe() {
        guard wakeReadEnd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeReadEnd, &buffer, 64) > 0 {}
    }

    /// Clears every stop request after an interrupted evaluation was handled.
    static func resetAfterInterrupt() {
        _ = takeInterrupts()
        ScriptHost.clearInterrupt()
    }
}
