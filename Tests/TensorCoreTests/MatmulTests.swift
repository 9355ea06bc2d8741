// Tests for matmul: the BLAS path against a naive triple loop on odd shapes,
// batched and broadcast batches, 1-d vectors, transposed and strided views
// (passed to BLAS as flags), empty dimensions, and shape errors.
import Testing
@testable import TensorCore

/// Naive matmul over the last two axes with NumPy's rules, in Double.
func naiveMatmul(_ a: Tensor, _ b: Tensor) throws -> (shape: [Int], values: [Float]) {
    let A = a.rank == 1 ? try a.unsqueeze(axis: 0) : a
    let B = b.rank == 1 ? try b.unsqueeze(axis: -1) : b
    let M = A.shape[A.rank - 2], K = A.shape[A.rank - 1], N = B.shape[B.rank - 1]
    let batch = try Tensor.broadcastShape(Array(A.shape.dropLast(2)), Array(B.shape.dropLast(2)), op: "ref")
    var values: [Float] = []
    for bi in 0..<batch.reduce(1, *) {
        let idx = unravel(bi, batch)
        func pick(_ t: Tensor) -> [Int] {
            let lead = batch.count - (t.rank - 2)
            return (0..<(t.rank - 2)).map { t.shape[$0] == 1 ? 0 : idx[lead + $0] }
        }
        let ia = pick(A), ib = pick(B)
        for i in 0..<M { for j in 0..<N {
            var s = 0.0
            for k in 0..<K { s += Double(try A.item(ia + [i, k])) * Double(try B.item(ib + [k, j])) }
            values.append(Float(s))
        } }
    }
    var shape = batch + [M, N]
    if b.rank == 1 { shape.removeLast() }
    if a.rank == 1 { shape.remove(at: shape.count - (b.rank == 1 ? 1 : 2)) }
    return (shape, values)
}

@Suite struct MatmulTests {
    func check(_ a: Tensor, _ b: Tensor, _ label: String) throws {
        let got = try Tensor.matmul(a, b)
        let ref = try naiveMatmul(a, b)
        #expect(got.shape == ref.shape, "\(label)")
        #expect(nil == mismatch(got.toArray(), ref.values, atol: 1e-4, rtol: 1e-4), "\(label)")
    }

    @Test func oddShapes() throws {
        try check(sample([1, 1], seed: 1), sample([1, 1], seed: 2), "1x1")
        try check(sample([7, 13], seed: 3), sample([13, 5], seed: 4), "7x13x5")
        try check(sample([1, 9], seed: 5), sample([9, 1], seed: 6), "row x column")
        try check(sample([33, 1], seed: 7), sample([1, 17], seed: 8), "outer product")
    }

    @Test func vectors() throws {
        try check(sample([4], seed: 1), sample([4], seed: 2), "dot")
        try check(sample([3, 4], seed: 3), sample([4], seed: 4), "matrix @ vector")
        try check(sample([4], seed: 5), sample([4, 6], seed: 6), "vector @ matrix")
        try check(sample([2, 3, 4], seed: 7), sample([4], seed: 8), "batch @ vector")
        try check(sample([4], seed: 9), sample([2, 4, 3], seed: 10), "vector @ batch")
        #expect(try Tensor.matmul(sample([4], seed: 1), sample([4], seed: 2)).shape == [])
    }

    @Test func batchedAndBroadcast() throws {
        try check(sample([3, 7, 13], seed: 1), sample([3, 13, 5], seed: 2), "batched")
        try check(sample([3, 7, 13], seed: 3), sample([13, 5], seed: 4), "batch @ matrix (one sgemm)")
        try check(sample([7, 13], seed: 5), sample([3, 13, 5], seed: 6), "matrix @ batch")
        try check(sample([2, 1, 4, 3], seed: 7), sample([5, 3, 2], seed: 8), "broadcast batch dims")
    }

    @Test func transposedAndStridedViews() throws {
        let a = sample([13, 7], seed: 1), b = sample([5, 13], seed: 2)
        try check(a.T, b.T, "both transposed")
        try check(a.T, sample([13, 4], seed: 3), "A transposed")
        try check(sample([4, 5], seed: 4), b, "B normal")
        try check(sample([4, 13], seed: 5), b.T, "B transposed")
        let batchT = try sample([3, 13, 7], seed: 6).transpose(1, 2)   // [3, 7, 13] with strides [91, 1, 7]
        try check(batchT, sample([3, 13, 5], seed: 7), "batched transposed")
        // Row-sliced and column-stepped views (the latter needs a copy).
        let big = sample([20, 30], seed: 8)
        try check(try big[.range(2, 9, nil), .range(3, 16, nil)], sample([13, 5], seed: 9), "sliced (ld > cols)")
        try check(try big[.range(nil, 7, nil), .range(nil, nil, 2)], sample([15, 3], seed: 10), "stepped columns")
        try check(try big[.range(nil, nil, -1)], sample([30, 2], seed: 11), "reversed rows")
        // The transposed view goes to BLAS without a copy.
        #expect(a.T.matrixLayout().map { $0.transposed && $0.ld == 7 } == true)
        #expect(try big[.range(2, 9, nil), .range(3, 16, nil)].matrixLayout().map { !$0.transposed && $0.ld == 30 } == true)
        #expect(try big[.all, .range(nil, nil, 2)].matrixLayout() == nil)
    }

    @Test func emptyDimensions() throws {
        #expect(try Tensor.matmul(Tensor.zeros([0, 3]), Tensor.zeros([3, 4])).shape == [0, 4])
        let z = try Tensor.matmul(Tensor.ones([2, 0]), Tensor.ones([0, 3]))
        #expect(z.shape == [2, 3] && z.toArray() == [0, 0, 0, 0, 0, 0])
        #expect(try Tensor.matmul(Tensor.zeros([0, 2, 3]), Tensor.zeros([3, 4])).shape == [0, 2, 4])
    }

    @Test func shapeErrors() throws {
        let e = tensorError { try Tensor.matmul(Tensor.zeros([2, 3]), Tensor.zeros([2, 3])) }
        #expect(e?.description == "shape mismatch in @: [2, 3] @ [2, 3] (inner dimensions 3 and 2 differ)")
        #expect(tensorError { try Tensor.matmul(Tensor(scalar: 1), Tensor.zeros([2])) } != nil)
        let b = tensorError { try Tensor.matmul(Tensor.zeros([2, 3, 4]), Tensor.zeros([3, 4, 5])) }
        #expect(b?.description.contains("batch dimensions [2] and [3]") == true)
    }
}
