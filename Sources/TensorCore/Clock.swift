// Clock: the one place lfr reads time. Wall time is monotonic (never jumps
// with the system clock); CPU time is the process's user + system time over
// all threads, so `:time` can say how busy the cores were.

#if canImport(Glibc)
import Glibc
#endif

public enum Clock {
    /// Monotonic wall-clock seconds since an arbitrary origin.
    public static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// CPU seconds (user + system, all threads) used by the process so far.
    public static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
        return user + system
    }
}
