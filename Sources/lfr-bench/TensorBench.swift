// TensorBench: in-process timings for `scripts/bench tensor`.
//
// Every figure is a ratio against a reference measured in the same run,
// each side the median of several runs, interleaved so that background load
// hits both alike: lfr matmul against raw cblas_sgemm on the same buffers,
// and elementwise/softmax kernels against NumPy timings that
// scripts/bench-parts/tensor measures just before and passes in as
// `name=milliseconds` arguments. Ratios are reference time / lfr time, so
// above 1 means lfr is faster.
import CBLAS
import Glibc
import TensorCore

enum TensorBench {
    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// The first element, read while the tensor is alive (keeps results from being optimised away).
    static func first(_ t: Tensor) -> Float {
        withExtendedLifetime(t) { t.storage.pointer[t.offset] }
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Median seconds of `runs` timed calls of each closure, interleaved, after one warm-up each.
    static func timePair(runs: Int, _ a: () throws -> Void, _ b: () throws -> Void) rethrows -> (Double, Double) {
        try a(); try b()
        var ta: [Double] = [], tb: [Double] = []
        for _ in 0..<runs {
            var t0 = now(); try a(); ta.append(now() - t0)
            t0 = now(); try b(); tb.append(now() - t0)
        }
        return (median(ta), median(tb))
    }

    static func time(runs: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var ts: [Double] = []
        for _ in 0..<runs { let t0 = now(); try body(); ts.append(now() - t0) }
        return median(ts)
    }

    static func fmt(_ x: Double, _ digits: Int = 2) -> String {
        let scale = pow(10.0, Double(digits))
        let r = (x * scale).rounded() / scale
        var s = String(r)
        if let dot = s.firstIndex(of: ".") {
            let decimals = s.distance(from: dot, to: s.endIndex) - 1
            if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
        }
        return s
    }

    /// Matmul: Tensor.matmul against cblas_sgemm on the same inputs.
    static func matmul(m: Int, k: Int, n: Int, runs: Int) throws {
        let a = try Tensor.randn([m, k], seed: 1), b = try Tensor.randn([k, n], seed: 2)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { c.deallocate() }
        var sink: Float = 0
        let (tl, tc) = try withExtendedLifetime((a, b)) {
            try timePair(runs: runs, {
                sink += first(try Tensor.matmul(a, b))
            }, {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                            1, a.storage.pointer, Int32(k), b.storage.pointer, Int32(n), 0, c, Int32(n))
                sink += c[0]
            })
        }
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        print("matmul \(m)x\(k)x\(n): lfr \(fmt(flops / tl / 1e9, 1)) GFLOP/s, cblas \(fmt(flops / tc / 1e9, 1)) GFLOP/s, ratio \(fmt(tc / tl))"
              + (sink.isNaN ? " (nan)" : ""))
    }

    /// One kernel against its NumPy time (ms), when the reference was given.
    static func kernel(_ name: String, label: String, reference: [String: Double], runs: Int,
                       _ body: () throws -> Void) rethrows {
        let t = try time(runs: runs, body)
        if let ref = reference[name] {
            print("\(label): lfr \(fmt(t * 1e3)) ms, numpy \(fmt(ref)) ms, ratio \(fmt(ref / (t * 1e3)))")
        } else {
            print("\(label): lfr \(fmt(t * 1e3)) ms (no numpy reference)")
        }
    }

    static func run(_ args: [String]) throws {
        var reference: [String: Double] = [:]
        for arg in args {
            let parts = arg.split(separator: "=")
            if parts.count == 2, let v = Double(parts[1]) { reference[String(parts[0])] = v }
        }
        if let w = getenv("LFR_BENCH_WORKERS").flatMap({ Int(String(cString: $0)) }), w > 0 {
            Parallel.workers = w                 // for diagnosis: LFR_BENCH_WORKERS=1 times one core
            BLAS.setThreads(w)
        }
        print("tensor bench: \(Parallel.workers) workers, OpenBLAS \(BLAS.threads) threads")
        try matmul(m: 512, k: 512, n: 512, runs: 21)
        try matmul(m: 2048, k: 768, n: 256, runs: 11)

        let n = 4 * 1024 * 1024
        let x = try Tensor.randn([n], seed: 3), y = try Tensor.randn([n], seed: 4)
        var sink: Float = 0
        try kernel("add", label: "add 4M", reference: reference, runs: 15) { sink += try first((x + y)) }
        try kernel("exp", label: "exp 4M", reference: reference, runs: 15) { sink += first(x.exp()) }
        try kernel("gelu_tanh", label: "gelu (tanh form) 4M", reference: reference, runs: 15) {
            sink += first(x.gelu(approximate: true))
        }
        try kernel("gelu_tanh", label: "gelu (exact erf form, vs numpy's tanh form) 4M", reference: reference, runs: 15) {
            sink += first(x.gelu())
        }
        let s = try Tensor.randn([4096, 256], seed: 5)
        try kernel("softmax", label: "softmax 4096x256 rows", reference: reference, runs: 15) {
            sink += try first(s.softmax(axis: -1))
        }
        if sink.isNaN { print("(sink nan)") }
    }
}
