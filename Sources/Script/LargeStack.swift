// LargeStack: runs work on a thread with a large stack, so deep parser,
// compiler or native-callback nesting never overflows the native stack of a
// small thread (the recursion limits of the VM are chosen against it).
// lfr-repl runs every evaluation through it.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private final class StackJob {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Runs `body` on a new thread with a 512 MB stack (reserved, not committed)
/// and waits for it, so deep parser, compiler or native-callback nesting can
/// never overflow the native stack of a small thread.
public func runOnLargeStack(_ body: () -> Void) {
    withoutActuallyEscaping(body) { escapable in
        let job = StackJob(escapable)
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, 512 << 20)
        let ctx = Unmanaged.passRetained(job).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attr, { ctx in
            let job = Unmanaged<StackJob>.fromOpaque(ctx!).takeRetainedValue()
            job.body()
            return nil
        }, ctx)
        if rc != 0 {
            Unmanaged<StackJob>.fromOpaque(ctx).release()
            escapable()   // could not make a thread: run here
            return
        }
        pthread_join(thread, nil)
    }
}
