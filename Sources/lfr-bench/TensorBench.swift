// TensorBench: in-process timings for `scripts/bench tensor`.
//
// Every figure is a ratio against a reference measured in the same run,
// each side the median of several runs, interleaved run by run so that
// background load (the cores are shared) hits both alike: lfr matmul against
// raw cblas_sgemm (through CBLAS's lfr_sgemm) on the same buffers, and elementwise/softmax kernels
// against NumPy in a python3 co-process (started with OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE removed from its environment) that times one call per
// request. Ratios are reference time / lfr time: above 1, lfr is faster.
import CBLAS
import Foundation
import Glibc
import TensorCore

/// A python3 + NumPy process that times one named kernel call per request.
final class NumpyReference {
    static let script = """
    import sys, time
    import numpy as np
    rng = np.random.default_rng(0)
    n = 4 * 1024 * 1024
    x = rng.standard_normal(n, dtype=np.float32)
    y = rng.standard_normal(n, dtype=np.float32)
    s = rng.standard_normal((4096, 256), dtype=np.float32)
    c = np.float32(np.sqrt(2 / np.pi)); k = np.float32(0.044715); half = np.float32(0.5); one = np.float32(1)
    def softmax(a):
        e = np.exp(a - a.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    ops = {
        "add": lambda: x + y,
        "exp": lambda: np.exp(x),
        "gelu_tanh": lambda: half * x * (one + np.tanh(c * (x + k * x * x * x))),
        "softmax": lambda: softmax(s),
    }
    for f in ops.values(): f()
    print("ready numpy " + np.__version__, flush=True)
    for line in sys.stdin:
        f = ops[line.strip()]
        t0 = time.perf_counter(); f(); t = time.perf_counter() - t0
        print("%.6f" % (t * 1e3), flush=True)
    """

    let process = Process()
    let toPython = Pipe(), fromPython = Pipe()
    var buffer = Data()
    let version: String

    init?() {
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_CORETYPE"] = nil
        env["OPENBLAS_L2_SIZE"] = nil
        process.environment = env
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", "-c", NumpyReference.script]
        process.standardInput = toPython
        process.standardOutput = fromPython
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        guard let first = NumpyReference.readLine(fromPython.fileHandleForReading, &buffer),
              first.hasPrefix("ready") else { return nil }
        version = String(first.dropFirst(6))
    }

    static func readLine(_ h: FileHandle, _ buffer: inout Data) -> String? {
        while true {
            if let i = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<i], as: UTF8.self)
                buffer = Data(buffer[(i + 1)...])
                return line
            }
            let more = h.availableData
            if more.isEmpty { return nil }
            buffer.append(more)
        }
    }

    /// Milliseconds NumPy took for one call of `name`.
    func time(_ name: String) -> Double? {
        toPython.fileHandleForWriting.write(Data((name + "\n").utf8))
        return NumpyReference.readLine(fromPython.fileHandleForReading, &buffer).flatMap(Double.init)
    }

    deinit {
        try? toPython.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

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
                lfr_sgemm(0, 0, Int32(m), Int32(n), Int32(k),
                          1, a.storage.pointer, Int32(k), b.storage.pointer, Int32(n), 0, c, Int32(n))
                sink += c[0]
            })
        }
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        print("matmul \(m)x\(k)x\(n): lfr \(fmt(flops / tl / 1e9, 1)) GFLOP/s, cblas \(fmt(flops / tc / 1e9, 1)) GFLOP/s, ratio \(fmt(tc / tl))"
              + (sink.isNaN ? " (nan)" : ""))
    }

    /// One kernel against NumPy's, interleaved call by call (medians of `runs`).
    static func kernel(_ name: String, label: String, numpy: NumpyReference?, runs: Int,
                       _ body: () throws -> Void) rethrows {
        try body()
        var ours: [Double] = [], theirs: [Double] = []
        for _ in 0..<runs {
            if let t = numpy?.time(name) { theirs.append(t) }
            let t0 = now(); try body(); ours.append((now() - t0) * 1e3)
        }
        let t = median(ours)
        if theirs.count == runs {
            let ref = median(theirs)
            print("\(label): lfr \(fmt(t)) ms, numpy \(fmt(ref)) ms, ratio \(fmt(ref / t))")
        } else {
            print("\(label): lfr \(fmt(t)) ms (no numpy reference)")
        }
    }

    static func run(_ args: [String]) throws {
        if let w = getenv("LFR_BENCH_WORKERS").flatMap({ Int(String(cString: $0)) }), w > 0 {
            Parallel.workers = w                 // for diagnosis: LFR_BENCH_WORKERS=1 times one core
            BLAS.setThreads(w)
        }
        print("tensor bench: \(Parallel.workers) workers, OpenBLAS \(BLAS.threads) threads")
        try matmul(m: 512, k: 512, n: 512, runs: 21)
        try matmul(m: 2048, k: 768, n: 256, runs: 11)

        let numpy = NumpyReference()
        print(numpy.map { "reference: \($0.version) (python3 co-process)" } ?? "reference: python3 with numpy unavailable")
        let n = 4 * 1024 * 1024
        let x = try Tensor.randn([n], seed: 3), y = try Tensor.randn([n], seed: 4)
        var sink: Float = 0
        try kernel("add", label: "add 4M", numpy: numpy, runs: 15) { sink += try first((x + y)) }
        try kernel("exp", label: "exp 4M", numpy: numpy, runs: 15) { sink += first(x.exp()) }
        try kernel("gelu_tanh", label: "gelu (tanh form) 4M", numpy: numpy, runs: 15) {
            sink += first(x.gelu(approximate: true))
        }
        try kernel("gelu_tanh", label: "gelu (exact erf form, vs numpy's tanh form) 4M", numpy: numpy, runs: 15) {
            sink += first(x.gelu())
        }
        let s = try Tensor.randn([4096, 256], seed: 5)
        try kernel("softmax", label: "softmax 4096x256 rows", numpy: numpy, runs: 15) {
            sink += try first(s.softmax(axis: -1))
        }
        if sink.isNaN { print("(sink nan)") }
    }
}
