// SamplerTests: shuffled epochs visit each id once, the same seed gives
// the same batches, and a saved state resumes exactly.
import Foundation
import Testing
@testable import Data
import TensorCore

@Suite struct SamplerTests {
    let ids: [Int32] = (0..<37).map { Int32($0 * 3) }

    @Test func eachEpochVisitsEveryIDOnce() throws {
        var s = try BatchSampler(ids: ids, seed: 5)
        let drawn = try s.next(batchSize: 37 * 3)
        for e in 0..<3 {
            let epoch = drawn[37 * e..<37 * (e + 1)]
            #expect(epoch.sorted() == ids)
        }
        // Epochs are shuffled differently, and not in the given order.
        #expect(Array(drawn[0..<37]) != Array(drawn[37..<74]))
        #expect(Array(drawn[0..<37]) != ids)
        #expect(s.state.epoch == 3 && s.state.position == 0)
    }

    @Test func sameSeedSameBatches() throws {
        var a = try BatchSampler(ids: ids, seed: 9), b = try BatchSampler(ids: ids, seed: 9)
        var c = try BatchSampler(ids: ids, seed: 10)
        var differs = false
        for _ in 0..<20 {
            let x = try a.next(batchSize: 8)
            #expect(x == (try b.next(batchSize: 8)))
            if x != (try c.next(batchSize: 8)) { differs = true }
        }
        #expect(differs)
    }

    @Test func resumeFromSavedStateIsExact() throws {
        var full = try BatchSampler(ids: ids, seed: 2)
        let reference = try (0..<30).map { _ in try full.next(batchSize: 5) }
        var first = try BatchSampler(ids: ids, seed: 2)
        var got = try (0..<13).map { _ in try first.next(batchSize: 5) }
        // Save the state as JSON, as a run folder would, and restore it.
        let json = try JSONEncoder().encode(first.state)
        let state = try JSONDecoder().decode(BatchSampler.State.self, from: json)
        var resumed = try BatchSampler(ids: ids, state: state)
        got += try (13..<30).map { _ in try resumed.next(batchSize: 5) }
        #expect(got == reference)
    }

    @Test func badArguments() throws {
        #expect(throws: DataError.self) { try BatchSampler(ids: [], seed: 1) }
        var s = try BatchSampler(ids: ids, seed: 1)
        #expect(throws: DataError.self) { try s.next(batchSize: 0) }
        #expect(throws: DataError.self) { try BatchSampler(ids: ids, state: .init(seed: 1, epoch: 0, position: 37)) }
    }
}
