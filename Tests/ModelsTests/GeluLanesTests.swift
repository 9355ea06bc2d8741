// GeluLanesTests: the 16-lane (AVX-512) GELU gives the AVX2 build's results
// bit for bit, forward and backward, full vectors and tails; both are
// within the erf approximation's error of the exact GELU.
import Testing
import CKernels
#if canImport(Glibc)
import Glibc
#endif

@Suite struct GeluLanesTests {
    let x: [Float] = (0..<1037).map { Float($0) * 0.023 - 12 }

    /// (out, cdf, dinp from the saved cdf, dinp recomputed) of one build.
    func run(_ f: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void,
             _ b: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?, UnsafePointer<Float>, Int) -> Void)
        -> [[Float]] {
        let n = x.count
        var out = [Float](repeating: 0, count: n), cdf = out, d1 = out, d2 = out
        let dout = (0..<n).map { Float(($0 * 7919) % 101) / 50 - 1 }
        f(&out, &cdf, x, n)
        b(&d1, x, cdf, dout, n)
        b(&d2, x, nil, dout, n)
        return [out, cdf, d1, d2]
    }

    @Test func sixteenLanesEqualTheAVX2Build() {
        guard lfr_elementwise_lanes() == 16 else { return }     // no AVX-512 on this CPU: nothing to compare
        lfr_kernels_select(1)                                   // this thread: the 8-lane AVX2 build
        let avx2 = run({ lfr_gelu_forward($0, $1, $2, $3) }, { lfr_gelu_backward($0, $1, $2, $3, $4) })
        lfr_kernels_select(-1)
        let wide = run({ lfr_gelu_forward_lanes(16, $0, $1, $2, $3) }, { lfr_gelu_backward_lanes(16, $0, $1, $2, $3, $4) })
        for k in 0..<4 { #expect(wide[k].map(\.bitPattern) == avx2[k].map(\.bitPattern), "output \(k)") }
        // The process's default path takes the 16-lane build and agrees too.
        let dflt = run({ lfr_gelu_forward($0, $1, $2, $3) }, { lfr_gelu_backward($0, $1, $2, $3, $4) })
        #expect(dflt[0].map(\.bitPattern) == avx2[0].map(\.bitPattern))
    }

    @Test func everyBuildIsCloseToTheExactGelu() {
        for lanes: Int32 in [4, 8, 16] {
            let r = run({ lfr_gelu_forward_lanes(lanes, $0, $1, $2, $3) },
                        { lfr_gelu_backward_lanes(lanes, $0, $1, $2, $3, $4) })
            var worst: Float = 0
            for (i, v) in x.enumerated() {
                let exact = 0.5 * v * (1 + erff(v / 2.0.squareRoot().float))
                worst = max(worst, Swift.abs(r[0][i] - exact) / max(1, Swift.abs(v)))
            }
            #expect(worst < 1e-6, "lanes \(lanes)")
            // The saved cdf is the recomputed one: both backward forms agree exactly.
            #expect(r[2].map(\.bitPattern) == r[3].map(\.bitPattern), "lanes \(lanes)")
        }
    }
}

private extension Double { var float: Float { Float(self) } }
