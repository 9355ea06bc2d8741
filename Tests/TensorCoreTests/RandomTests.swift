// Tests for RandomGenerator: the stream is fixed, so these values must never change.
import Testing
@testable import TensorCore

@Suite struct RandomTests {
    @Test func sameSeedSameStream() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
    }

    @Test func knownFirstValues() {
        // SplitMix64(0) seeding then xoshiro256**: pinned so that a change to
        // the algorithm (which would change every seeded run) fails here.
        // The expected words come from an independent Python implementation.
        var g = RandomGenerator(seed: 0)
        let first = (0..<3).map { _ in g.next() }
        #expect(first == [0x99ec_5f36_cb75_f2b4, 0xbf6e_1f78_4956_452a, 0x1a5f_849d_4933_e6e0])
    }

    @Test func uniformRangeAndMean() {
        var g = RandomGenerator(seed: 7)
        var sum = 0.0
        for _ in 0..<100_000 {
            let x = g.nextFloat()
            #expect(x >= 0 && x < 1)
            sum += Double(x)
        }
        #expect(abs(sum / 100_000 - 0.5) < 0.01)
    }

    @Test func normalMoments() {
        var g = RandomGenerator(seed: 3)
        var s = 0.0, s2 = 0.0
        let n = 200_000
        for _ in 0..<n { let z = g.nextNormal(); s += z; s2 += z * z }
        #expect(abs(s / Double(n)) < 0.01)
        #expect(abs(s2 / Double(n) - 1) < 0.02)
    }

    @Test func boundedIntegersCoverRange() {
        var g = RandomGenerator(seed: 9)
        var seen = Set<Int>()
        for _ in 0..<1000 { let v = g.nextInt(below: 10); #expect(v >= 0 && v < 10); seen.insert(v) }
        #expect(seen.count == 10)
    }
}
