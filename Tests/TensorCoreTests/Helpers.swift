// Test helpers: approximate comparison and a small naive-reference toolkit
// (element access by multi-index) shared by the TensorCore tests.
import Testing
@testable import TensorCore

/// nil when every pair differs by at most atol + rtol * |expected| (NaNs
/// must match); otherwise a short description of the first mismatch.
func mismatch(_ a: [Float], _ b: [Float], atol: Float = 1e-5, rtol: Float = 1e-5) -> String? {
    guard a.count == b.count else { return "counts \(a.count) and \(b.count) differ" }
    for (i, (x, y)) in zip(a, b).enumerated() {
        if x.isNaN || y.isNaN { if !(x.isNaN && y.isNaN) { return "at \(i): \(x) vs \(y)" }; continue }
        if x == y { continue }
        if Swift.abs(x - y) > atol + rtol * Swift.abs(y) { return "at \(i): \(x) vs \(y)" }
    }
    return nil
}

/// True when `mismatch` finds nothing.
func allClose(_ a: [Float], _ b: [Float], atol: Float = 1e-5, rtol: Float = 1e-5) -> Bool {
    mismatch(a, b, atol: atol, rtol: rtol) == nil
}

/// The error a throwing expression raises, as TensorError (nil when it does not throw).
func tensorError<T>(_ body: () throws -> T) -> TensorError? {
    do { _ = try body(); return nil } catch let e as TensorError { return e } catch { return nil }
}

/// Row-major multi-index of a flat position.
func unravel(_ flat: Int, _ shape: [Int]) -> [Int] {
    var rem = flat
    var idx = [Int](repeating: 0, count: shape.count)
    for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] > 0 {
        idx[d] = rem % shape[d]; rem /= shape[d]
    }
    return idx
}

/// A deterministic tensor with distinct-ish values.
func sample(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
    try! Tensor.randn(shape, seed: seed)
}
