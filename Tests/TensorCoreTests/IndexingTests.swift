// Tests for indexing: slices with steps and negative indices, new axes and
// ellipsis, copy-on-write assignment, boolean masks, gather and take.
import Testing
@testable import TensorCore

@Suite struct IndexingTests {
    let m = try! Tensor.arange(12).reshape([3, 4])   // [[0..3], [4..7], [8..11]]

    @Test func integerAndRangeIndexing() throws {
        #expect(try m[.index(1)].toArray() == [4, 5, 6, 7])
        #expect(try m[.index(-1)].toArray() == [8, 9, 10, 11])
        #expect(try m[.all, .index(2)].toArray() == [2, 6, 10])
        #expect(try m[.index(2), .index(3)].shape == [])
        #expect(try m[.range(nil, nil, 2), .range(1, 3, nil)].toArray() == [1, 2, 9, 10])
        #expect(try m[.all, .range(nil, nil, -1)].toArray() == [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8])
        #expect(try m[.range(-2, nil, nil)].toArray() == [4, 5, 6, 7, 8, 9, 10, 11])
        #expect(try m[.range(5, 9, nil)].shape == [0, 4])
        #expect(try m[.all, .range(3, 0, -2)].toArray() == [3, 1, 7, 5, 11, 9])
        #expect(try m[.all, .range(-100, 100, nil)].shape == [3, 4])
        #expect(try m[.range(Int.min, Int.max, Int.max)].toArray() == [0, 1, 2, 3])
        #expect(try m[.range(Int.max, Int.min, Int.min)].toArray() == [8, 9, 10, 11])
        #expect(try m[.all, .range(nil, nil, Int.min)].toArray() == [3, 7, 11])
        let v = try m[.range(1, nil, nil)]
        #expect(v.storage === m.storage)                   // a view
        #expect(try m[.newAxis, .all].shape == [1, 3, 4])
        #expect(try m[.ellipsis, .index(0)].toArray() == [0, 4, 8])
        #expect(try m[.index(0), .ellipsis].toArray() == [0, 1, 2, 3])
    }

    @Test func slicesMatchPythonSemantics() throws {
        // Reference: Python's range(*slice(s, e, st).indices(n)), written out.
        func python(_ s: Int?, _ e: Int?, _ st: Int?, _ n: Int) -> [Int] {
            let step = st ?? 1
            var start: Int, stop: Int
            if step > 0 {
                start = s.map { $0 < 0 ? Swift.max($0 + n, 0) : Swift.min($0, n) } ?? 0
                stop = e.map { $0 < 0 ? Swift.max($0 + n, 0) : Swift.min($0, n) } ?? n
                return Array(stride(from: start, to: stop, by: step))
            } else {
                start = s.map { $0 < 0 ? Swift.max($0 + n, -1) : Swift.min($0, n - 1) } ?? n - 1
                stop = e.map { $0 < 0 ? Swift.max($0 + n, -1) : Swift.min($0, n - 1) } ?? -1
                return Array(stride(from: start, to: stop, by: step))
            }
        }
        let v = try Tensor.arange(7)
        let bounds: [Int?] = [nil, -9, -7, -3, -1, 0, 2, 6, 7, 9]
        for s in bounds { for e in bounds { for st in [nil, 1, 2, 3, -1, -2, -4] as [Int?] {
            #expect(try v[.range(s, e, st)].toArray() == python(s, e, st, 7).map(Float.init), "\(String(describing: s)):\(String(describing: e)):\(String(describing: st))")
        } } }
    }

    @Test func indexErrors() throws {
        #expect(tensorError { try m[.index(3)] } == .indexOutOfRange(op: "index", index: 3, axis: 0, size: 3))
        #expect(tensorError { try m[.all, .index(-5)] } == .indexOutOfRange(op: "index", index: -5, axis: 1, size: 4))
        #expect(tensorError { try m[.all, .all, .all] } != nil)
        #expect(tensorError { try m[.range(nil, nil, 0)] } != nil)
        #expect(tensorError { try m[.ellipsis, .ellipsis] } != nil)
        #expect(tensorError { try m.item([0]) } != nil)
        #expect(tensorError { try Tensor(scalar: 1)[.index(0)] } != nil)
    }

    @Test func assignmentIsCopyOnWrite() throws {
        var a = m
        try a.assign([.index(0)], 9)
        #expect(try a[.index(0)].toArray() == [9, 9, 9, 9])
        #expect(try m[.index(0)].toArray() == [0, 1, 2, 3])     // the original is untouched
        try a.assign([.all, .range(nil, nil, 2)], try Tensor(nested: [[-1, -2]]))   // broadcast
        #expect(a.toArray() == [-1, 9, -2, 9, -1, 5, -2, 7, -1, 9, -2, 11])
        // Overlapping source and destination (a[1:] = a[:-1]).
        var b = try Tensor.arange(5)
        try b.assign([.range(1, nil, nil)], try b[.range(nil, -1, nil)])
        #expect(b.toArray() == [0, 0, 1, 2, 3])
        // Writing into a transposed view's selection.
        var t = m.T
        try t.assign([.index(0)], 100)
        #expect(t.shape == [4, 3])
        #expect(try t[.index(0)].toArray() == [100, 100, 100])
        #expect(try t[.index(1)].toArray() == [1, 5, 9])
        let e = tensorError { try a.assign([.index(0)], try Tensor.zeros([3])) }
        #expect(e?.description.contains("[3]") == true && e?.description.contains("[4]") == true)
    }

    @Test func booleanMasks() throws {
        let mask = try m .> 6.5
        #expect(try m.masked(mask).toArray() == [7, 8, 9, 10, 11])
        let rows = try m.masked(try Tensor(nested: [1, 0, 1]))
        #expect(rows.shape == [2, 4] && rows.toArray() == [0, 1, 2, 3, 8, 9, 10, 11])
        #expect(try m.masked(Tensor.zeros([3, 4])).shape == [0])
        var a = m
        try a.assign(mask: mask, 0)
        #expect(a.toArray() == [0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0])
        try a.assign(mask: try Tensor(nested: [0, 1, 0]), try Tensor(nested: [1, 2, 3, 4]))
        #expect(try a[.index(1)].toArray() == [1, 2, 3, 4])
        try a.assign(mask: mask, try Tensor(nested: [70, 80, 90, 100, 110]))
        #expect(try a.masked(mask).toArray() == [70, 80, 90, 100, 110])
        #expect(m.toArray() == (0..<12).map(Float.init))
        #expect(tensorError { try m.masked(Tensor.ones([4])) } != nil)
        #expect(tensorError { try a.assign(mask: mask, try Tensor(nested: [1, 2])) } != nil)
    }

    @Test func gatherAndTake() throws {
        let idx = try Tensor(nested: [[3, 0], [1, 1], [-1, 2]])
        let g = try m.gather(axis: 1, index: idx)
        #expect(g.shape == [3, 2] && g.toArray() == [3, 0, 5, 5, 11, 10])
        let g0 = try m.gather(axis: 0, index: try Tensor(nested: [[2, 0, 1, 0]]))
        #expect(g0.toArray() == [8, 1, 6, 3])
        // Gather from a transposed (non-contiguous) view.
        let gt = try m.T.gather(axis: 0, index: try Tensor(nested: [[1, 2, 3]]))
        #expect(gt.toArray() == [1, 6, 11])
        let t = try m.take(try Tensor(nested: [2, 0, 2]))
        #expect(t.shape == [3, 4] && t.toArray() == [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11])
        let c = try m.take(try Tensor(nested: [[1], [3]]), axis: 1)
        #expect(c.shape == [3, 2, 1] && c.toArray() == [1, 3, 5, 7, 9, 11])
        #expect(tensorError { try m.take(try Tensor(nested: [3])) } == .indexOutOfRange(op: "take", index: 3, axis: 0, size: 3))
        #expect(tensorError { try m.take(try Tensor(nested: [0.5])) } != nil)
        #expect(tensorError { try m.gather(axis: 1, index: try Tensor(nested: [[4]])) } != nil)
        #expect(tensorError { try m.gather(axis: 1, index: try Tensor(nested: [1])) } != nil)
        #expect(tensorError { try m.gather(axis: 2, index: idx) } != nil)
    }
}
