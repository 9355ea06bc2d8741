// Parallel: the worker pool policy for lfr's own (non-BLAS) loops.
// One rule keeps the two cores from being oversubscribed: our loops and
// OpenBLAS never run at the same time (BLAS calls happen between parallel
// loops, not inside them), and both use `Parallel.workers` threads.
import Dispatch

public enum Parallel {
    /// Number of workers for parallel loops (the machine's active cores).
    nonisolated(unsafe) public static var workers: Int = max(1, ProcessInfoLite.activeProcessorCount)

    /// Runs `body(range)` over `0..<count` split into contiguous chunks, in
    /// parallel when the work is large enough to pay for it. `grain` is the
    /// smallest chunk worth a thread.
    @inlinable
    public static func forEachChunk(_ count: Int, grain: Int = 32_768,
                                    _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        // Up to four chunks per worker: concurrentPerform hands them out as
        // workers free up, so one descheduled thread (the cores are shared)
        // delays the loop by a quarter of its share, not all of it.
        let chunks = min(workers == 1 ? 1 : workers * 4, max(1, count / max(grain, 1)))
        if chunks <= 1 {
            body(0..<count)
            return
        }
        let per = (count + chunks - 1) / chunks
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = c * per
                let hi = min(count, lo + per)
                if lo < hi { body(lo..<hi) }
            }
        }
    }
}

/// The processor count without importing Foundation into every kernel file.
public enum ProcessInfoLite {
    public static var activeProcessorCount: Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif
