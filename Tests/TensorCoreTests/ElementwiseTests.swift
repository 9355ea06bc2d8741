// Tests for broadcasting elementwise ops: every fast path against a naive
// per-element reference, broadcasting edge cases, 0-d and empty tensors,
// non-contiguous inputs, comparisons, where, clamp, and the fast math
// functions against the C library.
import Testing
import Glibc
@testable import TensorCore

/// Naive reference: op applied element by element through multi-indices.
func naiveBinary(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) throws -> [Float] {
    let shape = try Tensor.broadcastShape(a.shape, b.shape, op: "ref")
    let n = shape.reduce(1, *)
    func at(_ t: Tensor, _ idx: [Int]) throws -> Float {
        let lead = idx.count - t.rank
        return try t.item((0..<t.rank).map { t.shape[$0] == 1 ? 0 : idx[lead + $0] })
    }
    return try (0..<n).map { flat in
        let idx = unravel(flat, shape)
        return f(try at(a, idx), try at(b, idx))
    }
}

@Suite struct ElementwiseTests {
    @Test func broadcastingShapes() throws {
        #expect(try Tensor.broadcastShape([2, 3], [3], op: "+") == [2, 3])
        #expect(try Tensor.broadcastShape([2, 1, 4], [3, 1], op: "+") == [2, 3, 4])
        #expect(try Tensor.broadcastShape([], [2, 2], op: "+") == [2, 2])
        #expect(try Tensor.broadcastShape([0, 3], [1, 3], op: "+") == [0, 3])
        let e = tensorError { try Tensor.broadcastShape([2, 3], [2, 4], op: "+") }
        #expect(e?.description == "shape mismatch in +: [2, 3], [2, 4] (cannot broadcast: dimension -1 is 3 and 4)")
        #expect(tensorError { try Tensor.broadcastShape([0], [2], op: "*") } != nil)
    }

    @Test func binaryOpsMatchNaiveReference() throws {
        let cases: [([Int], [Int])] = [
            ([2, 3], [2, 3]), ([2, 3], [3]), ([4, 1], [1, 5]), ([], [3, 2]), ([3, 2], []),
            ([2, 1, 3], [4, 1]), ([1], [7]), ([0, 3], [3]), ([2, 0], [1, 1]), ([5, 1, 1], [1, 1, 6]),
        ]
        let ops: [(ElementwiseOp, (Float, Float) -> Float)] = [
            (.add, { $0 + $1 }), (.sub, { $0 - $1 }), (.mul, { $0 * $1 }), (.div, { $0 / $1 }),
            (.maximum, { Swift.max($0, $1) }), (.minimum, { Swift.min($0, $1) }),
            (.lt, { $0 < $1 ? 1 : 0 }), (.ge, { $0 >= $1 ? 1 : 0 }), (.eq, { $0 == $1 ? 1 : 0 }),
            (.ne, { $0 != $1 ? 1 : 0 }), (.le, { $0 <= $1 ? 1 : 0 }), (.gt, { $0 > $1 ? 1 : 0 }),
        ]
        for (sa, sb) in cases {
            let a = sample(sa, seed: 1), b = sample(sb, seed: 2)
            for (op, f) in ops {
                let got = try Tensor.binary(op, a, b)
                #expect(got.shape == (try Tensor.broadcastShape(sa, sb, op: "x")))
                #expect(nil == mismatch(got.toArray(), try naiveBinary(a, b, f)), "\(op) \(sa) \(sb)")
            }
        }
    }

    @Test func powMatchesC() throws {
        let a = try Tensor.rand([10], seed: 3) + 0.5
        let b = try Tensor(nested: [2])
        #expect(nil == mismatch(try a.pow(b).toArray(), a.toArray().map { $0 * $0 }))
        #expect(nil == mismatch(try a.pow(0.5).toArray(), a.toArray().map { powf($0, 0.5) }))
        #expect(nil == mismatch(try a.pow(-1.3).toArray(), a.toArray().map { powf($0, -1.3) }))
    }

    @Test func nonContiguousAndLargeInputs() throws {
        // Transposed, sliced with a step and reversed views, large enough to be split across workers.
        let base = sample([300, 400], seed: 4)
        let other = sample([400, 300], seed: 5)
        let t = base.T
        let got = try t + other
        #expect(nil == mismatch(got.toArray(), try naiveBinary(t, other, +)))
        let stepped = try base.slice([.range(nil, nil, -2), .range(1, nil, 3)])
        let row = sample([stepped.shape[1]], seed: 6)
        #expect(nil == mismatch((try stepped * row).toArray(), try naiveBinary(stepped, row, *)))
        #expect(nil == mismatch(stepped.exp().toArray(), stepped.toArray().map { expf($0) }, rtol: 1e-6))
        let big = sample([1 << 18], seed: 7)
        #expect(nil == mismatch((try big - big).toArray(), [Float](repeating: 0, count: 1 << 18)))
    }

    @Test func scalarsAndZeroD() throws {
        let s = Tensor(scalar: 2)
        let r = try s * s
        #expect(r.shape == [] && r.toArray() == [4])
        let v = try Tensor(nested: [1, 2, 3])
        #expect(try (v + 1).toArray() == [2, 3, 4])
        #expect(try (10 - v).toArray() == [9, 8, 7])
        #expect(try (v / 2).toArray() == [0.5, 1, 1.5])
        #expect((-v).toArray() == [-1, -2, -3])
        #expect(try (Tensor.zeros([0]) + 1).shape == [0])
    }

    @Test func unaryOpsMatchC() throws {
        let x = try Tensor.linspace(-12, 12, count: 2001)
        let xs = x.toArray()
        #expect(nil == mismatch(x.exp().toArray(), xs.map { expf($0) }, atol: 0, rtol: 4e-7))
        #expect(nil == mismatch(x.tanh().toArray(), xs.map { tanhf($0) }, atol: 2e-7, rtol: 2e-7))
        #expect(nil == mismatch(x.sigmoid().toArray(), xs.map { 1 / (1 + expf(-$0)) }, atol: 1e-7, rtol: 1e-6))
        #expect(nil == mismatch(x.map(.expm1).toArray(), xs.map { expm1f($0) }, atol: 0, rtol: 1e-6))
        #expect(x.abs().toArray() == xs.map { Swift.abs($0) })
        #expect(x.relu().toArray() == xs.map { Swift.max($0, 0) })
        #expect(x.map(.square).toArray() == xs.map { $0 * $0 })
        let p = try x.abs() + 0.001
        #expect(nil == mismatch(p.log().toArray(), p.toArray().map { logf($0) }))
        #expect(nil == mismatch(p.sqrt().toArray(), p.toArray().map { sqrtf($0) }))
        // Tiny arguments keep their relative accuracy.
        let tiny = try Tensor(nested: [1e-6, -3e-5, 1e-3, 0])
        #expect(nil == mismatch(tiny.tanh().toArray(), tiny.toArray().map { tanhf($0) }, atol: 0, rtol: 1e-6))
        #expect(nil == mismatch(tiny.map(.expm1).toArray(), tiny.toArray().map { expm1f($0) }, atol: 0, rtol: 1e-6))
    }

    @Test func fastMathEdgeValues() throws {
        let x = try Tensor(nested: [0, -0.0, 88.5, 89, -87.5, -103, -200, 200])
        let special = Tensor([.infinity, -.infinity, .nan])
        #expect(nil == mismatch(x.exp().toArray(), x.toArray().map { expf($0) }, atol: 1e-44, rtol: 1e-6))
        let e = special.exp().toArray()
        #expect(e[0] == .infinity && e[1] == 0 && e[2].isNaN)
        let t = special.tanh().toArray()
        #expect(t[0] == 1 && t[1] == -1 && t[2].isNaN)
        let r = special.relu().toArray()
        #expect(r[0] == .infinity && r[1] == 0 && r[2].isNaN)   // relu keeps NaN (a diverging loss stays visible)
        let g = special.gelu().toArray()
        #expect(g[0] == .infinity && g[1] == 0 && g[2].isNaN)
        let gt = special.gelu(approximate: true).toArray()
        #expect(gt[0] == .infinity && gt[1] == 0 && gt[2].isNaN)
    }

    @Test func geluBothForms() throws {
        let x = try Tensor.linspace(-9, 9, count: 3001)
        let xs = x.toArray()
        let exact = xs.map { Float(0.5 * Double($0) * (1 + erf(Double($0) / 2.0.squareRoot()))) }
        #expect(nil == mismatch(x.gelu().toArray(), exact, atol: 2e-7, rtol: 1e-6))
        let approx = xs.map { v -> Float in
            let d = Double(v)
            return Float(0.5 * d * (1 + Glibc.tanh(0.7978845608028654 * (d + 0.044715 * d * d * d))))
        }
        #expect(nil == mismatch(x.gelu(approximate: true).toArray(), approx, atol: 2e-7, rtol: 1e-6))
    }

    @Test func whereAndClamp() throws {
        let c = try Tensor(nested: [[1, 0], [0, 1]])
        let w = try Tensor.where(c, try Tensor(nested: [10, 20]), -1)
        #expect(w.toArray() == [10, -1, -1, 20])
        let v = try Tensor(nested: [-2, 0.5, 3])
        #expect(try v.clamp(min: 0, max: 1).toArray() == [0, 0.5, 1])
        #expect(try v.clamp(min: 0).toArray() == [0, 0.5, 3])
        #expect(try v.clamp(max: 0).toArray() == [-2, 0, 0])
        #expect(tensorError { try v.clamp(min: 2, max: 1) } != nil)
        let e = tensorError { try Tensor.where(Tensor.ones([2]), Tensor.ones([3]), 0) }
        #expect(e?.description.contains("where") == true)
        #expect(try (v .> 0).toArray() == [0, 1, 1])
        #expect(try Tensor.where(try v .> 0, v, 0).toArray() == [0, 0.5, 3])
    }

    @Test func stridedViewsEverywhere() throws {
        // Reversed, stepped and transposed views through unary, binary and where.
        let base = sample([6, 8], seed: 21)
        let rev = try base[.range(nil, nil, -1), .range(nil, nil, -3)]          // [6, 3], negative strides
        #expect(rev.map(.square).toArray() == rev.toArray().map { $0 * $0 })
        let t = base.T                                                        // [8, 6]
        let col = try sample([8, 1], seed: 22)
        #expect(nil == mismatch((try t * col).toArray(), try naiveBinary(t, col, *)))
        let cond = try t .> 0
        let w = try Tensor.where(cond, t, col)
        let expected = try naiveBinary(cond, t, { c, v in c }).enumerated().map { i, c -> Float in
            c != 0 ? t.toArray()[i] : col.toArray()[i / 6]
        }
        #expect(w.toArray() == expected)
        // Zero-size broadcasts and 0-d operands in where.
        #expect(try Tensor.where(Tensor(scalar: 1), Tensor.zeros([0, 2]), 5).shape == [0, 2])
        #expect(try Tensor.where(Tensor(scalar: 0), 1, 2).toArray() == [2])
    }

    @Test func mismatchMessagesNameOpAndShapes() {
        let e = tensorError { try Tensor.zeros([2, 3]) * Tensor.zeros([4]) }
        #expect(e?.description == "shape mismatch in *: [2, 3], [4] (cannot broadcast: dimension -1 is 3 and 4)")
    }
}
