// Tests for the CBLAS bridge: OpenBLAS opened lazily, and the plain C loop
// (the fallback when the library is missing) agreeing with it on every
// transpose combination, odd sizes, alpha/beta and padded leading dimensions.
import Testing
import CBLAS
@testable import TensorCore

@Suite struct BLASLoadingTests {
    @Test("the fallback loop matches OpenBLAS (transposes, alpha, beta, strides)",
          arguments: [(false, false), (true, false), (false, true), (true, true)])
    func referenceMatchesOpenBLAS(transA: Bool, transB: Bool) throws {
        #expect(lfr_blas_load() == 1, "OpenBLAS should be installed by scripts/setup")
        for (m, n, k) in [(1, 1, 1), (7, 5, 3), (33, 17, 65), (64, 48, 129)] {
            let pad = 3
            let lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad
            let a = try Tensor.randn([(transA ? k : m) * lda], seed: 1).toArray()
            let b = try Tensor.randn([(transB ? n : k) * ldb], seed: 2).toArray()
            let c0 = try Tensor.randn([m * ldc], seed: 3).toArray()
            for (alpha, beta) in [(Float(1), Float(0)), (Float(0.5), Float(1)), (Float(-2), Float(0.25))] {
                var fast = c0, slow = c0
                lfr_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                          a, Int32(lda), b, Int32(ldb), beta, &fast, Int32(ldc))
                lfr_sgemm_reference(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                                    a, Int32(lda), b, Int32(ldb), beta, &slow, Int32(ldc))
                #expect(nil == mismatch(fast, slow, atol: 1e-4, rtol: 1e-4), "\(m)x\(n)x\(k) a=\(alpha) b=\(beta)")
                // Padding columns of C are never written.
                for i in 0..<m { for j in n..<ldc { #expect(fast[i * ldc + j] == c0[i * ldc + j]) } }
            }
        }
    }

    @Test("beta 0 ignores NaN in C, as BLAS does")
    func betaZeroOverwrites() {
        let a: [Float] = [1, 2], b: [Float] = [3, 4]
        var c: [Float] = [.nan]
        lfr_sgemm_reference(0, 0, 1, 1, 2, 1, a, 2, b, 1, 0, &c, 1)
        #expect(c == [11])
    }

    @Test("the configuration names OpenBLAS once loaded")
    func description() {
        _ = try? Tensor.matmul(Tensor.ones([2, 2]), Tensor.ones([2, 2]))
        #expect(BLAS.isLoaded)
        #expect(BLAS.configuration.contains("OpenBLAS"))
    }
}
