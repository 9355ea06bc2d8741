// RegimesTests: duplicate, noise, holdout and mix are exact: how many blocks,
// which blocks, their tokens, and validation untouched.
import Testing
@testable import Data
import TensorCore

@Suite struct RegimesTests {
    /// 0, 1, 2, ... mod 97 cut into blocks of context 8: 100 blocks, 20 val.
    func base() throws -> Dataset {
        try Dataset(tokens: Tensor((0..<801).map { Float($0 % 97) }), context: 8, val: 0.2, seed: 3, vocab: 97)
    }

    func expectValidationUntouched(_ d: Dataset, _ b: Dataset) throws {
        #expect(d.valIDs == b.valIDs)
        for id in b.valIDs { #expect(try d.block(Int(id)) == b.block(Int(id))) }
    }

    @Test func duplicateRepeatsTheChosenBlocks() throws {
        let b = try base()
        #expect(b.trainIDs.count == 80 && b.valIDs.count == 20)
        let (d, sources) = try b.duplicating(fraction: 0.25, copies: 3, seed: 7)
        #expect(sources.count == 20)                         // round(0.25 * 80)
        #expect(Set(sources).isSubset(of: Set(b.trainIDs)) && sources == sources.sorted() && Set(sources).count == 20)
        #expect(d.blockCount == 100 + 60 && d.trainIDs.count == 80 + 60)
        #expect(Array(d.trainIDs.prefix(80)) == b.trainIDs)
        #expect(Array(d.trainIDs.suffix(60)) == (100..<160).map { Int32($0) })
        for (i, s) in sources.enumerated() {
            for c in 0..<3 { #expect(try d.block(100 + 3 * i + c) == b.block(Int(s))) }
        }
        for id in 0..<100 { #expect(try d.block(id) == b.block(id)) }
        try expectValidationUntouched(d, b)
        #expect(d.tokenCount == b.tokenCount)                 // copies share the tokens
        #expect(d.info.alterations.count == 1 && d.alterationSummary.contains("20 of 80 training blocks duplicated x3"))
        // Same seed, same choice; another seed, another.
        #expect(try b.duplicating(fraction: 0.25, copies: 3, seed: 7).sources == sources)
        #expect(try b.duplicating(fraction: 0.25, copies: 3, seed: 8).sources != sources)
        #expect(throws: DataError.self) { try b.duplicating(fraction: 1.5, copies: 1) }
        #expect(throws: DataError.self) { try b.duplicating(fraction: 0.1, copies: 0) }
    }

    @Test func noiseAddsRandomBlocks() throws {
        let b = try base()
        let (d, noise) = try b.addingNoise(fraction: 0.2, seed: 1)
        #expect(noise.count == 20)                            // 20 / (80 + 20) = 0.2
        #expect(noise == (100..<120).map { Int32($0) })
        #expect(d.trainIDs == b.trainIDs + noise && d.blockCount == 120)
        try expectValidationUntouched(d, b)
        for id in 0..<100 { #expect(try d.block(id) == b.block(id)) }
        // Noise tokens are in the vocabulary and not the clean stream's pattern.
        var all = [Int]()
        for id in noise { let t = try d.block(Int(id)); #expect(t.count == 9); all += t }
        #expect(all.allSatisfy { $0 >= 0 && $0 < 97 })
        let consecutive = zip(all, all.dropFirst()).filter { ($0 + 1) % 97 == $1 }.count
        #expect(consecutive < 10)                             // the clean stream has every pair consecutive
        #expect(Set(all).count > 60)                          // 180 uniform draws of 97 ids cover about 84
        #expect(try b.addingNoise(fraction: 0.2, seed: 1).data.block(110) == d.block(110))
        #expect(throws: DataError.self) { try b.addingNoise(fraction: 1) }
    }

    @Test func holdoutSplitsTrainingOnly() throws {
        let b = try base()
        let (rest, held) = try b.holdingOut(fraction: 0.25, seed: 2)
        #expect(held.trainIDs.count == 20 && rest.trainIDs.count == 60)
        #expect(Set(held.trainIDs).isDisjoint(with: Set(rest.trainIDs)))
        #expect(Set(held.trainIDs).union(rest.trainIDs) == Set(b.trainIDs))
        #expect(Set(held.trainIDs).isDisjoint(with: Set(b.valIDs)))
        try expectValidationUntouched(rest, b)
        try expectValidationUntouched(held, b)
        for id in 0..<100 { #expect(try rest.block(id) == b.block(id)) }
        #expect(throws: DataError.self) { try b.holdingOut(fraction: 0) }
    }

    @Test func mixTakesBlocksInProportion() throws {
        let a = try base()                                   // 80 train blocks
        let other = try Dataset(tokens: Tensor((0..<401).map { Float(($0 * 7) % 97) }), context: 8, val: 0.1, seed: 1, vocab: 97)
        #expect(other.trainIDs.count == 45)
        // Weights 3:1 -> total limited by a: 80 / 0.75 = 106.7 -> 80 from a, 26 from other.
        let m = try Dataset.mixing([a, other], weights: [3, 1], seed: 5)
        #expect(m.blockCount == 100 + 50)
        let fromA = m.trainIDs.filter { $0 < 100 }, fromOther = m.trainIDs.filter { $0 >= 100 }
        #expect(fromA.count == 80 && fromOther.count == 26)
        #expect(Set(fromOther.map { $0 - 100 }).isSubset(of: Set(other.trainIDs)))
        for id in fromOther.prefix(5) { #expect(try m.block(Int(id)) == other.block(Int(id) - 100)) }
        try expectValidationUntouched(m, a)
        let small = try Dataset(tokens: Tensor((0..<401).map { Float($0 % 50) }), context: 4, vocab: 97)
        #expect(throws: DataError.self) { try Dataset.mixing([a, small], weights: [1, 1]) }
        #expect(throws: DataError.self) { try Dataset.mixing([a, other], weights: [0, 0]) }
    }
}
