// Tests for per-block statistics, block selection and the samplers.
import Testing
@testable import Schedules
import TensorCore

@Suite struct BlockStatisticsTests {
    @Test func recordsLatestFirstBestSeenAndStep() {
        var s = BlockStatistics(count: 4)
        s.record(blocks: [0, 2], losses: [3.0, 5.0], step: 1)
        s.record(blocks: [2], losses: [4.0], step: 7)
        #expect(s.latestLoss[0] == 3 && s.latestLoss[2] == 4)
        #expect(s.latestLoss[1].isNaN && s.latestLoss[3].isNaN)
        #expect(s.firstLoss[2] == 5 && s.bestLoss[2] == 4)
        #expect(s.seen == [1, 0, 2, 0])
        #expect(s.lastStep == [1, -1, 7, -1])
        #expect(s.seenBlocks == 2)
    }

    @Test func windowMeanRestartsAtBeginWindow() {
        var s = BlockStatistics(count: 2)
        s.record(blocks: [0, 0], losses: [2, 4], step: 1)
        #expect(s.windowMean[0] == 3)
        #expect(s.windowMean[1].isNaN)
        s.beginWindow()
        #expect(s.windowMean[0].isNaN)
        s.record(blocks: [0], losses: [1], step: 2)
        #expect(s.windowMean[0] == 1)
        #expect(s.seen[0] == 3)   // seen counts the whole run
    }

    @Test func forgettingEventsOnAConstructedSequence() {
        // Block 0: 5 -> 3 (fell) -> 3.5 (rose by 0.5 > 0.1: event) -> 3.55
        // (rose, but the previous transition was a rise: no event) -> 2 (fell)
        // -> 2.05 (rose by 0.05 < margin: no event) -> 1 (fell) -> 4 (event).
        var s = BlockStatistics(count: 1, forgetMargin: 0.1)
        for (step, loss) in [5, 3, 3.5, 3.55, 2, 2.05, 1, 4].enumerated() {
            s.record(blocks: [0], losses: [Float(loss)], step: step)
        }
        #expect(s.forgets[0] == 2)
        #expect(s.totalForgets == 2)
        #expect(s.bestLoss[0] == 1 && s.firstLoss[0] == 5 && s.latestLoss[0] == 4)
    }

    @Test func marginIsRespected() {
        var s = BlockStatistics(count: 1, forgetMargin: 1.0)
        for (step, loss) in [5, 3, 3.9].enumerated() { s.record(blocks: [0], losses: [Float(loss)], step: step) }
        #expect(s.forgets[0] == 0)
        s.record(blocks: [0], losses: [2.0], step: 3)
        s.record(blocks: [0], losses: [3.5], step: 4)
        #expect(s.forgets[0] == 1)
    }

    @Test func restoringChecksLengths() throws {
        let s = BlockStatistics(count: 3)
        #expect(throws: ScheduleError.self) {
            _ = try BlockStatistics(count: 3, forgetMargin: 0.1, latestLoss: [1, 2], firstLoss: s.firstLoss,
                                    bestLoss: s.bestLoss, windowSum: s.windowSum, windowCount: s.windowCount,
                                    seen: s.seen, lastStep: s.lastStep, forgets: s.forgets, fellLast: s.fellLast)
        }
        let again = try BlockStatistics(count: 3, forgetMargin: 0.1, latestLoss: s.latestLoss, firstLoss: s.firstLoss,
                                        bestLoss: s.bestLoss, windowSum: s.windowSum, windowCount: s.windowCount,
                                        seen: s.seen, lastStep: s.lastStep, forgets: s.forgets, fellLast: s.fellLast)
        #expect(again.count == 3)
    }
}

@Suite struct SelectionTests {
    /// Naive reference: sort (value desc, NaN first, id asc), take keep.
    func naiveHardest(_ v: [Float], keep: Int) -> [Int32] {
        let order = v.indices.sorted { a, b in
            let x = v[a].isNaN ? Float.infinity : v[a], y = v[b].isNaN ? Float.infinity : v[b]
            if v[a].isNaN != v[b].isNaN { return v[a].isNaN }
            return x != y ? x > y : a < b
        }
        return order.prefix(keep).map { Int32($0) }.sorted()
    }

    @Test func hardestMatchesNaiveReference() {
        var g = RandomGenerator(seed: 5)
        for trial in 0..<50 {
            let n = 1 + g.nextInt(below: 300)
            // Few distinct values so ties are common; some NaN.
            let v: [Float] = (0..<n).map { _ in
                let r = g.nextInt(below: 12)
                return r == 0 ? .nan : Float(r % 5) - 1.5
            }
            let keep = g.nextInt(below: n + 1)
            #expect(BlockSelector.hardest(v, keep: keep) == naiveHardest(v, keep: keep), "trial \(trial)")
        }
    }

    @Test func focusKeepsExactlyTheIntendedBlocks() throws {
        var s = BlockStatistics(count: 10)
        let losses: [Float] = [0.5, 3, 1, 4, 2, 0.1, 5, 0.7, 2.5, 1.5]
        s.record(blocks: (0..<10).map { Int32($0) }, losses: losses, step: 1)
        let chosen = try BlockSelector.choose(.dropEasiest(drop: 0.7, by: .ppl), stats: s, step: 1,
                                              phaseIndex: 0, phaseName: "focus")
        #expect(chosen == .ids([1, 3, 6]))      // losses 3, 4, 5: the hardest 30%
        let half = try BlockSelector.choose(.dropEasiest(drop: 0.5, by: .loss), stats: s, step: 1,
                                            phaseIndex: 0, phaseName: "focus")
        #expect(half == .ids([1, 3, 4, 6, 8]))
    }

    @Test func unseenBlocksAreKept() throws {
        var s = BlockStatistics(count: 4)
        s.record(blocks: [0, 1, 2], losses: [9, 1, 2], step: 1)
        let chosen = try BlockSelector.choose(.dropEasiest(drop: 0.5, by: .ppl), stats: s, step: 1,
                                              phaseIndex: 0, phaseName: "focus")
        #expect(chosen == .ids([0, 3]))
    }

    @Test func policyErrorsNameThePhase() {
        let s = BlockStatistics(count: 3)
        func run(_ r: PolicyResult) throws -> ChosenBlocks {
            try BlockSelector.choose(.policy(name: "p", { _ in r }), stats: s, step: 0, phaseIndex: 2, phaseName: "focus#3")
        }
        for bad in [PolicyResult.mask([true]), .mask([false, false, false]), .weights([1, -1, 0]),
                    .weights([0, 0, 0]), .weights([1, .nan, 1]), .weights([1, 2])] {
            do {
                _ = try run(bad)
                Issue.record("expected an error for \(bad)")
            } catch let e as ScheduleError {
                #expect(e.description.contains("focus#3"), "\(e)")
            } catch { Issue.record("unexpected \(error)") }
        }
        #expect((try? run(.weights([0, 2, 1])))?.activeCount == 2)
    }
}

@Suite struct SamplerTests {
    @Test func epochsVisitEachKeptBlockOncePerEpoch() throws {
        let kept: [Int32] = [3, 5, 8, 13, 21, 34, 55]
        var s = try BlockSampler(active: kept, rng: RandomGenerator(seed: 1))
        // Batches of 3 straddle epoch boundaries; 4 epochs = 28 draws.
        var draws: [Int32] = []
        while draws.count < 28 { draws += s.next(3) }
        for e in 0..<4 {
            let epoch = draws[(e * 7)..<(e * 7 + 7)]
            #expect(epoch.sorted() == kept, "epoch \(e)")
        }
        #expect(draws[0..<7] != draws[7..<14])   // reshuffled
    }

    @Test func sameSeedSameBatchesAndRestoredStateContinuesExactly() throws {
        var a = try BlockSampler(active: (0..<100).map { Int32($0) }, rng: RandomGenerator(seed: 9))
        var b = a
        _ = a.next(37)
        _ = b.next(37)
        let saved = a
        let restored = try BlockSampler(mode: saved.mode, rng: saved.rng, order: saved.order, cursor: saved.cursor,
                                        epoch: saved.epoch, probability: saved.probability, alias: saved.alias,
                                        activeCount: saved.activeCount)
        var c = restored
        let x = a.next(250), y = b.next(250), z = c.next(250)
        #expect(x == y && y == z)
    }

    @Test func weightedSamplingMatchesItsDistribution() throws {
        // Chi-square goodness of fit, 5 categories (4 degrees of freedom, one
        // zero weight excluded): 99.9% critical value 18.47.
        let w: [Float] = [1, 2, 0, 3, 4, 10]
        var s = try BlockSampler(weights: w, rng: RandomGenerator(seed: 2))
        let n = 200_000
        var counts = [Int](repeating: 0, count: w.count)
        for id in s.next(n) { counts[Int(id)] += 1 }
        #expect(counts[2] == 0)
        let total = w.reduce(0, +)
        var chi2 = 0.0
        for i in w.indices where w[i] > 0 {
            let expected = Double(n) * Double(w[i] / total)
            chi2 += (Double(counts[i]) - expected) * (Double(counts[i]) - expected) / expected
        }
        #expect(chi2 < 18.47, "chi2 \(chi2), counts \(counts)")
        #expect(s.activeCount == 5)
    }

    @Test func badWeightsAndEmptySetsAreErrors() {
        #expect(throws: ScheduleError.self) { _ = try BlockSampler(active: [], rng: RandomGenerator(seed: 1)) }
        #expect(throws: ScheduleError.self) { _ = try BlockSampler(weights: [0, 0], rng: RandomGenerator(seed: 1)) }
        #expect(throws: ScheduleError.self) { _ = try BlockSampler(weights: [1, -1], rng: RandomGenerator(seed: 1)) }
        #expect(throws: ScheduleError.self) { _ = try BlockSampler(weights: [1, .infinity], rng: RandomGenerator(seed: 1)) }
    }
}

@Suite struct ScheduleTests {
    @Test func tokenBudgetsOfThePaperSchedule() {
        // 1000 blocks, context 64, batch 10: learn 1 epoch = 100 steps;
        // focus 50% = 500 blocks = 50 steps; review = 100; focus 30% (drop
        // 0.7) = 300 blocks = 30 steps, repeated twice.
        let sched = Schedule([
            .phase(.learn(.epochs(1))),
            .phase(.focus(.epochs(1), drop: 0.5)),
            .phase(.review(.epochs(1))),
            .repeated(2, [.phase(.focus(.epochs(1), drop: 0.7))]),
        ])
        let plan = sched.plan(blocks: 1000, context: 64, batch: 10)
        #expect(plan.map { $0.steps } == [100, 50, 100, 30, 30])
        #expect(plan.map { $0.activeBlocks } == [1000, 500, 1000, 300, 300])
        #expect(sched.tokens(blocks: 1000, context: 64, batch: 10) == 310 * 10 * 64)
    }

    @Test func lengthsRoundUpToWholeSteps() {
        #expect(Schedule.steps(for: .epochs(1), active: 101, batch: 10, context: 8) == 11)
        #expect(Schedule.steps(for: .epochs(0.5), active: 100, batch: 10, context: 8) == 5)
        #expect(Schedule.steps(for: .tokens(81), active: 0, batch: 10, context: 8) == 2)
        #expect(Schedule.steps(for: .steps(7), active: 0, batch: 10, context: 8) == 7)
    }

    @Test func untilBudgetFillsTheRest() {
        let s = Schedule(phases: [.learn(.steps(10)), Phase(kind: .learn, length: .untilBudget)])
        #expect(s.needsBudget)
        #expect(s.tokens(blocks: 100, context: 8, batch: 4) == nil)
        #expect(s.tokens(blocks: 100, context: 8, batch: 4, budget: 3200) == 3200)
    }

    @Test func policyPhasesHaveUnknownBudgetsInEpochs() {
        let p = Phase(kind: .custom, length: .epochs(1), selection: .policy(name: "f", { _ in .mask([]) }))
        let s = Schedule(phases: [.learn(.epochs(1)), p])
        #expect(s.tokens(blocks: 100, context: 8, batch: 4) == nil)
        let q = Phase(kind: .custom, length: .steps(5), selection: .policy(name: "f", { _ in .mask([]) }))
        #expect(Schedule(phases: [q]).tokens(blocks: 100, context: 8, batch: 4) == 5 * 4 * 8)
    }

    @Test func validationNamesThePhase() {
        let bad = Schedule(phases: [.learn(.epochs(1)), .focus(.epochs(0))])
        #expect(throws: ScheduleError.invalidPhase("phase 2 (focus): epochs must be > 0, got 0.0")) { try bad.validate() }
        #expect(throws: ScheduleError.self) { try Schedule([.repeated(0, [])]).validate() }
    }

    @Test func tableShowsPhasesAndTotal() {
        let s = Schedule(phases: [.learn(.epochs(1)), .focus(.epochs(1), drop: 0.5)])
        let t = s.table(blocks: 1000, context: 64, batch: 10)
        #expect(t.contains("hardest 50% by ppl"))
        #expect(t.contains("96,000"))     // 150 steps * 10 * 64
        #expect(t.split(separator: "\n").count == 6)
    }
}
