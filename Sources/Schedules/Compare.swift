// Compare: trains one fresh model per schedule and seed at an equal token
// budget and summarises the outcome (DESIGN.md section 3).
//
// Fairness rules: every run starts from a model initialised the same way
// (for seed k, every schedule's model is initialised with the same seed k,
// so schedules differ only in which blocks they train on); every run gets
// the same budget (a cap, and the length of `untilBudget` phases such as
// the random baseline's); every run evaluates the same validation blocks at
// the same steps.
//
// The budget is tokens trained (`.tokens`) or FLOPs (`.flops`: what the
// token budget costs to train, so a run that spends FLOPs on measurement
// passes, or is charged for a reference model, trains on fewer tokens).
// Either way every run reports trained tokens, scored tokens and FLOPs
// (Models/FLOPs.swift); evaluation passes are the same for every schedule
// and are not counted.
//
// Reported per schedule (mean ± half the spread over seeds): final
// validation perplexity over all validation blocks, tokens trained, tokens
// needed to first reach the last curve point of the first schedule's run
// with the same seed (the baseline by convention: put the random baseline
// first; curves use the same validation blocks in every run), and
// forgetting events.
import Data
import Foundation
import Models
import TensorCore

/// One training run of a comparison.
public struct ComparisonRun {
    public var schedule: String
    public var seed: UInt64
    public var run: Run
}

/// The outcome of `compare`.
public struct Comparison {
    public var names: [String]
    public var seeds: [UInt64]
    public var budget: Int
    public var runs: [ComparisonRun]
    /// True when the comparison was stopped by an interrupt.
    public var interrupted: Bool
    /// What the budget holds equal.
    public var budgetKind: ComparisonBudget = .tokens
    /// The FLOP budget of every run when `budgetKind` is `.flops`.
    public var flopBudget: Double? = nil

    func runs(of name: String) -> [Run] { runs.filter { $0.schedule == name }.map(\.run) }

    static func meanSpread(_ xs: [Double]) -> (Double, Double)? {
        let v = xs.filter { $0.isFinite }
        guard !v.isEmpty else { return nil }
        let mean = v.reduce(0, +) / Double(v.count)
        let spread = ((v.max() ?? 0) - (v.min() ?? 0)) / 2
        return (mean, spread)
    }

    static func fmt(_ ms: (Double, Double)?, digits: Int = 3) -> String {
        guard let (m, s) = ms else { return "-" }
        let f = "%.\(digits)f"
        return String(format: f, m) + " ± " + String(format: f, s)
    }

    /// Tokens at which `run`'s validation perplexity first reached `target`
    /// (with a relative tolerance of 1e-9, so a run reaches its own final value).
    static func tokensToReach(_ target: Double, in run: Run) -> Int? {
        run.curves["val_ppl"]?.first { $0.value <= target * (1 + 1e-9) }?.tokens
    }

    /// The summary table.
    public var table: String {
        var rows: [[String]] = [["schedule", "val ppl", "val loss", "tokens", "scored tokens", "FLOPs", "tokens to baseline ppl", "forgets"]]
        // Last point of the baseline's val ppl curve for each seed (curves
        // of all runs use the same validation blocks).
        var baseline: [UInt64: Double] = [:]
        if let first = names.first {
            for r in runs where r.schedule == first { baseline[r.seed] = r.run.curves["val_ppl"]?.last?.value }
        }
        for name in names {
            let rs = runs(of: name)
            let ppl = Comparison.meanSpread(rs.compactMap(\.valPpl))
            let loss = Comparison.meanSpread(rs.compactMap(\.valLoss))
            let toks = rs.map(\.tokens)
            let tokText = Set(toks).count == 1 ? TextTable.grouped(toks[0]) : toks.map(TextTable.grouped).joined(separator: "/")
            var reach = "-"
            let mine = runs.filter { $0.schedule == name }
            let hits = mine.compactMap { r in baseline[r.seed].map { Comparison.tokensToReach($0, in: r.run) } }
            if !hits.isEmpty {
                let reached = hits.compactMap { $0 }
                if reached.count == hits.count {
                    reach = TextTable.grouped(Int((Double(reached.reduce(0, +)) / Double(reached.count)).rounded()))
                } else {
                    reach = "not reached (\(hits.count - reached.count)/\(hits.count))"
                }
            }
            let forgets = Comparison.meanSpread(rs.map { Double($0.stats.totalForgets) })
            let scored = rs.map(\.scoredTokens)
            let scoredText = Set(scored).count == 1 ? TextTable.grouped(scored[0]) : scored.map(TextTable.grouped).joined(separator: "/")
            let flops = Comparison.meanSpread(rs.map(\.flops)).map { String(format: "%.3g", $0.0) } ?? "-"
            rows.append([name, Comparison.fmt(ppl), Comparison.fmt(loss, digits: 4), tokText, scoredText, flops, reach,
                         Comparison.fmt(forgets, digits: 0)])
        }
        var text = TextTable.render(rows, rightAligned: [3, 4, 5, 6], separatorAfterHeader: true)
        if names.count > 1 { text += "\n\n" + statisticsTable }
        let budgetText = flopBudget.map { String(format: "%.4g FLOPs (what %@ trained tokens cost)", $0, TextTable.grouped(budget)) }
            ?? "\(TextTable.grouped(budget)) tokens"
        text += "\n\(seeds.count) seed\(seeds.count == 1 ? "" : "s") (\(seeds.map(String.init).joined(separator: ", "))), budget \(budgetText); ± is half the spread over seeds; FLOPs count training and measurement passes (mean over seeds)"
        if interrupted { text += "\n(interrupted: runs after the stop are missing or partial)" }
        return text
    }

    /// What each seed of `name` contributes to the statistics, in seed order:
    /// final loss over all validation blocks, tokens trained, and the
    /// validation curve (whose points all use the same validation blocks).
    /// With `flops`, the costs are FLOPs (the "flops" curve, recorded at
    /// every evaluation) instead of tokens.
    public func seedResults(_ name: String, flops: Bool = false) -> [ComparisonStatistics.SeedResult] {
        seeds.compactMap { seed in
            guard let r = runs.first(where: { $0.schedule == name && $0.seed == seed })?.run,
                  let curve = r.curves["val_loss"], let last = curve.last else { return nil }
            if flops {
                guard let f = r.curves["flops"], f.count == curve.count else { return nil }
                return ComparisonStatistics.SeedResult(finalLoss: last.value, cost: r.flops,
                                                       curveCost: f.map(\.value), curveLoss: curve.map(\.value))
            }
            return ComparisonStatistics.SeedResult(finalLoss: last.value, cost: Double(r.tokens),
                                                   curveCost: curve.map { Double($0.tokens) }, curveLoss: curve.map(\.value))
        }
    }

    /// Each schedule against the first (the baseline), over seeds: the paired
    /// difference of final validation loss and the token efficiency, with 95%
    /// intervals (Student t over seeds).
    public var statisticRows: [(name: String, row: ComparisonStatistics.Row)] { statisticRows(flops: false) }

    /// The same rows with FLOPs as the cost (the efficiency is a FLOP efficiency).
    public func statisticRows(flops: Bool) -> [(name: String, row: ComparisonStatistics.Row)] {
        guard let first = names.first else { return [] }
        let base = seedResults(first, flops: flops)
        return names.enumerated().map { i, name in
            (name, ComparisonStatistics.row(baseline: base, schedule: seedResults(name, flops: flops), isBaseline: i == 0))
        }
    }

    /// The statistics as a table (see `statisticRows`).
    public var statisticsTable: String {
        guard let baseline = names.first else { return "" }
        var rows: [[String]] = [["schedule", "val loss (curve)", "Δ vs \(baseline)", "token efficiency", "FLOP efficiency"]]
        for ((name, row), (_, flopRow)) in zip(statisticRows, statisticRows(flops: true)) {
            let isBase = name == baseline
            rows.append([name, ComparisonStatistics.cell(row.finalLoss),
                         isBase ? "(baseline)" : ComparisonStatistics.cell(row.difference),
                         isBase ? "1x" : ComparisonStatistics.efficiencyCell(row),
                         isBase ? "1x" : ComparisonStatistics.efficiencyCell(flopRow)])
        }
        var text = TextTable.render(rows, rightAligned: [], separatorAfterHeader: true)
        text += "\nΔ: paired difference of the last curve point per seed (negative: lower loss than \(baseline)); token (FLOP) efficiency: \(baseline)'s tokens (FLOPs) to reach the schedule's loss / the schedule's tokens (FLOPs, measurement passes included), interpolated on the log axis; [95% interval, Student t over seeds]"
        return text
    }

    /// The report compare() prints: the table, then a terminal plot of
    /// validation perplexity against tokens.
    /// `colour` colours the plot's curves (for a colour terminal).
    public func report(plotWidth: Int = 64, plotHeight: Int = 14, colour: Bool = false) -> String {
        table + "\n\n" + Plot.terminal(series, width: plotWidth, height: plotHeight, title: Comparison.plotTitle,
                                        xLabel: "tokens", yLabel: "val ppl", colour: colour) + "\n"
    }

    /// The same plot as an SVG document, with the spread over seeds as a band.
    public var svg: String { svg(logX: false) }

    /// The SVG plot; `logX` puts tokens on a log axis.
    public func svg(logX: Bool) -> String {
        Plot.svg(series, title: Comparison.plotTitle + (seeds.count > 1 ? " (band: min to max over seeds)" : ""),
                 xLabel: logX ? "tokens (log scale)" : "tokens", yLabel: "val ppl", logX: logX)
    }

    /// The terminal plot alone (the comparison value's `plot`).
    public var plot: String { Plot.terminal(series, title: Comparison.plotTitle, xLabel: "tokens", yLabel: "val ppl") }

    public static let plotTitle = "validation perplexity vs tokens"

    /// Mean validation perplexity against tokens, one series per schedule,
    /// with the minimum and maximum over seeds at each point as its band.
    public var series: [PlotSeries] {
        names.map { name in
            let rs = runs(of: name)
            // Average over seeds at each evaluation index (all runs of one
            // schedule evaluate at the same steps).
            let curves = rs.compactMap { $0.curves["val_ppl"] }
            let n = curves.map(\.count).min() ?? 0
            var x: [Double] = [], y: [Double] = [], low: [Double] = [], high: [Double] = []
            for i in 0..<n {
                let values = curves.map { $0[i].value }
                x.append(Double(curves[0][i].tokens))
                y.append(values.reduce(0, +) / Double(curves.count))
                low.append(values.min() ?? .nan)
                high.append(values.max() ?? .nan)
            }
            return curves.count > 1 ? PlotSeries(name: name, x: x, y: y, low: low, high: high) : PlotSeries(name: name, x: x, y: y)
        }
    }
}

public enum Comparer {
    /// Trains every schedule for every seed. `progress` receives the label
    /// of the run and its progress; `made` each run as it is created (so a
    /// caller can keep partial results when interrupted).
    public static func compare(
        schedules: [(name: String, schedule: Schedule)], model prototype: any LanguageModel,
        data: Dataset, config base: TrainerConfig, optimizer makeOptimizer: () throws -> AdamW,
        seeds: [UInt64] = [1], budget: Int?, budgetKind: ComparisonBudget = .tokens, charges: [Double] = [],
        parallel: ComparisonParallelism = .runs,
        progress: ((String, Progress) -> Void)? = nil,
        shouldPause: @escaping () -> Bool = { Interrupt.isRequested }
    ) throws -> Comparison {
        guard !schedules.isEmpty else { throw ScheduleError.invalidPhase("compare: no schedules given") }
        guard !seeds.isEmpty else { throw ScheduleError.invalidPhase("compare: no seeds given") }
        guard Set(seeds).count == seeds.count else { throw ScheduleError.invalidPhase("compare: seeds repeat a seed") }
        if let b = budget, b <= 0 { throw ScheduleError.invalidPhase("compare: tokens must be > 0, got \(b)") }
        try base.validate(op: "compare")
        let schedules = uniqueNames(schedules)
        guard !data.valIDs.isEmpty else {
            throw ScheduleError.invalidPhase("compare: the dataset has no validation blocks (make it with val: > 0)")
        }
        let blocks = data.trainIDs.count
        var target = budget
        if target == nil {
            let known = schedules.compactMap { $0.schedule.tokens(blocks: blocks, context: data.contextLength, batch: base.batch) }
            target = known.max()
        }
        guard let budgetTokens = target, budgetTokens > 0 else {
            throw ScheduleError.invalidPhase("compare: cannot tell the token budget from the schedules; pass tokens:")
        }
        guard charges.isEmpty || charges.count == schedules.count, charges.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw ScheduleError.invalidPhase("compare: charges must be one FLOP count >= 0 per schedule")
        }
        var result = Comparison(names: schedules.map(\.name), seeds: seeds, budget: budgetTokens, runs: [], interrupted: false)
        result.budgetKind = budgetKind
        if budgetKind == .flops {
            result.flopBudget = Double(budgetTokens) * FLOPs.of(prototype, sequenceLength: data.contextLength).perTrainedToken
        }
        let charge = charges.isEmpty ? [Double](repeating: 0, count: schedules.count) : charges
        let flopBudget = result.flopBudget
        func runConfig(_ seed: UInt64, _ index: Int) -> TrainerConfig {
            var c = base
            c.seed = seed
            if let f = flopBudget { c.budget = nil; c.flopBudget = f } else { c.budget = budgetTokens }
            c.chargedFLOPs = charge[index]
            if let out = base.out { c.out = out + "/\(safeName(schedules[index].name))-seed\(seed)" }
            return c
        }
        let exchange = DataParallel.exchange
        if exchange.size > 1 && parallel == .runs {
            return try compareOverRanks(schedules: schedules, prototype: prototype, data: data, config: runConfig,
                                        makeOptimizer: makeOptimizer, result: result,
                                        exchange: exchange, progress: progress)
        }
        for seed in seeds {
            for (index, (name, schedule)) in schedules.enumerated() {
                let config = runConfig(seed, index)
                let model = try Checkpoint.makeModel(config: prototype.config, seed: seed)
                let run = try Run(model: model, optimizer: makeOptimizer(), data: data, schedule: schedule, config: config)
                result.runs.append(ComparisonRun(schedule: name, seed: seed, run: run))
                let label = "\(name) seed \(seed)"
                var hooks = TrainerHooks(progress: progress.map { p in { p(label, $0) } })
                hooks.shouldPause = shouldPause
                let stop = try run.advance(hooks: hooks)
                if stop == .interrupted {
                    result.interrupted = true
                    return result
                }
            }
        }
        return result
    }

    /// The schedules with names made unique: a repeated name gets its
    /// position (`lfr #3`), so every row of the table is one schedule.
    static func uniqueNames(_ schedules: [(name: String, schedule: Schedule)]) -> [(name: String, schedule: Schedule)] {
        var used = Set<String>()
        return schedules.enumerated().map { i, s in
            var name = s.name
            if used.contains(name) { name += " #\(i + 1)" }
            used.insert(name)
            return (name, s.schedule)
        }
    }

    static func safeName(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}

/// What `compare` holds equal between runs.
public enum ComparisonBudget: String, Sendable {
    /// Trained tokens.
    case tokens
    /// FLOPs of training and measurement passes (and charges), at what the
    /// token budget costs to train.
    case flops
}

/// How `compare` uses the ranks of an MPI job.
public enum ComparisonParallelism: String, Sendable {
    /// Each rank trains whole runs (pair k on rank k mod size); rank order
    /// does not change any run, so the table equals the sequential one.
    case runs
    /// Every run is data-parallel over all ranks, one after the other.
    case data
}

extension Comparer {
    /// The (seed, schedule) pairs over the ranks, each a whole one-process
    /// run; the finished runs travel as saved run files (RunState) to every
    /// rank, so every rank returns the same comparison.
    static func compareOverRanks(
        schedules: [(name: String, schedule: Schedule)], prototype: any LanguageModel, data: Dataset,
        config: (UInt64, Int) -> TrainerConfig, makeOptimizer: () throws -> AdamW, result start: Comparison,
        exchange: any Exchange, progress: ((String, Progress) -> Void)?
    ) throws -> Comparison {
        var result = start
        var pairs: [(seed: UInt64, index: Int)] = []
        for seed in result.seeds { for i in schedules.indices { pairs.append((seed, i)) } }
        let scratch = FileManager.default.temporaryDirectory.path + "/lfr-compare-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // Mine: [interrupted flag][per run: 8-byte length, saved run bytes].
        var interrupted = false
        var blob: [UInt8] = [0]
        for (k, pair) in pairs.enumerated() where k % exchange.size == exchange.rank && !interrupted {
            let name = schedules[pair.index].name
            let model = try Checkpoint.makeModel(config: prototype.config, seed: pair.seed)
            let run = try Run(model: model, optimizer: makeOptimizer(), data: data,
                              schedule: schedules[pair.index].schedule, config: config(pair.seed, pair.index))
            run.exchange = LocalExchange()
            let label = "\(name) seed \(pair.seed)"
            if try run.advance(progress: progress.map { p in { p(label, $0) } }) == .interrupted { interrupted = true }
            let path = scratch + "/\(k).run"
            try run.save(to: path)
            let bytes = try [UInt8](Foundation.Data(contentsOf: URL(fileURLWithPath: path)))
            withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { blob += $0 }
            blob += bytes
        }
        if interrupted { blob[0] = 1 }
        let parts = try exchange.gather(bytes: blob)
        var byPair: [Int: Run] = [:]
        for (rank, part) in parts.enumerated() {
            if part.first == 1 { result.interrupted = true }
            var at = 1
            for k in stride(from: rank, to: pairs.count, by: exchange.size) where at < part.count {
                var n: UInt64 = 0
                withUnsafeMutableBytes(of: &n) { $0.copyBytes(from: part[at ..< at + 8]) }
                let length = Int(UInt64(littleEndian: n))
                let path = scratch + "/from-\(k).run"
                try Foundation.Data(part[(at + 8) ..< (at + 8 + length)]).write(to: URL(fileURLWithPath: path))
                var c = config(pairs[k].seed, pairs[k].index)
                c.out = nil
                byPair[k] = try Run.load(path: path, data: data, schedule: schedules[pairs[k].index].schedule, config: c)
                at += 8 + length
            }
        }
        for k in pairs.indices {
            guard let run = byPair[k] else { break }
            result.runs.append(ComparisonRun(schedule: schedules[pairs[k].index].name, seed: pairs[k].seed, run: run))
        }
        return result
    }
}
