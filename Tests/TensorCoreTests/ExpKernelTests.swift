// ExpKernelTests: CKernels' vector exp (the dense path of Tensor.exp)
// against the C library's expf on a dense grid and on the special values,
// in every build this CPU runs (4, 8 and 16 lanes), and the same value for
// an element wherever it sits (full vectors and tails).
import Testing
import TensorCore
import CKernels
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ExpKernelTests {
    /// -104 ... 89 in steps of 1/64 and the specials (the range fastExp covers).
    static let grid: [Float] = (0..<(193 * 64)).map { -104 + Float($0) / 64 }
        + [0, -0.0, 1e-7, -1e-7, .infinity, -.infinity, .nan, 88.72, 88.73, -87.33, -103.9, 1000, -1000]

    func run(lanes: Int, _ x: [Float]) -> [Float] {
        var y = [Float](repeating: -1, count: x.count)
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in lfr_exp_lanes(Int32(lanes), ys.baseAddress!, xs.baseAddress!, x.count) }
        }
        return y
    }

    /// Relative error against expf, counting exact specials as 0; subnormal
    /// results get an absolute tolerance of the smallest normal float.
    func worst(_ got: [Float], _ x: [Float]) -> Float {
        var worst: Float = 0
        for (g, v) in zip(got, x) {
            let want = expf(v)
            if want.isNaN { if !g.isNaN { return .infinity }; continue }
            if want.isInfinite || want == 0 { if g != want && !(want == 0 && g < 1e-38) { return .infinity }; continue }
            if want < Float.leastNormalMagnitude { if Swift.abs(g - want) > Float.leastNormalMagnitude { return .infinity }; continue }
            worst = max(worst, Swift.abs(g - want) / want)
        }
        return worst
    }

    @Test func everyBuildMatchesExpf() {
        for lanes in [4, 8, 16] {
            let got = run(lanes: lanes, Self.grid)
            #expect(worst(got, Self.grid) < 4e-7, "lanes \(lanes)")
        }
    }

    @Test func specialsAreExact() {
        for lanes in [4, 8, 16] {
            let y = run(lanes: lanes, [.infinity, -.infinity, .nan, 0, 89, -104, 200, -200])
            #expect(y[0] == .infinity && y[1] == 0 && y[2].isNaN && y[3] == 1, "lanes \(lanes)")
            #expect(y[4] == .infinity && y[5] < 1e-44 && y[6] == .infinity && y[7] == 0, "lanes \(lanes)")
        }
    }

    /// An element's result is the same at every position and every length
    /// (the tail goes through the vector code), so chunking cannot change it.
    @Test func tailsGiveTheSameValues() {
        let x: [Float] = (0..<37).map { Float($0) * 0.73 - 12 }
        for lanes in [4, 8, 16] {
            let whole = run(lanes: lanes, x)
            for n in [1, 3, 7, 15, 17, 33] {
                let part = run(lanes: lanes, Array(x[(37 - n)...]))
                #expect(part.map(\.bitPattern) == whole[(37 - n)...].map(\.bitPattern), "lanes \(lanes) n \(n)")
            }
        }
    }

    /// Tensor.exp takes the kernel on dense data and the scalar fastExp on
    /// strided data; both agree with expf.
    @Test func tensorExpDenseAndStrided() throws {
        let x = try Tensor(shape: [100, 120], values: Array(Self.grid.prefix(12_000)))
        let dense = x.exp().toArray()
        #expect(worst(dense, x.toArray()) < 4e-7)
        let t = x.T
        let strided = t.exp().toArray()
        #expect(worst(strided, t.toArray()) < 4e-7)
    }
}
