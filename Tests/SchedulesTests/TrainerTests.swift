// Tests for the trainer: token accounting, focus behaviour, exact resume
// (in-process and through a saved file), policies and errors.
import Foundation
import Testing
@testable import Schedules
import Data
import Models
import TensorCore

/// A small synthetic corpus with learnable structure: a repeating pattern
/// with some noise, so losses fall and differ between blocks.
func syntheticDataset(blocks: Int = 48, context: Int = 8, val: Double = 0.25) throws -> Dataset {
    var g = RandomGenerator(seed: 11)
    let n = blocks * context + 1
    var tokens = [Float](repeating: 0, count: n)
    for i in 0..<n {
        tokens[i] = g.nextInt(below: 10) == 0 ? Float(g.nextInt(below: 16)) : Float((i * 3) % 16)
    }
    return try Dataset(tokens: Tensor(shape: [n], values: tokens), context: context, val: val, seed: 3, vocab: 16)
}

func tinyGPT(seed: UInt64 = 1) throws -> GPT {
    try GPT(config: GPTConfig(layers: 1, heads: 2, dim: 16, context: 8, vocab: 16), seed: seed)
}

func paperSchedule() -> Schedule {
    Schedule([
        .phase(.learn(.epochs(1))),
        .phase(.focus(.epochs(1), drop: 0.5)),
        .phase(.review(.epochs(1))),
        .repeated(2, [.phase(.focus(.epochs(1), drop: 0.7))]),
    ])
}

func makeRun(_ schedule: Schedule = paperSchedule(), batch: Int = 4, out: String? = nil) throws -> Run {
    let data = try syntheticDataset()
    var config = TrainerConfig()
    config.batch = batch
    config.seed = 5
    config.evalEvery = 5
    config.out = out
    return try Run(model: tinyGPT(), optimizer: AdamW(learningRate: 3e-3), data: data, schedule: schedule, config: config)
}

@Suite struct TrainerTests {
    @Test func countsTokensAsPredictedPositionsAndFollowsThePlan() throws {
        let run = try makeRun()
        let plan = run.plan
        #expect(try run.advance() == .finished)
        let planned = plan.compactMap(\.tokens).reduce(0, +)
        #expect(run.tokens == planned)
        #expect(run.tokens == run.step * 4 * 8)
        #expect(run.curves["train_loss"]?.count == run.step)
        #expect(run.valLoss != nil && run.valPpl! > 1)
        // Every block was seen in the learn and review epochs.
        #expect(run.stats.seen.allSatisfy { $0 >= 2 })
    }

    @Test func focusTrainsOnlyOnTheHardestBlocks() throws {
        // 36 training blocks, keep 12; two epochs of 12 are 6 whole batches.
        let sched = Schedule(phases: [.learn(.epochs(1)), .focus(.epochs(2), drop: 2.0 / 3.0)])
        let run = try makeRun(sched)
        // Stop right after the learn phase, look at the ranking, go on.
        _ = try run.advance(stopWhen: { $0.phaseIndex == 1 && $0.phaseStarted })
        let before = run.stats.seen
        let expected = BlockSelector.hardest(run.stats.latestLoss, keep: Selection.keptCount(drop: 2.0 / 3.0, of: run.trainCount))
        #expect(run.trainCount == 36 && expected.count == 12)
        #expect(try run.advance() == .finished)
        let trainedInFocus = Set((0..<run.trainCount).filter { run.stats.seen[$0] > before[$0] }.map { Int32($0) })
        #expect(trainedInFocus == Set(expected))
        // Two epochs over the kept set: each kept block exactly twice more.
        for id in expected { #expect(run.stats.seen[Int(id)] == before[Int(id)] + 2) }
    }

    @Test func interruptedAndResumedRunIsBitIdentical() throws {
        let whole = try makeRun()
        _ = try whole.advance()
        let paused = try makeRun()
        var stops = 0
        for stopAt in [3, 7, 12, 20] {
            if try paused.advance(stopWhen: { $0.step == stopAt }) == .interrupted { stops += 1 }
        }
        #expect(stops == 4)
        #expect(try paused.advance() == .finished)
        let a = whole.curves["train_loss"]!.map { Float($0.value).bitPattern }
        let b = paused.curves["train_loss"]!.map { Float($0.value).bitPattern }
        #expect(a == b)
        #expect(whole.curves["val_loss"]!.map(\.value) == paused.curves["val_loss"]!.map(\.value))
        #expect(whole.stats == paused.stats)
    }

    @Test func savedAndLoadedRunContinuesBitIdentically() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lfr-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let whole = try makeRun()
        _ = try whole.advance()

        let first = try makeRun()
        #expect(try first.advance(stopWhen: { $0.step == 17 }) == .interrupted)
        let path = dir + "/run.safetensors"
        try first.save(to: path)
        var config = TrainerConfig()
        config.evalEvery = 5
        let again = try Run.load(path: path, data: first.data, schedule: paperSchedule(), config: config)
        #expect(again.step == 17)
        #expect(try again.advance() == .finished)
        #expect(whole.curves["train_loss"]!.map(\.value) == again.curves["train_loss"]!.map(\.value))
        #expect(whole.stats == again.stats)
        #expect(whole.valLoss == again.valLoss)

        // A different schedule is refused with a clear message.
        #expect(throws: ScheduleError.self) {
            _ = try Run.load(path: path, data: first.data, schedule: Schedule(phases: [.learn(.epochs(1))]))
        }
    }

    /// load_run restores how the run evaluated, logged and checkpointed
    /// (a resumed run used to stop checkpointing and switch its val blocks),
    /// and explicit settings override them.
    @Test func loadRestoresEvaluationLoggingAndCheckpointSettings() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lfr-settings-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let data = try syntheticDataset()
        var config = TrainerConfig()
        config.batch = 4; config.evalEvery = 3; config.evalBlocks = 7; config.logEvery = 2; config.checkpointEvery = 5
        let run = try Run(model: tinyGPT(), optimizer: AdamW(learningRate: 3e-3), data: data, schedule: paperSchedule(), config: config)
        #expect(try run.advance(stopWhen: { $0.step == 6 }) == .interrupted)
        let path = dir + "/run.safetensors"
        try run.save(to: path)
        let back = try Run.load(path: path, data: data, schedule: paperSchedule())
        #expect(back.config.evalEvery == 3 && back.config.evalBlocks == 7)
        #expect(back.config.logEvery == 2 && back.config.checkpointEvery == 5)
        let changed = try Run.load(path: path, data: data, schedule: paperSchedule()) { $0.evalBlocks = nil; $0.checkpointEvery = 1 }
        #expect(changed.config.evalBlocks == nil && changed.config.checkpointEvery == 1 && changed.config.logEvery == 2)
    }

    @Test func runFolderHasConfigMetricsAndBlocks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lfr-out-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try makeRun(out: dir)
        run.scriptSource = "print(1)\n"
        _ = try run.advance()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(files == ["blocks.csv", "checkpoint.run", "config.json", "lock", "metrics.jsonl", "script.lfr"])
        let metrics = try String(contentsOfFile: dir + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(metrics.last!.contains("\"event\":\"end\""))
        #expect(metrics.contains { $0.contains("\"val_ppl\"") })
        let csv = try String(contentsOfFile: dir + "/blocks.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == run.trainCount + 1)
        #expect(try JSONValue.parse(String(contentsOfFile: dir + "/config.json", encoding: .utf8)) != .null)
    }

    @Test func weightsPolicySamplesInProportion() throws {
        // Weight only blocks 0 and 1: every sampled block must be one of them.
        let policy = Phase(kind: .custom, length: .steps(10), selection: .policy(name: "two", { input in
            var w = [Float](repeating: 0, count: input.stats.count)
            w[0] = 1; w[1] = 3
            return .weights(w)
        }))
        let run = try makeRun(Schedule(phases: [policy]))
        _ = try run.advance()
        #expect(run.stats.seen[0] + run.stats.seen[1] == 40)
        #expect(run.stats.seen[1] > run.stats.seen[0])
    }

    @Test func policyErrorNamesThePhase() throws {
        let bad = Phase(kind: .custom, length: .epochs(1), selection: .policy(name: "bad", { _ in .mask([true]) }), name: "mine")
        let run = try makeRun(Schedule(phases: [.learn(.steps(2)), bad]))
        do {
            _ = try run.advance()
            Issue.record("expected a policy error")
        } catch let e as ScheduleError {
            #expect(e.description.contains("phase 2 (mine)"), "\(e)")
            #expect(e.description.contains("mask of 1 entries"), "\(e)")
        }
        #expect(run.step == 2)   // the run stays usable at the phase boundary
    }

    @Test func budgetCapsAndFillsUntilBudgetPhases() throws {
        var config = TrainerConfig()
        config.batch = 4
        config.budget = 4 * 8 * 13
        let data = try syntheticDataset()
        let sched = Schedule(phases: [.learn(.steps(3)), Phase(kind: .learn, length: .untilBudget)])
        let run = try Run(model: tinyGPT(), optimizer: AdamW(), data: data, schedule: sched, config: config)
        _ = try run.advance()
        #expect(run.step == 13 && run.tokens == 4 * 8 * 13)
        var noBudget = config
        noBudget.budget = nil
        #expect(throws: ScheduleError.self) { _ = try Run(model: tinyGPT(), optimizer: AdamW(), data: data, schedule: sched, config: noBudget) }
    }

    @Test func compareTrainsEverySchedulePerSeedAtEqualBudget() throws {
        let data = try syntheticDataset()
        var config = TrainerConfig()
        config.batch = 4
        config.evalEvery = 4
        let lfr = paperSchedule()
        let random = Schedule(phases: [Phase(kind: .learn, length: .untilBudget)])
        let c = try Comparer.compare(schedules: [("random", random), ("lfr", lfr)], model: tinyGPT(), data: data,
                                     config: config, optimizer: { try AdamW(learningRate: 3e-3) }, seeds: [1, 2], budget: nil)
        #expect(c.runs.count == 4)
        let budget = lfr.tokens(blocks: data.trainIDs.count, context: 8, batch: 4)!
        #expect(c.budget == budget)
        #expect(c.runs.allSatisfy { $0.run.tokens == budget })
        let table = c.table
        #expect(table.contains("random") && table.contains("lfr") && table.contains("2 seeds"))
        #expect(c.series.count == 2 && c.series[0].x.count > 1)
    }
}
