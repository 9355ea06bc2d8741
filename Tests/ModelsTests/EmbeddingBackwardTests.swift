// EmbeddingBackwardTests: the column-parallel embedding backward against a
// naive serial loop, bit for bit, at a size where it splits over workers
// (finite differences are in LayerTests).
import Testing
@testable import Models
import TensorCore

@Suite struct EmbeddingBackwardTests {
    @Test func columnSplitIsBitIdenticalToTheSerialLoop() {
        // C = 136: chunk edges on multiples of 8 and a short last chunk;
        // V = 7 makes most rows of dwte repeat many times.
        let B = 8, T = 64, C = 136, V = 7, N = B * T
        var rng = RandomGenerator(seed: 9)
        let tokens = (0..<N).map { _ in Int32(rng.nextInt(below: V)) }
        let dout = randomBuffer(N * C, seed: 3)
        let start = randomValues(V * C, seed: 4)
        let fast = Buf(start), dwpe = Buf([Float](repeating: 0, count: T * C))
        tokens.withUnsafeBufferPointer {
            Layers.embeddingBackward(dwte: fast.p, dwpe: dwpe.p, dout: dout.p, tokens: $0.baseAddress!, B: B, T: T, C: C)
        }
        var naive = start
        for n in 0..<N {
            for c in 0..<C { naive[Int(tokens[n]) * C + c] += dout.p[n * C + c] }
        }
        #expect(fast.array.map(\.bitPattern) == naive.map(\.bitPattern))
        var naivePos = [Float](repeating: 0, count: T * C)
        for n in 0..<N { for c in 0..<C { naivePos[(n % T) * C + c] += dout.p[n * C + c] } }
        #expect(dwpe.array.map(\.bitPattern) == naivePos.map(\.bitPattern))
        #expect(Parallel.workers < 2 || N * C >= 1 << 16)   // the size does take the parallel path
    }
}
