// ComparisonStatistics: the numbers a comparison reports about each schedule
// against the baseline (the first schedule), over seeds.
//
// - Paired difference: for seed k, schedule's final val loss minus the
//   baseline's final val loss at seed k (same initial weights, same data
//   order where the schedules agree). Negative is better.
// - Mean and 95% interval over seeds by Student's t with n - 1 degrees of
//   freedom: mean +- t(0.975, n - 1) * s / sqrt(n), s the sample standard
//   deviation. The t quantile is computed (inverse of the regularized
//   incomplete beta function), not looked up. One seed gives a mean and no
//   interval.
// - Efficiency: the baseline's cost (tokens or FLOPs) needed to reach the
//   schedule's final loss, divided by the schedule's cost. The baseline's
//   cost is read off its curve at the first crossing of that loss,
//   interpolated linearly in log(cost) between the two evaluation points
//   around it. A baseline that never gets that low is "not reached"; one
//   already below it at its first point is "before the first point" (only
//   an upper bound is known). Neither is ever turned into a number.
//
// What stays true: everything here is a pure function of the numbers given;
// no training, no printing beyond formatting cells.
import Foundation

public enum ComparisonStatistics {
    // MARK: - Student t

    /// ln Γ(x) for x > 0.
    static func logGamma(_ x: Double) -> Double { Foundation.lgamma(x) }

    /// The regularized incomplete beta function I_x(a, b), by its continued
    /// fraction (modified Lentz), using the symmetry I_x(a, b) = 1 - I_{1-x}(b, a)
    /// where the fraction converges slowly.
    static func incompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * log(x) + b * log(1 - x))
        if x > (a + 1) / (a + b + 2) { return 1 - incompleteBeta(1 - x, b, a) }
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var f = d
        for m in 1...300 {
            let m2 = Double(2 * m), md = Double(m)
            // Even step.
            var num = md * (b - md) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + num * d; if abs(d) < tiny { d = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            f *= d * c
            // Odd step.
            num = -(a + md) * (a + b + md) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + num * d; if abs(d) < tiny { d = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            f *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return front * f / a
    }

    /// P(T <= t) for Student's t with `df` degrees of freedom.
    public static func studentTCDF(_ t: Double, degreesOfFreedom df: Double) -> Double {
        let tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The p-quantile of Student's t with `df` degrees of freedom (0 < p < 1),
    /// by bisection on the CDF to full double precision.
    public static func studentTQuantile(_ p: Double, degreesOfFreedom df: Double) -> Double {
        precondition(p > 0 && p < 1 && df > 0, "t quantile of p \(p), df \(df)")
        if p == 0.5 { return 0 }
        if p < 0.5 { return -studentTQuantile(1 - p, degreesOfFreedom: df) }
        var lo = 0.0, hi = 1.0
        while studentTCDF(hi, degreesOfFreedom: df) < p { lo = hi; hi *= 2 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if mid == lo || mid == hi { break }
            if studentTCDF(mid, degreesOfFreedom: df) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    // MARK: - Mean and interval

    /// A mean over seeds with its confidence interval (nil for one seed).
    public struct Estimate: Equatable, Sendable {
        public var mean: Double
        /// Half the width of the interval; nil when there is a single value.
        public var halfWidth: Double?
        public var count: Int
        public var low: Double? { halfWidth.map { mean - $0 } }
        public var high: Double? { halfWidth.map { mean + $0 } }
        /// True when the interval lies entirely below `value` (e.g. a loss difference below 0).
        public func excludes(above value: Double) -> Bool { (high ?? .infinity) < value }
        /// True when the interval lies entirely above `value` (e.g. an efficiency above 1).
        public func excludes(below value: Double) -> Bool { (low ?? -.infinity) > value }
    }

    /// Mean and Student-t interval of `values` at `confidence` (nil when empty).
    public static func estimate(_ values: [Double], confidence: Double = 0.95) -> Estimate? {
        let n = values.count
        guard n > 0 else { return nil }
        let mean = values.reduce(0, +) / Double(n)
        guard n > 1 else { return Estimate(mean: mean, halfWidth: nil, count: 1) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let t = studentTQuantile(0.5 + confidence / 2, degreesOfFreedom: Double(n - 1))
        return Estimate(mean: mean, halfWidth: t * variance.squareRoot() / Double(n).squareRoot(), count: n)
    }

    /// Per-seed differences `schedule[k] - baseline[k]` (the seeds must pair up).
    public static func pairedDifferences(baseline: [Double], schedule: [Double]) -> [Double] {
        precondition(baseline.count == schedule.count, "paired differences need one value per seed on both sides")
        return zip(schedule, baseline).map { $0 - $1 }
    }

    // MARK: - Efficiency

    /// Where a curve first reaches a loss.
    public enum Reach: Equatable, Sendable {
        /// At this cost, interpolated on the log-cost axis.
        case reached(Double)
        /// Already at or below the loss at the first point (cost at most this).
        case beforeFirstPoint(Double)
        /// Never at or below the loss.
        case notReached
    }

    /// The cost at which the curve `(cost[i], loss[i])` (costs ascending and
    /// positive) first reaches `target`: between the last point above it and
    /// the first at or below it, linear in log(cost). Non-finite points are skipped.
    public static func costToReach(_ target: Double, cost: [Double], loss: [Double]) -> Reach {
        let points = zip(cost, loss).filter { $0.0.isFinite && $0.0 > 0 && $0.1.isFinite }
        guard let first = points.first else { return .notReached }
        if first.1 <= target { return .beforeFirstPoint(first.0) }
        for i in 1..<max(points.count, 1) where points[i].1 <= target {
            let (x0, y0) = points[i - 1], (x1, y1) = points[i]
            if y1 == target { return .reached(x1) }
            let f = (y0 - target) / (y0 - y1)          // y0 > target >= y1, so 0 < f <= 1
            return .reached(exp(log(x0) + f * (log(x1) - log(x0))))
        }
        return .notReached
    }

    /// One seed's efficiency of a schedule: the baseline's cost to reach the
    /// schedule's final loss over the schedule's cost (nil unless reached).
    public static func efficiency(baselineCost: [Double], baselineLoss: [Double],
                                  scheduleFinalLoss: Double, scheduleCost: Double) -> (reach: Reach, ratio: Double?) {
        let r = costToReach(scheduleFinalLoss, cost: baselineCost, loss: baselineLoss)
        if case .reached(let c) = r, scheduleCost > 0 { return (r, c / scheduleCost) }
        return (r, nil)
    }

    // MARK: - One row of a comparison

    /// What one seed of one schedule contributes.
    public struct SeedResult: Sendable {
        public var finalLoss: Double
        /// Total cost of the run (tokens or FLOPs, whichever the comparison holds equal).
        public var cost: Double
        /// Validation curve: cost at each evaluation point and the loss there.
        public var curveCost: [Double]
        public var curveLoss: [Double]
        public init(finalLoss: Double, cost: Double, curveCost: [Double], curveLoss: [Double]) {
            self.finalLoss = finalLoss; self.cost = cost; self.curveCost = curveCost; self.curveLoss = curveLoss
        }
    }

    /// A schedule against the baseline, over seeds.
    public struct Row: Sendable {
        public var finalLoss: Estimate?
        /// Paired difference of final loss to the baseline (nil for the baseline itself).
        public var difference: Estimate?
        /// Efficiency over the seeds where the baseline reached the schedule's final loss.
        public var efficiency: Estimate?
        /// Per seed: where the baseline reached the schedule's final loss.
        public var reaches: [Reach]
        /// Seeds whose efficiency is not a number (not reached, or before the first point).
        public var unreachedSeeds: Int { reaches.filter { if case .reached = $0 { return false }; return true }.count }
    }

    /// The row of `schedule` against `baseline` (the same seeds in the same order).
    public static func row(baseline: [SeedResult], schedule: [SeedResult], isBaseline: Bool = false,
                           confidence: Double = 0.95) -> Row {
        let finals = schedule.map(\.finalLoss)
        var row = Row(finalLoss: estimate(finals, confidence: confidence), difference: nil, efficiency: nil, reaches: [])
        if isBaseline { return row }
        let n = min(baseline.count, schedule.count)
        row.difference = estimate(pairedDifferences(baseline: baseline.prefix(n).map(\.finalLoss),
                                                    schedule: Array(finals.prefix(n))), confidence: confidence)
        var ratios = [Double]()
        for k in 0..<n {
            let e = efficiency(baselineCost: baseline[k].curveCost, baselineLoss: baseline[k].curveLoss,
                               scheduleFinalLoss: schedule[k].finalLoss, scheduleCost: schedule[k].cost)
            row.reaches.append(e.reach)
            if let r = e.ratio { ratios.append(r) }
        }
        // An interval over only the seeds that reached would flatter the schedule: all seeds or none.
        if ratios.count == n { row.efficiency = estimate(ratios, confidence: confidence) }
        return row
    }

    // MARK: - Table cells

    /// "-0.0213 [-0.0351, -0.0075]", or "1.723" for one seed.
    public static func cell(_ e: Estimate?, digits: Int = 4) -> String {
        guard let e else { return "-" }
        let f = "%.\(digits)f"
        guard let lo = e.low, let hi = e.high else { return String(format: f, e.mean) }
        return String(format: "\(f) [\(f), \(f)]", e.mean, lo, hi)
    }

    /// The efficiency cell of a row: "1.42x [1.10, 1.74]", or why there is no number.
    public static func efficiencyCell(_ row: Row) -> String {
        if let e = row.efficiency {
            guard let lo = e.low, let hi = e.high else { return String(format: "%.2fx", e.mean) }
            return String(format: "%.2fx [%.2f, %.2f]", e.mean, lo, hi)
        }
        if row.reaches.isEmpty { return "-" }
        let n = row.reaches.count
        let never = row.reaches.filter { $0 == .notReached }.count
        let early = row.unreachedSeeds - never
        var parts = [String]()
        if never > 0 { parts.append("not reached in \(never)/\(n) seeds") }
        if early > 0 { parts.append("below the first point in \(early)/\(n) seeds") }
        return parts.joined(separator: ", ")
    }
}
