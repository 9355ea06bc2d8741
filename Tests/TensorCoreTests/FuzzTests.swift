// A seeded fuzz of the public tensor API: random shapes (empty and 0-d
// included), random views, random (often invalid) arguments. Every call must
// either return a well-formed tensor or throw a TensorError; a trap fails
// the whole test run, which is the point.
import Testing
import Glibc
@testable import TensorCore

@Suite struct FuzzTests {
    @Test(arguments: [2024, 7, 99] as [UInt64])
    func randomCallsNeverTrap(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        func int(_ lo: Int, _ hi: Int) -> Int { lo + g.nextInt(below: hi - lo + 1) }
        func shape() -> [Int] { (0..<int(0, 3)).map { _ in int(0, 3) } }
        func tensor() -> Tensor {
            var t = try! Tensor.randn(shape(), using: &g)
            switch int(0, 3) {
            case 0: if t.rank >= 2 { t = t.T }
            case 1: if t.rank >= 1 { t = (try? t.slice([.range(nil, nil, int(-2, 2) == 0 ? 1 : int(-2, 2))])) ?? t }
            case 2: t = (try? t.expand(to: [2] + t.shape)) ?? t
            default: break
            }
            return t
        }
        func wellFormed(_ t: Tensor) {
            #expect(t.toArray().count == t.shape.reduce(1, *))
            _ = t.description
        }
        var returned = 0, thrown = 0
        for _ in 0..<(Int(getenv("LFR_FUZZ_ITERATIONS").map { String(cString: $0) } ?? "") ?? 3000) {
            let a = tensor(), b = tensor()
            let axis = int(-4, 3)
            do {
                let r: Tensor
                switch int(0, 19) {
                case 0: r = try Tensor.binary(ElementwiseOp.allCases[int(0, ElementwiseOp.allCases.count - 1)], a, b)
                case 1: r = a.map(UnaryOp.allCases[int(0, UnaryOp.allCases.count - 1)])
                case 2: r = try a.reduce(ReduceOp.allCases[int(0, ReduceOp.allCases.count - 1)],
                                         axis: int(0, 1) == 0 ? nil : axis, keepdims: int(0, 1) == 1)
                case 3: r = try a.variance(axis: axis, correction: int(0, 2))
                case 4: r = try a.softmax(axis: axis)
                case 5: r = try a.cumsum(axis: axis)
                case 6: r = try a.reshape((0..<int(0, 3)).map { _ in int(-1, 4) })
                case 7: r = try a.permute((0..<a.rank).map { _ in int(-1, a.rank) })
                case 8: r = try a.slice((0..<int(0, 4)).map { _ in
                    switch int(0, 4) {
                    case 0: return .index(int(-4, 4))
                    case 1: return .range(int(0, 1) == 0 ? nil : int(-5, 5), int(0, 1) == 0 ? nil : int(-5, 5), int(-3, 3))
                    case 2: return .newAxis
                    case 3: return .ellipsis
                    default: return .all
                    }
                })
                case 9: r = try Tensor.matmul(a, b)
                case 10: r = try a.gather(axis: axis, index: try Tensor.full(a.shape.map { $0 > 0 ? int(0, $0) : 0 }, Float(int(-3, 3))))
                case 11: r = try a.take(try Tensor.full([int(0, 3)], Float(int(-3, 3))), axis: axis)
                case 12: r = try a.topk(int(-1, 4), axis: axis).values
                case 13: r = try a.quantile(Double(int(-1, 11)) / 10, axis: int(0, 1) == 0 ? nil : axis)
                case 14: r = try Tensor.concat([a, b], axis: axis)
                case 15: r = try Tensor.stack([a, b], axis: axis)
                case 16: r = try a.masked(try b .> 0)
                case 17:
                    var c = a
                    try c.assign([.index(int(-3, 3))], b)
                    r = c
                case 18: r = try Tensor.where(a, b, Tensor(scalar: 1))
                default: r = try a.squeeze(axis: int(0, 1) == 0 ? nil : axis).unsqueeze(axis: axis)
                }
                wellFormed(r)
                returned += 1
            } catch is TensorError {
                thrown += 1
            }
        }
        // Both outcomes must be common, or the fuzz is not exploring.
        #expect(returned > 300 && thrown > 300, "returned \(returned), thrown \(thrown)")
    }

    @Test func mutatedSafeTensorsNeverTrap() throws {
        var g = RandomGenerator(seed: 5)
        let valid = try SafeTensors.encode([("a", try Tensor.randn([3, 2], seed: 1)), ("b", Tensor(scalar: 2))],
                                           metadata: ["k": "v"])
        var accepted = 0
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<(1 + g.nextInt(below: 4)) {
                let i = g.nextInt(below: bytes.count)
                bytes[i] = UInt8(truncatingIfNeeded: g.next())
            }
            do { _ = try SafeTensors.decode(bytes: bytes); accepted += 1 } catch is TensorError {}
        }
        #expect(accepted < 3000)   // most mutations of the header are caught
    }
}
