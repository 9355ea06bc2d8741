// ComparisonStatisticsTests: Student t quantiles against published values,
// intervals and interpolated efficiencies against values computed by hand,
// and "not reached" kept explicit.
import Foundation
import Testing
@testable import Schedules

@Suite struct ComparisonStatisticsTests {
    typealias S = ComparisonStatistics

    @Test func tQuantilesMatchTables() {
        // Two-sided 95% (p = 0.975) and one-sided 95% quantiles, to 9 digits.
        let cases: [(Double, Double, Double)] = [
            (0.975, 1, 12.706204736), (0.975, 2, 4.302652730), (0.975, 4, 2.776445105),
            (0.975, 9, 2.262157163), (0.975, 30, 2.042272456), (0.95, 5, 2.015048373),
        ]
        for (p, df, q) in cases {
            #expect(abs(S.studentTQuantile(p, degreesOfFreedom: df) - q) < 1e-8, "t(\(p), \(df))")
        }
        #expect(abs(S.studentTQuantile(0.025, degreesOfFreedom: 2) + 4.302652730) < 1e-8)
        #expect(abs(S.studentTCDF(0, degreesOfFreedom: 3) - 0.5) < 1e-15)
    }

    @Test func intervalOfThreeSeeds() throws {
        // [1, 2, 3]: mean 2, s = 1, half width t(0.975, 2) / sqrt(3).
        let e = try #require(S.estimate([1, 2, 3]))
        #expect(e.mean == 2 && e.count == 3)
        #expect(abs(e.halfWidth! - 4.302652729749464 / 3.0.squareRoot()) < 1e-9)
        #expect(abs(e.low! - (2 - 2.484138)) < 1e-6 && abs(e.high! - (2 + 2.484138)) < 1e-6)
        let one = try #require(S.estimate([1.7]))
        #expect(one.mean == 1.7 && one.halfWidth == nil && one.low == nil)
        #expect(S.estimate([]) == nil)
    }

    @Test func pairedDifferencesPerSeed() throws {
        // Schedule loses by 0.02, 0.01, 0.03: mean 0.02, s = 0.01.
        let d = S.pairedDifferences(baseline: [1.70, 1.69, 1.71], schedule: [1.72, 1.70, 1.74])
        #expect(zip(d, [0.02, 0.01, 0.03]).allSatisfy { abs($0 - $1) < 1e-12 })
        let e = try #require(S.estimate(d))
        #expect(abs(e.mean - 0.02) < 1e-12)
        #expect(abs(e.halfWidth! - 4.302652729749464 * 0.01 / 3.0.squareRoot()) < 1e-9)
        #expect(!e.excludes(below: 0) && !e.excludes(above: 0))  // [-0.0048, 0.0448]: 3 seeds cannot tell
    }

    @Test func costInterpolatesOnTheLogAxis() {
        let cost = [100.0, 1000, 10000], loss = [3.0, 2, 1]
        // Halfway from loss 2 to 1 lies halfway from log 1000 to log 10000: 1000 * sqrt(10).
        guard case .reached(let c) = S.costToReach(1.5, cost: cost, loss: loss) else { Issue.record("not reached"); return }
        #expect(abs(c - 1000 * 10.0.squareRoot()) < 1e-9)
        // A quarter of the way from loss 3 to 2: 100 * 10^0.25 (not the first point past it).
        guard case .reached(let q) = S.costToReach(2.75, cost: cost, loss: loss) else { Issue.record("not reached"); return }
        #expect(abs(q - 100 * pow(10, 0.25)) < 1e-9)
        #expect(S.costToReach(2, cost: cost, loss: loss) == .reached(1000))
        #expect(S.costToReach(3.5, cost: cost, loss: loss) == .beforeFirstPoint(100))
        #expect(S.costToReach(0.5, cost: cost, loss: loss) == .notReached)
        // The first crossing counts, even if the curve rises later; NaN points are skipped.
        #expect(S.costToReach(2, cost: [10, 20, 40, 80], loss: [3, .nan, 2, 2.5]) == .reached(40))
        let e = S.efficiency(baselineCost: cost, baselineLoss: loss, scheduleFinalLoss: 1.5, scheduleCost: 5000)
        #expect(abs(e.ratio! - 1000 * 10.0.squareRoot() / 5000) < 1e-12)
    }

    @Test func rowsKeepNotReachedExplicit() throws {
        let curve = (cost: [100.0, 1000, 10000], loss: [3.0, 2, 1])
        func seed(_ final: Double, _ cost: Double) -> S.SeedResult {
            S.SeedResult(finalLoss: final, cost: cost, curveCost: curve.cost, curveLoss: curve.loss)
        }
        let base = [seed(1, 10000), seed(1, 10000), seed(1, 10000)]
        // Finals 2, 1.5, 1 at cost 5000: efficiencies 1000/5000, sqrt(10)*1000/5000, 10000/5000.
        let good = S.row(baseline: base, schedule: [seed(2, 5000), seed(1.5, 5000), seed(1, 5000)])
        let eff = try #require(good.efficiency)
        let ratios = [0.2, 10.0.squareRoot() / 5, 2.0]
        #expect(abs(eff.mean - ratios.reduce(0, +) / 3) < 1e-12)
        #expect(good.unreachedSeeds == 0)
        #expect(abs(good.difference!.mean - 0.5) < 1e-12)
        // One seed below anything the baseline reached: no number, and it says why.
        let bad = S.row(baseline: base, schedule: [seed(2, 5000), seed(0.5, 5000), seed(1, 5000)])
        #expect(bad.efficiency == nil && bad.unreachedSeeds == 1)
        #expect(S.efficiencyCell(bad) == "not reached in 1/3 seeds")
        let baseline = S.row(baseline: base, schedule: base, isBaseline: true)
        #expect(baseline.difference == nil && S.efficiencyCell(baseline) == "-")
        #expect(S.cell(S.estimate([1, 2, 3]), digits: 3) == "2.000 [-0.484, 4.484]")
    }
}

@Suite struct PlotTickTests {
    @Test func ticksFallOnRoundSteps() {
        // The issue's example: 775,168 .. 2,486,272 tokens -> steps of 500,000.
        #expect(Plot.ticks(775_168, 2_486_272) == [1_000_000, 1_500_000, 2_000_000])
        #expect(Plot.ticks(0, 10) == [0, 2, 4, 6, 8, 10])
        let t = Plot.ticks(1.6, 2.1)
        #expect(t.count == 6 && zip(t, [1.6, 1.7, 1.8, 1.9, 2.0, 2.1]).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(t.map(Plot.label) == ["1.6", "1.7", "1.8", "1.9", "2", "2.1"])
        #expect(Plot.ticks(-3, 3) == [-2, 0, 2])
    }
}
