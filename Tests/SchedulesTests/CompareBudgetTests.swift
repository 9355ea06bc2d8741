// Tests for compute-honest comparisons: scored tokens and FLOPs of a run by
// the formula of Models/FLOPs.swift, and equal-FLOP budgets that charge a
// policy for its measurement passes and for work done outside its runs.
import Testing
@testable import Schedules
import Data
import Models
import TensorCore

@Suite struct CompareBudgetTests {
    /// tinyGPT (1 layer, dim 16, context 8, vocab 16) at T = 8, by hand:
    /// N = wte 16*16 + per block (2 LayerNorms 2*2*16, qkv 16*48 + 48, proj
    /// 16*16 + 16, fc 16*64 + 64, proj 64*16 + 16) + final LayerNorm 2*16.
    static let tinyN = 256 + (64 + 816 + 272 + 1088 + 1040) + 32
    static let trained = 6.0 * Double(tinyN) + 12 * 1 * 16 * 8
    static let scored = 2.0 * Double(tinyN) + 4 * 1 * 16 * 8

    @Test func costsOfTheTinyModelMatchTheFormula() throws {
        let c = FLOPs.of(try tinyGPT(), sequenceLength: 8)
        #expect(c.matmulParameters == CompareBudgetTests.tinyN)
        #expect(c.perTrainedToken == CompareBudgetTests.trained && c.perScoredToken == CompareBudgetTests.scored)
    }

    @Test func aRunCountsTrainedAndScoredTokensAndTheirFLOPs() throws {
        let data = try syntheticDataset()
        var config = TrainerConfig()
        config.batch = 4
        config.evalEvery = 2
        let sched = Schedule(phases: [.learn(.steps(3)), Phase(kind: .focus, length: .steps(2), selection: .dropEasiest(drop: 0.5, by: .ppl), measureFirst: true)])
        let run = try Run(model: tinyGPT(), optimizer: AdamW(), data: data, schedule: sched, config: config)
        _ = try run.advance()
        let blocks = data.trainIDs.count
        #expect(run.tokens == 5 * 4 * 8)
        #expect(run.scoredTokens == blocks * 8)
        #expect(run.flops == Double(5 * 4 * 8) * CompareBudgetTests.trained + Double(blocks * 8) * CompareBudgetTests.scored)
        // The flops curve has one point per evaluation, the cost up to it:
        // at step 2 two steps and no measurement, at step 4 the measurement too.
        let f = try #require(run.curves["flops"])
        #expect(f.count == run.curves["val_loss"]!.count)
        #expect(f[0].step == 2 && f[0].value == Double(2 * 32) * CompareBudgetTests.trained)
        #expect(f[1].step == 4 && f[1].value == Double(4 * 32) * CompareBudgetTests.trained + Double(blocks * 8) * CompareBudgetTests.scored)
    }

    @Test func anEqualFLOPBudgetGivesAMeasuringPolicyFewerTrainedTokens() throws {
        let data = try syntheticDataset()
        var config = TrainerConfig()
        config.batch = 4
        config.evalEvery = 3
        let random = Schedule(phases: [Phase(kind: .learn, length: .untilBudget)])
        let measuring = Schedule(phases: [.learn(.steps(3)), Phase(kind: .learn, length: .untilBudget, measureFirst: true)])
        let budget = 4 * 8 * 13
        let c = try Comparer.compare(schedules: [("random", random), ("fresh", measuring)], model: tinyGPT(), data: data,
                                     config: config, optimizer: { try AdamW(learningRate: 3e-3) }, seeds: [1, 2],
                                     budget: budget, budgetKind: .flops)
        let F = Double(budget) * CompareBudgetTests.trained
        #expect(c.flopBudget == F)
        let scoredTokens = data.trainIDs.count * 8
        // The exact formula: 3 steps, one measurement pass, then as many
        // whole steps of 32 tokens as the FLOPs left pay for.
        let left = F - Double(3 * 32) * CompareBudgetTests.trained - Double(scoredTokens) * CompareBudgetTests.scored
        let expected = 3 * 32 + Int(left / CompareBudgetTests.trained) / 32 * 32
        for r in c.runs {
            if r.schedule == "random" {
                #expect(r.run.tokens == budget && r.run.scoredTokens == 0 && r.run.flops == F)
            } else {
                #expect(r.run.tokens == expected && r.run.scoredTokens == scoredTokens)
                #expect(r.run.tokens < budget && r.run.flops <= F)
            }
        }
        #expect(c.table.contains("FLOP efficiency") && c.table.contains("scored tokens"))
        // The same schedules at equal tokens: both train the whole budget.
        let t = try Comparer.compare(schedules: [("random", random), ("fresh", measuring)], model: tinyGPT(), data: data,
                                     config: config, optimizer: { try AdamW(learningRate: 3e-3) }, seeds: [1], budget: budget)
        #expect(t.runs.allSatisfy { $0.run.tokens == budget })
    }

    @Test func aChargeIsCountedAndPaidFromAFLOPBudget() throws {
        let data = try syntheticDataset()
        var config = TrainerConfig()
        config.batch = 4
        let random = Schedule(phases: [Phase(kind: .learn, length: .untilBudget)])
        let budget = 4 * 8 * 10
        let charge = 2.5 * 32 * CompareBudgetTests.trained   // two and a half steps' worth
        let c = try Comparer.compare(schedules: [("random", random), ("charged", random)], model: tinyGPT(), data: data,
                                     config: config, optimizer: { try AdamW() }, seeds: [1], budget: budget,
                                     budgetKind: .flops, charges: [0, charge])
        #expect(c.runs[0].run.tokens == budget)
        #expect(c.runs[1].run.tokens == 7 * 32)   // 10 steps minus 2.5, whole steps only
        #expect(c.runs[1].run.flops == 7 * 32 * CompareBudgetTests.trained + charge)
        #expect(throws: ScheduleError.self) {
            _ = try Comparer.compare(schedules: [("random", random)], model: tinyGPT(), data: data, config: config,
                                     optimizer: { try AdamW() }, budget: budget, charges: [1, 2])
        }
    }

    @Test func aMeasurementTheBudgetCannotPayForEndsTheRun() throws {
        let data = try syntheticDataset()
        var config = TrainerConfig()
        config.batch = 4
        let sched = Schedule(phases: [.learn(.steps(2)), Phase(kind: .learn, length: .steps(5), measureFirst: true)])
        config.flopBudget = Double(3 * 32) * CompareBudgetTests.trained   // 3 steps; the pass costs more than one
        let run = try Run(model: tinyGPT(), optimizer: AdamW(), data: data, schedule: sched, config: config)
        #expect(Double(data.trainIDs.count * 8) * CompareBudgetTests.scored > 32 * CompareBudgetTests.trained)
        #expect(try run.advance() == .finished)
        #expect(run.tokens == 2 * 32 && run.scoredTokens == 0)
    }
}
