// TestSupport: helpers shared by the Models tests: seeded random buffers and
// a central finite-difference gradient checker.
//
// Tolerance (explained once, used by every check): the kernels compute in
// Float32. A central difference with step h has truncation error O(h^2 f''')
// (about 1e-4 for h = 1e-2 on these smooth layers) and rounding error about
// 6e-8 * |objective| / h. The objectives are sums of O(1) terms accumulated
// in Float64, so with h = 1e-2 the difference is good to ~1e-3 absolute;
// we require |fd - analytic| <= 2e-2 * max(|fd|, |analytic|) + atol with
// atol = 2e-3 by default. A wrong backward (a missing term, a transposed
// index, a wrong scale) is off by far more than that; the tests on broken
// gradients below show the check catches them.
import Testing
@testable import Models
import TensorCore

/// A heap buffer of Floats (so kernels and objectives can share it without
/// Swift's exclusive-access rules on arrays getting in the way).
final class Buf {
    let p: UnsafeMutablePointer<Float>
    let count: Int
    init(_ values: [Float]) {
        count = values.count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
        for i in 0..<count { p[i] = values[i] }
    }
    convenience init(zeros n: Int) { self.init([Float](repeating: 0, count: n)) }
    deinit { p.deallocate() }
    var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
    subscript(i: Int) -> Float { get { p[i] } set { p[i] = newValue } }
}

/// n normal(0, scale) Floats from a seed.
func randomValues(_ n: Int, seed: UInt64, scale: Double = 1) -> [Float] {
    var rng = RandomGenerator(seed: seed)
    return (0..<n).map { _ in Float(scale * rng.nextNormal()) }
}

/// A buffer of n normal(0, scale) Floats from a seed.
func randomBuffer(_ n: Int, seed: UInt64, scale: Double = 1) -> Buf { Buf(randomValues(n, seed: seed, scale: scale)) }

/// Result of comparing analytic and numerical derivatives at some indices.
struct GradCheckReport {
    var worst: Double = 0            // largest (error - tolerance) seen; <= 0 passes
    var checked = 0
    var details: [String] = []
    var passed: Bool { worst <= 0 && checked > 0 }
}

/// Central differences of `objective` w.r.t. values[i] for each index, compared
/// with analytic[i].
func gradCheck(values: Buf, analytic: Buf, indices: [Int], h: Float = 1e-2,
               rtol: Double = 2e-2, atol: Double = 2e-3, objective: () -> Double) -> GradCheckReport {
    gradCheck(values: values.p, analytic: analytic.array, indices: indices, h: h, rtol: rtol, atol: atol, objective: objective)
}

func gradCheck(values: UnsafeMutablePointer<Float>, analytic: [Float], indices: [Int], h: Float = 1e-2,
               rtol: Double = 2e-2, atol: Double = 2e-3, objective: () -> Double) -> GradCheckReport {
    var report = GradCheckReport()
    for i in indices {
        let old = values[i]
        values[i] = old + h
        let fp = objective()
        values[i] = old - h
        let fm = objective()
        values[i] = old
        let fd = (fp - fm) / (2 * Double(h))
        let an = Double(analytic[i])
        let err = abs(fd - an)
        let tol = rtol * max(abs(fd), abs(an)) + atol
        report.checked += 1
        if err - tol > report.worst { report.worst = err - tol }
        if err > tol { report.details.append("index \(i): analytic \(an), numeric \(fd)") }
    }
    return report
}

/// Indices 0..<n, or a spread sample of at most `max` of them.
func sampleIndices(_ n: Int, max m: Int = 40) -> [Int] {
    if n <= m { return Array(0..<n) }
    return (0..<m).map { $0 * n / m }
}

/// sum(out * r) in Double.
func weightedSum(_ out: Buf, _ r: Buf) -> Double {
    var s: Double = 0
    for i in 0..<r.count { s += Double(out.p[i]) * Double(r.p[i]) }
    return s
}
