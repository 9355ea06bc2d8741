// Signals: Ctrl-C (SIGINT), SIGTERM and window-size (SIGWINCH) handling for
// the whole process.
// What stays true here: the handlers only do async-signal-safe work (atomic
// stores, write to a pipe); they never exit the REPL. SIGTERM is caught only
// in batch mode, where it stops the script like Ctrl-C (exit 143 instead of
// 130); at the prompt it keeps its default action. The stop handler asks
// running code to stop at its next safe point (the process's one interrupt flag,
// which the VM and the core both poll), remembers which signal it was, counts it,
// and writes a byte to a pipe that the prompt's poll() watches (the
// self-pipe trick: the signal may be delivered to any thread that does not
// block it, e.g. an OpenBLAS worker, so EINTR alone is not enough to wake
// the prompt).
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
    /// Set by SIGWINCH, taken by the prompt (readline must re-measure the window).
    static let windowChanged = Atomic<Bool>(false)
    /// The signal that asked running code to stop last (SIGINT or SIGTERM; 0: none).
    static let stopSignal = Atomic<Int32>(0)
    /// Whether installCrashFlush ran.
    static let crashFlushInstalled = Atomic<Bool>(false)
    /// Read end of the wake-up pipe, watched by the prompt (-1 until installed).
    nonisolated(unsafe) static var wakeReadEnd: Int32 = -1

    /// The exit code of a batch run stopped by a signal: 128 + its number (130 for Ctrl-C, 143 for SIGTERM).
    static var stopExitCode: Int32 {
        let signal = stopSignal.load(ordering: .relaxed)
        return 128 + (signal == 0 ? SIGINT : signal)
    }

    /// Fatal signals (a crash, an abort, a signal sent from outside that
    /// would kill the process): output a script printed into stdout's buffer
    /// (a file or a pipe is fully buffered) is written before the process
    /// dies. The handler runs once (SA_RESETHAND), on its own stack (a stack
    /// overflow of the main thread leaves none), flushes stdout — not
    /// async-signal-safe in general, the last thing a dying process does,
    /// as most runtimes do — and raises the signal again with its default
    /// action, so the exit status and a core dump stay as they were.
    static func installCrashFlush() {
        guard !crashFlushInstalled.exchange(true, ordering: .relaxed) else { return }
        let size = 64 * 1024
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        stack.ss_size = size
        stack.ss_flags = 0
        sigaltstack(&stack, nil)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            fflush(stdout)
            raise(signal)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = Int32(bitPattern: UInt32(SA_RESETHAND)) | SA_ONSTACK
        // A parent may start the process with signals blocked (the mask is
        // inherited through exec): unblock these, or a fatal one would wait forever.
        var fatal = sigset_t()
        sigemptyset(&fatal)
        for signal in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGQUIT] {
            sigaction(signal, &action, nil)
            sigaddset(&fatal, signal)
        }
        pthread_sigmask(SIG_UNBLOCK, &fatal, nil)
    }

    /// Installs the SIGINT handler (and in batch mode the SIGTERM one), and the SIGWINCH one (call once, early).
    static func installInterruptHandler(batch: Bool) {
        installCrashFlush()
        // Touch every lazily created global now: the first access must not
        // happen inside the signal handler.
        _ = pendingInterrupts.load(ordering: .relaxed)
        _ = stopSignal.load(ordering: .relaxed)
        _ = windowChanged.load(ordering: .relaxed)
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
        action.__sigaction_handler.sa_handler = { signal in
            let previous = Signals.pendingInterrupts.add(1, ordering: .relaxed).oldValue
            Signals.stopSignal.store(signal, ordering: .relaxed)
            ScriptHost.requestInterrupt()
            if previous > 0 && Signals.batchMode.load(ordering: .relaxed) {
                _exit(128 + signal)
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
        if batch { sigaction(SIGTERM, &action, nil) }

        // A resize wakes the prompt, which tells readline (whose own
        // SIGWINCH handler is off); progress lines ask for the width anew.
        var resize = sigaction()
        resize.__sigaction_handler.sa_handler = { _ in
            Signals.windowChanged.store(true, ordering: .relaxed)
            let fd = Signals.wakeWriteEnd.load(ordering: .relaxed)
            if fd >= 0 {
                var byte: UInt8 = 26
                _ = write(fd, &byte, 1)
            }
        }
        sigemptyset(&resize.sa_mask)
        resize.sa_flags = SA_RESTART
        sigaction(SIGWINCH, &resize, nil)
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
        stopSignal.store(0, ordering: .relaxed)
        ScriptHost.clearInterrupt()
    }
}
