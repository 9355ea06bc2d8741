// BLAS: the one bridge from lfr to OpenBLAS's cblas_sgemm (opened on first
// use by the CBLAS target; see Sources/CBLAS/include/lfr_blas.h).
// Callers validate shapes first (this file only checks the leading
// dimensions, which would otherwise make OpenBLAS print and abort).
// Row-major throughout; a transposed operand is passed as a flag, not copied.
import CBLAS

public enum BLAS {
    /// Sets how many threads OpenBLAS uses for one call.
    public static func setThreads(_ n: Int) { lfr_blas_set_threads(Int32(max(1, n))) }
    /// The threads OpenBLAS uses for one call.
    public static var threads: Int { Int(lfr_blas_threads()) }
    /// OpenBLAS's build description and the kernel it picked for this CPU
    /// (or why it could not be opened).
    public static var configuration: String { String(cString: lfr_blas_description()) }
    /// Whether OpenBLAS has been opened yet (it is, on the first product).
    public static var isLoaded: Bool { lfr_blas_is_loaded() != 0 }

    /// C[M,N] = alpha * op(A)[M,K] @ op(B)[K,N] + beta * C, row-major.
    /// `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored
    /// (A is stored [K,M] when `transA`).
    @inlinable
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // OpenBLAS would leave C untouched; the product of empty sums is 0.
            for i in 0..<m {
                let row = c + i * ldc
                for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
            }
            return
        }
        precondition(lda >= max(1, transA ? m : k) && ldb >= max(1, transB ? k : n) && ldc >= max(1, n),
                     "BLAS.sgemm: leading dimension too small (caller bug)")
        lfr_sgemm(transA ? 1 : 0, transB ? 1 : 0,
                  Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                  beta, c, Int32(ldc))
    }
}
