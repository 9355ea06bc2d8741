// Matmul: matrix products through BLAS.sgemm, with NumPy's matmul rules.
//
// What stays true here: shapes are checked before any BLAS call (a mismatch
// names "@" and both shapes); 1-d operands are treated as a row (left) or a
// column (right) vector and that axis is dropped from the result; batch
// axes broadcast. An operand whose last two axes are a dense row-major
// matrix (strides [ld, 1]) or a transposed one (strides [1, ld], e.g. `.T`
// of a dense matrix) is handed to BLAS in place with the transpose as a
// flag; only other layouts are copied. When the right operand has no batch
// axes and the left one is dense, all batches are one sgemm.

/// How a matrix operand is laid out for BLAS: transposed flag and leading dimension.
struct MatrixLayout { var transposed: Bool; var ld: Int }

extension Tensor {
    /// The BLAS layout of this tensor's last two axes, or nil when they need a copy.
    func matrixLayout() -> MatrixLayout? {
        let r = shape[rank - 2], c = shape[rank - 1]
        let sr = strides[rank - 2], sc = strides[rank - 1]
        // BLAS takes 32-bit leading dimensions.
        guard Swift.max(sr.magnitude, sc.magnitude) < UInt(Int32.max) else { return nil }
        if (sc == 1 || c <= 1) && (r <= 1 || sr >= Swift.max(c, 1)) {
            return MatrixLayout(transposed: false, ld: r <= 1 ? Swift.max(c, 1) : sr)
        }
        if (sr == 1 || r <= 1) && (c <= 1 || sc >= Swift.max(r, 1)) {
            return MatrixLayout(transposed: true, ld: c <= 1 ? Swift.max(r, 1) : sc)
        }
        return nil
    }

    /// The matrix product with NumPy's matmul rules (see the file header).
    public static func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.rank >= 1 && b.rank >= 1 else {
            throw TensorError.shapeMismatch(op: "@", shapes: [a.shape, b.shape],
                                            detail: "matmul needs at least 1-d operands; use * for scalars")
        }
        var A = a.rank == 1 ? try a.unsqueeze(axis: 0) : a
        var B = b.rank == 1 ? try b.unsqueeze(axis: -1) : b
        let M = A.shape[A.rank - 2], K = A.shape[A.rank - 1]
        let K2 = B.shape[B.rank - 2], N = B.shape[B.rank - 1]
        guard K == K2 else {
            throw TensorError.shapeMismatch(op: "@", shapes: [a.shape, b.shape],
                                            detail: "inner dimensions \(K) and \(K2) differ")
        }
        let batchA = Array(A.shape.dropLast(2)), batchB = Array(B.shape.dropLast(2))
        let batch: [Int]
        do { batch = try broadcastShape(batchA, batchB, op: "@") } catch {
            throw TensorError.shapeMismatch(op: "@", shapes: [a.shape, b.shape],
                                            detail: "batch dimensions \(batchA) and \(batchB) do not broadcast")
        }
        var outShape = batch + [M, N]
        guard let total = elementCount(outShape), M < Int(Int32.max), N < Int(Int32.max), K < Int(Int32.max) else {
            throw TensorError.invalidShape(op: "@", shape: outShape)
        }
        let out = try allocate(total, op: "@")
        if total > 0 {
            if A.matrixLayout() == nil { A = A.contiguous() }
            if B.matrixLayout() == nil { B = B.contiguous() }
            let la = A.matrixLayout()!, lb = B.matrixLayout()!     // dense or strided matrices always have one
            let batchCount = batch.reduce(1, *)
            withExtendedLifetime((A, B)) {
                let pa = A.storage.pointer, pb = B.storage.pointer
                if batchB.isEmpty && !la.transposed && A.isContiguous && batchCount * M < Int(Int32.max) {
                    // All batches of A stacked into one [batch * M, K] matrix.
                    BLAS.sgemm(transA: false, transB: lb.transposed, m: batchCount * M, n: N, k: K,
                               alpha: 1, a: pa + A.offset, lda: la.ld, b: pb + B.offset, ldb: lb.ld,
                               beta: 0, c: out.pointer, ldc: Swift.max(N, 1))
                    return
                }
                let stridesA = Array(Tensor(storage: A.storage, shape: batchA, strides: Array(A.strides.dropLast(2)),
                                            offset: 0).broadcastStrides(to: batch))
                let stridesB = Array(Tensor(storage: B.storage, shape: batchB, strides: Array(B.strides.dropLast(2)),
                                            offset: 0).broadcastStrides(to: batch))
                for i in 0..<batchCount {
                    var rem = i, offA = A.offset, offB = B.offset
                    var d = batch.count - 1
                    while d >= 0 {
                        let idx = rem % batch[d]
                        rem /= batch[d]
                        offA += idx * stridesA[d]; offB += idx * stridesB[d]
                        d -= 1
                    }
                    BLAS.sgemm(transA: la.transposed, transB: lb.transposed, m: M, n: N, k: K,
                               alpha: 1, a: pa + offA, lda: la.ld, b: pb + offB, ldb: lb.ld,
                               beta: 0, c: out.pointer + i * M * N, ldc: Swift.max(N, 1))
                }
            }
        }
        var result = Tensor(storage: out, shape: outShape, strides: contiguousStrides(outShape), offset: 0)
        if b.rank == 1 { outShape.removeLast(); result = try result.reshape(outShape) }
        if a.rank == 1 { outShape.remove(at: outShape.count - (b.rank == 1 ? 1 : 2)); result = try result.reshape(outShape) }
        return result
    }

    /// self @ other (see `Tensor.matmul`).
    public func matmul(_ other: Tensor) throws -> Tensor { try Tensor.matmul(self, other) }
}
