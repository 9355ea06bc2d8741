// Data-parallel training under mpirun (scripts/test: -np 2 and -np 3): every
// rank also trains the one-process reference (a LocalExchange run with the
// same global micro-batches) and checks that the distributed run matches it
// and that all ranks hold the same parameters and statistics.
import Cluster
import Data
import Foundation
import Models
import ScriptLibrary
import Schedules
import TensorCore
import XCTest

func patternDataset() throws -> Dataset {
    var g = RandomGenerator(seed: 11)
    let n = 96 * 8 + 1
    var tokens = [Float](repeating: 0, count: n)
    // Noise only in the second half: block losses are well separated, so
    // the focus phase's choice is not decided by rounding.
    for i in 0..<n {
        let noisy = i > n / 2 && g.nextInt(below: 3) == 0
        tokens[i] = noisy ? Float(g.nextInt(below: 16)) : Float((i * 3) % 16)
    }
    return try Dataset(tokens: Tensor(shape: [n], values: tokens), context: 8, val: 0.25, seed: 3, vocab: 16)
}

func dataParallelRun(_ exchange: any Exchange, microBatches: Int, steps: Int = 100, groups: Int = 1) throws -> Run {
    var config = TrainerConfig()
    config.batch = 12
    config.microBatches = microBatches
    config.gradientGroups = groups
    config.seed = 5
    config.evalEvery = 25
    config.evalBlocks = nil
    let schedule = Schedule(phases: [.learn(.steps(steps / 2)), .focus(.steps(steps / 4), drop: 0.5),
                                     .review(.steps(steps - steps / 2 - steps / 4))])
    let model = try GPT(config: GPTConfig(layers: 1, heads: 2, dim: 16, context: 8, vocab: 16), seed: 1)
    let run = try Run(model: model, optimizer: AdamW(learningRate: 3e-3), data: patternDataset(),
                      schedule: schedule, config: config)
    run.exchange = exchange
    return run
}

func checksum(_ p: ParameterSet) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for i in 0..<p.count { h = (h ^ UInt64(p.values[i].bitPattern)) &* 0x100_0000_01b3 }
    return h
}

final class DataParallelTests: XCTestCase {
    func testDataParallelRunMatchesOneProcessWithAccumulation() throws {
        let world = try ScriptWorld.start()
        let exchange = DataParallel.exchange
        XCTAssertEqual(exchange.size, world.size)
        let g = 6   // a multiple of 1, 2 and 3 ranks
        let dist = try dataParallelRun(exchange, microBatches: g)
        XCTAssertEqual(try dist.advance(), .finished)
        let ref = try dataParallelRun(LocalExchange(), microBatches: g)
        XCTAssertEqual(try ref.advance(), .finished)

        XCTAssertEqual(dist.step, 100)
        // Summed in the ranks' groups, one process is the 2-rank run to the bit
        // (on more ranks MPI picks the order of the rank sums).
        let grouped = try dataParallelRun(LocalExchange(), microBatches: g, groups: world.size)
        XCTAssertEqual(try grouped.advance(), .finished)
        if world.size <= 2 {
            XCTAssertEqual(grouped.curves["train_loss"]!.map(\.value), dist.curves["train_loss"]!.map(\.value))
            XCTAssertEqual(checksum(grouped.model.parameters), checksum(dist.model.parameters))
        }
        let a = dist.curves["train_loss"]!.map(\.value), b = ref.curves["train_loss"]!.map(\.value)
        XCTAssertEqual(a.count, b.count)
        var worst = 0.0
        for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) / abs(y)) }
        XCTAssertLessThan(worst, 1e-5, "largest relative difference of the training losses")
        XCTAssertEqual(a[0], b[0], "the first step is exactly the one-process step")
        // Same focus decisions, same visits.
        XCTAssertEqual(dist.chosenByGroup, ref.chosenByGroup)
        XCTAssertEqual(dist.stats.seen, ref.stats.seen)
        let dv = dist.curves["val_loss"]!.map(\.value), rv = ref.curves["val_loss"]!.map(\.value)
        for (x, y) in zip(dv, rv) { XCTAssertEqual(x, y, accuracy: 1e-5 * abs(y)) }

        // Every rank holds the same parameters and the same blocks.csv.
        let sum = checksum(dist.model.parameters)
        let sums = try exchange.gather(bytes: withUnsafeBytes(of: sum) { Array($0) })
        XCTAssertEqual(Set(sums).count, 1, "parameter checksums differ between ranks")
        let csv = try exchange.gather(bytes: Array(RunFolder.blocksCSV(dist.stats).utf8))
        XCTAssertEqual(Set(csv).count, 1, "blocks.csv differs between ranks")
        if world.size > 1 { XCTAssertGreaterThan(DataParallel.reducedBytes, 0) }
    }

    func testMicroBatchRule() throws {
        XCTAssertEqual(try DataParallel.microBatches(batch: 12, requested: 1, ranks: 2), 2)
        XCTAssertEqual(try DataParallel.microBatches(batch: 12, requested: 6, ranks: 3), 6)
        XCTAssertThrowsError(try DataParallel.microBatches(batch: 12, requested: 4, ranks: 3))
        XCTAssertThrowsError(try DataParallel.microBatches(batch: 10, requested: 1, ranks: 3))
    }
}

final class ParallelCompareTests: XCTestCase {
    func testParallelCompareGivesTheSequentialTable() throws {
        let world = try ScriptWorld.start()
        let exchange = DataParallel.exchange
        let data = try patternDataset()
        var config = TrainerConfig()
        config.batch = 12
        config.evalEvery = 4
        let schedules: [(name: String, schedule: Schedule)] = [
            ("random", Schedule(phases: [.learn(.steps(12))])),
            ("focus", Schedule(phases: [.learn(.steps(6)), .focus(.steps(6), drop: 0.5)])),
        ]
        let prototype = try GPT(config: GPTConfig(layers: 1, heads: 2, dim: 16, context: 8, vocab: 16), seed: 1)
        func compare() throws -> Comparison {
            try Comparer.compare(schedules: schedules, model: prototype, data: data, config: config,
                                 optimizer: { try AdamW(learningRate: 3e-3) }, seeds: [1, 2, 3], budget: 12 * 12 * 8)
        }
        let parallel = try compare()
        DataParallel.exchange = LocalExchange()
        defer { DataParallel.exchange = exchange }
        let sequential = try compare()
        XCTAssertEqual(parallel.runs.count, 6)
        XCTAssertEqual(parallel.table, sequential.table)
        XCTAssertEqual(parallel.runs.map { $0.run.curves["val_ppl"]!.map(\.value) },
                       sequential.runs.map { $0.run.curves["val_ppl"]!.map(\.value) })
        // Every rank returns the same comparison.
        XCTAssertEqual(Set(try exchange.gather(bytes: Array(parallel.table.utf8))).count, 1)
        _ = world
    }
}

final class ResumeAcrossRanksTests: XCTestCase {
    /// A run saved on R ranks resumes on R ranks bit-identically, and on one
    /// process it ends where the one-process run with the same micro-batches
    /// ends: to rounding with one gradient group, to the bit with the ranks'
    /// groups on 2 ranks (the file records them).
    func testSaveOnRanksResumeOnOneAndOnRanks() throws {
        _ = try ScriptWorld.start()
        let exchange = DataParallel.exchange
        let uninterrupted = try dataParallelRun(exchange, microBatches: 6, steps: 60)
        XCTAssertEqual(try uninterrupted.advance(), .finished)
        let reference = try dataParallelRun(LocalExchange(), microBatches: 6, steps: 60)
        XCTAssertEqual(try reference.advance(), .finished)

        let first = try dataParallelRun(exchange, microBatches: 6, steps: 60)
        XCTAssertEqual(try first.advance(stopWhen: { $0.step == 33 }), .interrupted)
        let path = FileManager.default.temporaryDirectory.path + "/lfr-resume-test-\(getppid()).run"
        if exchange.rank == 0 { try first.save(to: path) }
        _ = try exchange.gather(bytes: [])   // the file exists before anyone reads it
        defer { if exchange.rank == 0 { try? FileManager.default.removeItem(atPath: path) } }
        let schedule = first.schedule
        var config = first.config

        config.out = nil
        let again = try Run.load(path: path, data: first.data, schedule: schedule, config: config)
        again.exchange = exchange
        XCTAssertEqual(try again.advance(), .finished)
        XCTAssertEqual(again.curves["train_loss"]!.map(\.value), uninterrupted.curves["train_loss"]!.map(\.value))
        XCTAssertEqual(checksum(again.model.parameters), checksum(uninterrupted.model.parameters))

        let alone = try Run.load(path: path, data: first.data, schedule: schedule, config: config)
        alone.exchange = LocalExchange()
        XCTAssertEqual(alone.config.gradientGroups, exchange.size, "the file records the ranks' gradient groups")
        XCTAssertEqual(try alone.advance(), .finished)
        let a = alone.curves["train_loss"]!.map(\.value), b = reference.curves["train_loss"]!.map(\.value)
        XCTAssertEqual(a.count, b.count)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-5 * abs(y)) }
        XCTAssertEqual(alone.stats.seen, reference.stats.seen)
        // Saved on 2 ranks, resumed on one: bit-identical to the uninterrupted
        // one-process run with the same accumulation (2 gradient groups), and to
        // the uninterrupted 2-rank run.
        if exchange.size <= 2 {
            let grouped = try dataParallelRun(LocalExchange(), microBatches: 6, steps: 60, groups: exchange.size)
            XCTAssertEqual(try grouped.advance(), .finished)
            XCTAssertEqual(a, grouped.curves["train_loss"]!.map(\.value))
            XCTAssertEqual(checksum(alone.model.parameters), checksum(grouped.model.parameters))
            XCTAssertEqual(a, uninterrupted.curves["train_loss"]!.map(\.value))
            XCTAssertEqual(checksum(alone.model.parameters), checksum(uninterrupted.model.parameters))
        }
        _ = try exchange.gather(bytes: [])
    }
}

final class InterruptAcrossRanksTests: XCTestCase {
    /// A stop request seen by one rank only (Ctrl-C or SIGTERM reaching the
    /// ranks at different moments) pauses every rank at the same step; the
    /// run then resumes and finishes like one never stopped.
    func testOneRanksInterruptPausesAllAtTheSameStep() throws {
        _ = try ScriptWorld.start()
        let exchange = DataParallel.exchange
        let run = try dataParallelRun(exchange, microBatches: 6, steps: 40)
        let last = exchange.size - 1
        var hooks = TrainerHooks()
        hooks.shouldPause = { [unowned run] in exchange.rank == last && run.step == 17 }
        XCTAssertEqual(try run.advance(hooks: hooks), .interrupted)
        Interrupt.clear()
        let steps = try exchange.gather([Float(run.step)])
        XCTAssertEqual(steps.map { $0[0] }, Array(repeating: 17, count: exchange.size))
        XCTAssertEqual(try run.advance(hooks: TrainerHooks()), .finished)
        let reference = try dataParallelRun(exchange, microBatches: 6, steps: 40)
        XCTAssertEqual(try reference.advance(), .finished)
        XCTAssertEqual(checksum(run.model.parameters), checksum(reference.model.parameters))
    }
}
