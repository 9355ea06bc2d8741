// StepProfile: where a GPT step's time goes, for `lfr-bench models --profile`.
//
// When `StepProfile.isOn`, every kernel call of GPT's forward and backward
// (and the optimizer update, timed by its caller) adds its wall time and the
// process's CPU time (all threads) to its part's totals. CPU time over wall
// time is how many cores the part kept busy; the rest of `workers x wall` is
// idle (waiting on a straggler, a serial loop, or the shared machine's other
// processes). Off, a call costs one branch. The totals are process-wide and
// not thread-safe: one model steps at a time while profiling.
//
// What stays true: profiling changes no result (it only reads clocks).
import TensorCore
import CKernels
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

public enum StepProfile {
    /// The parts of a step.
    public enum Part: Int, CaseIterable, Sendable {
        /// Linear layers: forward and backward GEMMs, their bias adds and bias gradients.
        case matmul
        /// Causal attention: per-head score and value GEMMs and the softmax (forward and backward).
        case attention
        /// LayerNorm, GELU, embeddings and the fused softmax cross-entropy.
        case kernels
        /// AdamW: gradient norm and update.
        case optimizer

        public var label: String {
            switch self {
            case .matmul: return "linear GEMMs"
            case .attention: return "attention"
            case .kernels: return "other kernels"
            case .optimizer: return "optimizer"
            }
        }
    }

    /// Wall and CPU seconds spent in one part.
    public struct Totals: Sendable {
        public var wall = 0.0, cpu = 0.0, calls = 0
    }

    nonisolated(unsafe) public static var isOn = false
    nonisolated(unsafe) private static var totals = [Totals](repeating: Totals(), count: Part.allCases.count)

    /// CPU seconds of the process, all threads (nanosecond clock).
    public static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Runs `body`, charging its time to `part` when profiling is on.
    @inline(__always)
    public static func time<R>(_ part: Part, _ body: () throws -> R) rethrows -> R {
        if !isOn { return try body() }
        let w0 = Clock.seconds(), c0 = cpuSeconds()
        defer {
            totals[part.rawValue].wall += Clock.seconds() - w0
            totals[part.rawValue].cpu += cpuSeconds() - c0
            totals[part.rawValue].calls += 1
        }
        return try body()
    }

    public static func reset() { totals = [Totals](repeating: Totals(), count: Part.allCases.count) }

    /// The totals since the last reset.
    public static func snapshot() -> [(part: Part, totals: Totals)] {
        Part.allCases.map { ($0, totals[$0.rawValue]) }
    }
}

extension ModelKernels {
    /// Lanes of the widest FMA vectors of this CPU (16 AVX-512, 8 AVX2, 0 none).
    public static var fmaWidth: Int { Int(lfr_fma_width()) }

    /// The machine's multiply-add peak in GFLOP/s with `threads` threads
    /// running CKernels' FMA loop at once: the best of `rounds` rounds, each
    /// the total FLOPs over the slowest thread's time. 0 without FMA.
    public static func fmaPeak(threads: Int, rounds: Int = 5, iterations: Int = 20_000_000) -> Double {
        if fmaWidth == 0 { return 0 }
        var best = 0.0
        for _ in 0..<rounds {
            let t0 = Clock.seconds()
            var flops = [Double](repeating: 0, count: threads)
            flops.withUnsafeMutableBufferPointer { f in
                DispatchQueue.concurrentPerform(iterations: threads) { i in
                    var sink: Float = 0
                    f[i] = lfr_fma_loop(iterations, &sink)
                    if sink.isNaN { f[i] = 0 }
                }
            }
            let t = Clock.seconds() - t0
            best = max(best, flops.reduce(0, +) / t / 1e9)
        }
        return best
    }
}
