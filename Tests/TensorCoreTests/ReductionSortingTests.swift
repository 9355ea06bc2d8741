// Tests for reductions (against naive Double references), row functions
// (softmax, log_softmax, cumsum), and sorting (sort, argsort stability,
// topk, quantile against NumPy's linear rule).
import Testing
import Glibc
@testable import TensorCore

/// Naive reduction reference over `axis` of a tensor, in Double.
func naiveReduce(_ t: Tensor, axis: Int, _ f: ([Double]) -> Double) throws -> [Float] {
    var outShape = t.shape
    outShape.remove(at: axis)
    let n = outShape.reduce(1, *)
    return try (0..<n).map { flat in
        var idx = unravel(flat, outShape)
        idx.insert(0, at: axis)
        var values: [Double] = []
        for k in 0..<t.shape[axis] { idx[axis] = k; values.append(Double(try t.item(idx))) }
        return Float(f(values))
    }
}

@Suite struct ReductionTests {
    @Test func reductionsMatchNaive() throws {
        let t = sample([3, 4, 5], seed: 11).T          // non-contiguous [5, 4, 3]
        for axis in 0..<3 {
            #expect(nil == mismatch(try t.sum(axis: axis).toArray(), try naiveReduce(t, axis: axis) { $0.reduce(0, +) }))
            #expect(nil == mismatch(try t.mean(axis: axis).toArray(), try naiveReduce(t, axis: axis) { $0.reduce(0, +) / Double($0.count) }))
            #expect(try t.max(axis: axis).toArray() == (try naiveReduce(t, axis: axis) { $0.max()! }))
            #expect(try t.min(axis: axis).toArray() == (try naiveReduce(t, axis: axis) { $0.min()! }))
            #expect(try t.argmax(axis: axis).toArray() == (try naiveReduce(t, axis: axis) { v in Double(v.firstIndex(of: v.max()!)!) }))
            #expect(try t.argmin(axis: axis).toArray() == (try naiveReduce(t, axis: axis) { v in Double(v.firstIndex(of: v.min()!)!) }))
            let variance: ([Double], Int) -> Double = { v, c in
                let mu = v.reduce(0, +) / Double(v.count)
                return v.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(v.count - c)
            }
            #expect(nil == mismatch(try t.variance(axis: axis).toArray(), try naiveReduce(t, axis: axis) { variance($0, 0) }))
            #expect(nil == mismatch(try t.std(axis: axis, correction: 1).toArray(), try naiveReduce(t, axis: axis) { variance($0, 1).squareRoot() }))
            #expect(nil == mismatch(try t.logsumexp(axis: axis).toArray(), try naiveReduce(t, axis: axis) { v in Glibc.log(v.map { Glibc.exp($0) }.reduce(0, +)) }))
            #expect(try t.sum(axis: axis, keepdims: true).shape == t.shape.enumerated().map { $0.offset == axis ? 1 : $0.element })
        }
        let all = t.toArray().map(Double.init)
        #expect(try t.sum().shape == [])
        #expect(abs(try t.sum().scalarValue() - Float(all.reduce(0, +))) < 1e-4)
        #expect(try t.max().scalarValue() == Float(all.max()!))
        #expect(try t.argmax().scalarValue() == Float(t.toArray().firstIndex(of: Float(all.max()!))!))
        #expect(try t.mean(keepdims: true).shape == [1, 1, 1])
    }

    @Test func edgeCases() throws {
        let e = try Tensor.zeros([0, 3])
        #expect(try e.sum(axis: 0).toArray() == [0, 0, 0])
        #expect(try e.sum(axis: 1).shape == [0])
        #expect(try e.sum().toArray() == [0])
        #expect(try e.mean().scalarValue().isNaN)
        #expect(tensorError { try e.max(axis: 0) } != nil)
        #expect(tensorError { try e.argmin() } != nil)
        let s = Tensor(scalar: 4)
        #expect(try s.sum().toArray() == [4] && (try s.max().toArray()) == [4])
        let withNaN = Tensor([1, 5, .nan, 2])
        #expect(try withNaN.max().scalarValue().isNaN)
        #expect(try withNaN.argmax().scalarValue() == 2)
        let ties = try Tensor(nested: [3, 1, 3, 1])
        #expect(try ties.argmax().scalarValue() == 0 && (try ties.argmin().scalarValue()) == 1)
        #expect(try Tensor(nested: [1]).variance(correction: 1).scalarValue().isNaN)
        #expect(tensorError { try e.sum(axis: 2) } != nil)
    }

    @Test func softmaxFamily() throws {
        let t = sample([4, 7], seed: 12)
        for axis in [0, 1, -1] {
            let sm = try t.softmax(axis: axis)
            let sums = try sm.sum(axis: axis).toArray()
            #expect(nil == mismatch(sums, [Float](repeating: 1, count: sums.count)))
            let lse = try t.logsumexp(axis: axis, keepdims: true)
            #expect(nil == mismatch(sm.toArray(), try (t - lse).exp().toArray(), atol: 1e-6))
            #expect(nil == mismatch(try t.logSoftmax(axis: axis).toArray(), try (t - lse).toArray(), atol: 1e-5))
        }
        // Large values do not overflow.
        let big = try Tensor(nested: [1000, 1001, 1002])
        let p = try big.softmax().toArray()
        let q = [Float](arrayLiteral: 0.09003057, 0.24472847, 0.66524096)
        #expect(nil == mismatch(p, q, atol: 1e-6))
        #expect(nil == mismatch(try big.logSoftmax().toArray(), q.map { logf($0) }, atol: 1e-5))
        #expect(try Tensor(scalar: 3).softmax(axis: 0).toArray() == [1])
        #expect(try Tensor.zeros([2, 0]).softmax().shape == [2, 0])
    }

    @Test func cumsum() throws {
        let t = try Tensor.arange(6).reshape([2, 3])
        #expect(try t.cumsum(axis: 1).toArray() == [0, 1, 3, 3, 7, 12])
        #expect(try t.cumsum(axis: 0).toArray() == [0, 1, 2, 3, 5, 7])
        #expect(try t.cumsum().toArray() == [0, 1, 3, 6, 10, 15])
        #expect(try t.T.cumsum(axis: 1).toArray() == [0, 3, 1, 5, 2, 7])
    }
}

@Suite struct SortingTests {
    @Test func sortAndArgsort() throws {
        let v = Tensor([3, 1, 2, 1, .nan, -5, 3])
        let s = try v.sort().toArray()
        #expect(Array(s.prefix(6)) == [-5, 1, 1, 2, 3, 3] && s[6].isNaN)
        #expect(try v.argsort().toArray() == [5, 1, 3, 2, 0, 6, 4])             // stable
        #expect(try v.argsort(descending: true).toArray() == [4, 0, 6, 2, 1, 3, 5])  // stable, NaN first
        let m = try Tensor(nested: [[3, 1, 2], [0, 9, 4]])
        #expect(try m.sort(axis: 0).toArray() == [0, 1, 2, 3, 9, 4])
        #expect(try m.argsort(axis: 1).toArray() == [1, 2, 0, 0, 2, 1])
        #expect(try m.T.sort(axis: 1).toArray() == [0, 3, 1, 9, 2, 4])
        #expect(try Tensor.zeros([0]).sort().shape == [0])
        // Against the standard library on random data.
        let r = sample([1000], seed: 13)
        #expect(try r.sort().toArray() == r.toArray().sorted())
    }

    @Test func topk() throws {
        let v = try Tensor(nested: [1, 5, 3, 5, 2])
        let (vals, idx) = try v.topk(3)
        #expect(vals.toArray() == [5, 5, 3] && idx.toArray() == [1, 3, 2])
        let (small, sidx) = try v.topk(2, largest: false)
        #expect(small.toArray() == [1, 2] && sidx.toArray() == [0, 4])
        let m = try Tensor(nested: [[1, 9], [7, 3], [5, 5]])
        let (cv, ci) = try m.topk(1, axis: 0)
        #expect(cv.shape == [1, 2] && cv.toArray() == [7, 9] && ci.toArray() == [1, 0])
        #expect(tensorError { try v.topk(6) } != nil)
        #expect(try v.topk(0).values.shape == [0])
    }

    @Test func quantileLikeNumPy() throws {
        let v = try Tensor(nested: [7, 1, 3, 9, 5])       // sorted: 1 3 5 7 9
        #expect(try v.quantile(0).scalarValue() == 1)
        #expect(try v.quantile(1).scalarValue() == 9)
        #expect(try v.quantile(0.5).scalarValue() == 5)
        #expect(try v.quantile(0.3).scalarValue() == 3 + 0.2 * 2)     // pos 1.2
        #expect(abs(try v.quantile(0.9).scalarValue() - 8.2) < 1e-6)  // pos 3.6
        let m = try Tensor(nested: [[1, 2, 3, 4], [10, 40, 20, 30]])
        #expect(try m.quantile(0.5, axis: 1).toArray() == [2.5, 25])
        #expect(try m.quantile(0.5, axis: 0, keepdims: true).shape == [1, 4])
        #expect(try Tensor([1, .nan]).quantile(0.2).scalarValue().isNaN)
        // Against the linear rule on random rows (non-contiguous input).
        let r = sample([37, 5], seed: 14).T                 // rows of 37 along axis 1
        for q in [0.0, 0.1, 0.37, 0.5, 0.99, 1.0] {
            let got = try r.quantile(q, axis: 1).toArray()
            let want = (0..<5).map { i -> Float in
                let row = (0..<37).map { Double(try! r.item([i, $0])) }.sorted()
                let pos = q * 36, lo = Int(pos.rounded(.down)), hi = Swift.min(lo + 1, 36)
                return Float(row[lo] + (row[hi] - row[lo]) * (pos - Double(lo)))
            }
            #expect(nil == mismatch(got, want, atol: 1e-6), "q \(q)")
        }
        #expect(tensorError { try v.quantile(1.5) } != nil)
        #expect(tensorError { try Tensor.zeros([0]).quantile(0.5) } != nil)
    }
}
