// Tests for creation (nested arrays, constants, ranges, eye, random) and
// shape ops (reshape, transpose, permute, squeeze, unsqueeze, concat, stack).
import Testing
@testable import TensorCore

@Suite struct CreationTests {
    @Test func nestedArrays() throws {
        let t = try Tensor(nested: [[1, 2, 3], [4, 5, 6]])
        #expect(t.shape == [2, 3])
        #expect(t.toArray() == [1, 2, 3, 4, 5, 6])
        let s = try Tensor(nested: 2.5)
        #expect(s.shape == [] && s.toArray() == [2.5])
        let e = try Tensor(nested: [[], []])
        #expect(e.shape == [2, 0] && e.count == 0)
    }

    @Test func raggedNestedArraysThrow() {
        let e1 = tensorError { try Tensor(nested: [[1, 2], [3]]) }
        #expect(e1?.description.contains("ragged") == true)
        #expect(e1?.description.contains("[1]") == true)
        #expect(tensorError { try Tensor(nested: [[1, 2], 3]) } != nil)
        #expect(tensorError { try Tensor(nested: [1, [2]]) } != nil)
        var deep: NestedArray = 1
        for _ in 0..<1_000 { deep = .list([deep]) }   // (much deeper values overflow Swift's own recursive release)
        #expect(tensorError { try Tensor(nested: deep) }?.description.contains("at most 64") == true)
    }

    @Test func constants() throws {
        #expect(try Tensor.zeros([2, 2]).toArray() == [0, 0, 0, 0])
        #expect(try Tensor.ones([3]).toArray() == [1, 1, 1])
        #expect(try Tensor.full([2], 7).toArray() == [7, 7])
        #expect(try Tensor.zeros([]).shape == [])
        #expect(try Tensor.zeros([0, 3]).count == 0)
        #expect(tensorError { try Tensor.zeros([2, -1]) } == .invalidShape(op: "tensor", shape: [2, -1]))
        #expect(tensorError { try Tensor.zeros([1 << 40, 1 << 40]) } != nil)
        // Too large to allocate: a thrown error, never a trap.
        #expect(tensorError { try Tensor.zeros([1 << 45]) }?.description.contains("not enough memory") == true)
        let column = try Tensor.zeros([1 << 22, 1]), row = try Tensor.zeros([1, 1 << 22])
        #expect(tensorError { try column + row } != nil)
    }

    @Test func ranges() throws {
        #expect(try Tensor.arange(5).toArray() == [0, 1, 2, 3, 4])
        #expect(try Tensor.arange(1, 2, step: 0.25).toArray() == [1, 1.25, 1.5, 1.75])
        #expect(try Tensor.arange(3, 0, step: -1).toArray() == [3, 2, 1])
        #expect(try Tensor.arange(3, 0).count == 0)
        #expect(tensorError { try Tensor.arange(0, 1, step: 0) } != nil)
        #expect(try Tensor.linspace(0, 1, count: 5).toArray() == [0, 0.25, 0.5, 0.75, 1])
        #expect(try Tensor.linspace(2, 3, count: 1).toArray() == [2])
        #expect(try Tensor.linspace(2, 3, count: 0).count == 0)
        #expect(tensorError { try Tensor.linspace(0, 1, count: -1) } != nil)
    }

    @Test func eye() throws {
        #expect(try Tensor.eye(2).toArray() == [1, 0, 0, 1])
        let r = try Tensor.eye(2, 3)
        #expect(r.shape == [2, 3] && r.toArray() == [1, 0, 0, 0, 1, 0])
    }

    @Test func seededRandom() throws {
        let a = try Tensor.rand([100], seed: 5), b = try Tensor.rand([100], seed: 5)
        #expect(a.toArray() == b.toArray())
        #expect(a.toArray().allSatisfy { $0 >= 0 && $0 < 1 })
        // The documented draw: element i is the i-th nextFloat() of the seeded generator.
        var g = RandomGenerator(seed: 5)
        #expect(a.toArray() == (0..<100).map { _ in g.nextFloat() })
        var h = RandomGenerator(seed: 9)
        let n = try Tensor.randn([3], seed: 9)
        #expect(n.toArray() == (0..<3).map { _ in Float(h.nextNormal()) })
        #expect(try Tensor.rand([3], seed: 6).toArray() != a.toArray().prefix(3).map { $0 })
    }
}

@Suite struct ShapeTests {
    @Test func reshapeInfersOneDimension() throws {
        let t = try Tensor.arange(12)
        let r = try t.reshape([3, -1])
        #expect(r.shape == [3, 4])
        #expect(r.storage === t.storage)                       // a view
        #expect(try t.reshape([2, 2, 3]).toArray() == t.toArray())
        #expect(try Tensor(scalar: 3).reshape([1, 1]).shape == [1, 1])
        #expect(try Tensor.zeros([0, 4]).reshape([-1, 2]).shape == [0, 2])
    }

    @Test func reshapeErrors() throws {
        let t = try Tensor.arange(12)
        let e = tensorError { try t.reshape([5, 3]) }
        #expect(e?.description.contains("reshape") == true)
        #expect(e?.description.contains("[12]") == true && e?.description.contains("[5, 3]") == true)
        #expect(tensorError { try t.reshape([-1, -1]) } != nil)
        #expect(tensorError { try t.reshape([5, -1]) } != nil)
        #expect(tensorError { try t.reshape([-2, 6]) } != nil)
        #expect(tensorError { try Tensor.zeros([0]).reshape([0, -1]) } != nil)
    }

    @Test func transposeAndPermuteAreViews() throws {
        let t = try Tensor.arange(6).reshape([2, 3])
        let tt = t.T
        #expect(tt.shape == [3, 2] && tt.storage === t.storage)
        #expect(tt.toArray() == [0, 3, 1, 4, 2, 5])
        #expect(!tt.isContiguous)
        #expect(try t.transpose(0, 1).toArray() == tt.toArray())
        let c = try Tensor.arange(24).reshape([2, 3, 4])
        let p = try c.permute([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        for flat in 0..<24 {
            let i = unravel(flat, p.shape)
            #expect(try p.item(i) == c.item([i[1], i[2], i[0]]))
        }
        #expect(tensorError { try c.permute([0, 0, 1]) } != nil)
        #expect(tensorError { try c.permute([0, 1]) } != nil)
        #expect(tensorError { try c.transpose(0, 3) } != nil)
        // A reshape of a non-contiguous view copies in row-major order of the view.
        #expect(try tt.reshape([6]).toArray() == [0, 3, 1, 4, 2, 5])
    }

    @Test func squeezeUnsqueeze() throws {
        let t = try Tensor.zeros([1, 3, 1])
        #expect(try t.squeeze().shape == [3])
        #expect(try t.squeeze(axis: -1).shape == [1, 3])
        #expect(tensorError { try t.squeeze(axis: 1) } != nil)
        #expect(try t.unsqueeze(axis: 0).shape == [1, 1, 3, 1])
        #expect(try t.unsqueeze(axis: 3).shape == [1, 3, 1, 1])
        #expect(try t.unsqueeze(axis: -1).shape == [1, 3, 1, 1])
        #expect(try Tensor(scalar: 1).unsqueeze(axis: 0).shape == [1])
        #expect(tensorError { try t.unsqueeze(axis: 5) } != nil)
    }

    @Test func concatAndStack() throws {
        let a = try Tensor(nested: [[1, 2], [3, 4]])
        let b = try Tensor(nested: [[5, 6]])
        #expect(try Tensor.concat([a, b]).toArray() == [1, 2, 3, 4, 5, 6])
        let c = try Tensor.concat([a, a.T], axis: 1)
        #expect(c.shape == [2, 4] && c.toArray() == [1, 2, 1, 3, 3, 4, 2, 4])
        #expect(try Tensor.concat([a, Tensor.zeros([0, 2])]).shape == [2, 2])
        let e = tensorError { try Tensor.concat([a, b], axis: 1) }
        #expect(e?.description == "shape mismatch in concat: [2, 2], [1, 2] (all dimensions except axis 1 must match)")
        #expect(tensorError { try Tensor.concat([]) } != nil)
        let s = try Tensor.stack([a, a], axis: 1)
        #expect(s.shape == [2, 2, 2] && s.toArray() == [1, 2, 1, 2, 3, 4, 3, 4])
        #expect(try Tensor.stack([Tensor(scalar: 1), Tensor(scalar: 2)]).toArray() == [1, 2])
        #expect(tensorError { try Tensor.stack([a, b]) } != nil)
    }
}
