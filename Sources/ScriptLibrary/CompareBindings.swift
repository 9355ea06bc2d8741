// CompareBindings: compare() and the comparison value it returns.
//
// What stays true here: the comparison itself — fresh models, equal token
// budgets, seeds, unique names, the table and the plot — is Schedules'
// (`Comparer`, `Comparison`); this file reads the arguments, routes
// progress to the host and prints the report.
import Data
import Models
import Schedules
import Script
import TensorCore

/// The outcome of compare(): its table, curves and runs.
public final class ComparisonValue: NativeObject {
    public let comparison: Comparison
    let interpreter: Interpreter
    let host: LibraryHost
    init(_ c: Comparison, interpreter: Interpreter, host: LibraryHost) {
        comparison = c; self.interpreter = interpreter; self.host = host
    }
    public override var typeName: String { "comparison" }
    public override var description: String { comparison.table }
    public override var memberNames: [String] { ["table", "runs", "rows", "curves", "names", "budget", "flop_budget", "plot", "svg"] }
    public override var helpText: String {
        """
        The outcome of compare(). table, plot (terminal text), svg(log_x: false) (the plot as SVG text), \
        names, budget (tokens), flop_budget (nil unless budget: "flops"); rows: one dict per schedule \
        (schedule, val_loss, delta, efficiency, flop_efficiency — each a dict of mean, low, high, or nil — \
        reached (seeds where the baseline reached its loss), and seeds: per seed dicts of seed, val_loss, \
        tokens, scored_tokens, flops, delta, efficiency, flop_efficiency); curves: per run dicts of \
        schedule, seed and points ([tokens, flops, val_loss] lists at each evaluation); runs: per run \
        dicts of schedule, seed, run, tokens, scored_tokens, flops, val_loss.
        """
    }
    public override func getMember(_ name: String) throws -> Value {
        switch name {
        case "table": return .str(comparison.table)
        case "names": return .list(comparison.names.map { .str($0) })
        case "budget": return .number(Double(comparison.budget))
        case "runs":
            return .list(comparison.runs.map { r in
                let d = DictObject()
                d.set("schedule", .str(r.schedule))
                d.set("seed", .number(Double(r.seed)))
                d.set("run", .object(RunValue(r.run, interpreter: interpreter, host: host, quiet: true)))
                d.set("tokens", .number(Double(r.run.tokens)))
                d.set("scored_tokens", .number(Double(r.run.scoredTokens)))
                d.set("flops", .number(r.run.flops))
                d.set("val_loss", r.run.valLoss.map { .number($0) } ?? .nil)
                return .dict(d)
            })
        case "rows": return comparisonRows(comparison)
        case "curves": return comparisonCurves(comparison)
        case "flop_budget": return comparison.flopBudget.map { .number($0) } ?? .nil
        case "svg":
            return method("svg", [Param("log_x", default: .bool(false))],
                          doc: "The comparison's plot as SVG text (log_x: true puts tokens on a log axis).") { args in
                .str(self.comparison.svg(logX: try args.bool("log_x")))
            }
        case "plot":
            return .str(comparison.plot)
        default: return try super.getMember(name)
        }
    }
}

/// An estimate as a dict of mean, low, high (low and high nil for one seed).
func estimateValue(_ e: ComparisonStatistics.Estimate?) -> Value {
    guard let e else { return .nil }
    let d = DictObject()
    d.set("mean", .number(e.mean))
    d.set("low", e.low.map { .number($0) } ?? .nil)
    d.set("high", e.high.map { .number($0) } ?? .nil)
    return .dict(d)
}

/// result.rows: per schedule the statistics against the baseline, with per-seed values.
func comparisonRows(_ c: Comparison) -> Value {
    let tokenRows = c.statisticRows, flopRows = c.statisticRows(flops: true)
    let base = c.names.first.map { c.seedResults($0) } ?? []
    let baseFlops = c.names.first.map { c.seedResults($0, flops: true) } ?? []
    return .list(c.names.enumerated().map { i, name in
        let d = DictObject()
        d.set("schedule", .str(name))
        d.set("val_loss", estimateValue(tokenRows[i].row.finalLoss))
        d.set("delta", estimateValue(tokenRows[i].row.difference))
        d.set("efficiency", estimateValue(i == 0 ? nil : tokenRows[i].row.efficiency))
        d.set("flop_efficiency", estimateValue(i == 0 ? nil : flopRows[i].row.efficiency))
        d.set("reached", .number(Double(i == 0 ? c.seeds.count : tokenRows[i].row.reaches.count - tokenRows[i].row.unreachedSeeds)))
        let mine = c.seedResults(name), mineFlops = c.seedResults(name, flops: true)
        var seeds: [Value] = []
        for (k, seed) in c.seeds.enumerated() {
            guard let r = c.runs.first(where: { $0.schedule == name && $0.seed == seed })?.run else { continue }
            let s = DictObject()
            s.set("seed", .number(Double(seed)))
            s.set("val_loss", r.curves["val_loss"]?.last.map { .number($0.value) } ?? .nil)
            s.set("tokens", .number(Double(r.tokens)))
            s.set("scored_tokens", .number(Double(r.scoredTokens)))
            s.set("flops", .number(r.flops))
            var delta = Value.nil, eff = Value.nil, flopEff = Value.nil
            if i > 0, k < mine.count, k < base.count {
                delta = .number(mine[k].finalLoss - base[k].finalLoss)
                if let e = ComparisonStatistics.efficiency(baselineCost: base[k].curveCost, baselineLoss: base[k].curveLoss,
                                                           scheduleFinalLoss: mine[k].finalLoss, scheduleCost: mine[k].cost).ratio { eff = .number(e) }
                if k < mineFlops.count, k < baseFlops.count,
                   let e = ComparisonStatistics.efficiency(baselineCost: baseFlops[k].curveCost, baselineLoss: baseFlops[k].curveLoss,
                                                           scheduleFinalLoss: mineFlops[k].finalLoss, scheduleCost: mineFlops[k].cost).ratio { flopEff = .number(e) }
            }
            s.set("delta", delta)
            s.set("efficiency", eff)
            s.set("flop_efficiency", flopEff)
            seeds.append(.dict(s))
        }
        d.set("seeds", .list(ListObject(seeds)))
        return .dict(d)
    })
}

/// result.curves: per run its validation curve as [tokens, flops, val_loss] points.
func comparisonCurves(_ c: Comparison) -> Value {
    .list(c.runs.map { r in
        let d = DictObject()
        d.set("schedule", .str(r.schedule))
        d.set("seed", .number(Double(r.seed)))
        let loss = r.run.curves["val_loss"] ?? [], flops = r.run.curves["flops"] ?? []
        d.set("points", .list(ListObject(loss.enumerated().map { k, p in
            .list(ListObject([.number(Double(p.tokens)), k < flops.count ? .number(flops[k].value) : .nil, .number(p.value)]))
        })))
        return .dict(d)
    })
}

/// Registers compare.
func installCompareBindings(into interp: Interpreter, host: LibraryHost) {
    interp.register("compare", [Param("schedules"), Param("model"), Param("data"),
                                Param("tokens", default: .nil), Param("seeds", default: .nil),
                                Param("batch", default: .number(16)), Param("opt", default: .nil),
                                Param("eval_every", default: .number(0)), Param("eval_blocks", default: .number(256)),
                                Param("out", default: .nil), Param("plot", default: .nil),
                                Param("quiet", default: .bool(false)), Param("log_every", default: .number(50)),
                                Param("parallel", default: .string("runs")), Param("budget", default: .string("tokens")),
                                Param("log_x", default: .bool(false))],
                    doc: """
                        compare([schedules], model:, data:, tokens: nil, seeds: [1], batch: 16, opt: adamw(lr: 1e-3), \
                        eval_every: 0, eval_blocks: 256, out: nil, plot: "file.svg", quiet: false): trains a fresh model like `model` \
                        (same kind and size, initialised from each seed) per schedule and seed at an equal token \
                        budget (tokens:, else the largest schedule's), prints a table (val ppl mean ± half-spread, \
                        tokens to reach the first schedule's final ppl, forgetting events) and a plot of val ppl \
                        against tokens, and returns the comparison (print it for the table again; c.plot is the \
                        plot). Put the baseline first. quiet: true prints nothing. budget: "tokens" holds trained tokens \
                        equal; budget: "flops" holds FLOPs equal (what the token budget costs to train): \
                        measurement passes (focus(measure: true)) and a schedule's charge are paid from it, \
                        so such a run trains on fewer tokens. Tables show scored tokens, FLOPs and FLOP \
                        efficiency either way. log_x: true draws the SVG's tokens axis on a log scale.
                        """) { args in
        guard case .list(let l) = args["schedules"], !l.items.isEmpty else {
            throw args.fail("schedules", "a non-empty list of schedules")
        }
        let values = try l.items.enumerated().map { i, item -> ScheduleValue in
            guard case .object(let o) = item, let s = o as? ScheduleValue else {
                throw RuntimeError("compare: item \(i) of schedules is a \(typeName(item)), not a schedule")
            }
            return s
        }
        let schedules = values.map { (name: $0.name, schedule: $0.schedule) }
        let budgetName = try args.string("budget")
        guard let budgetKind = ComparisonBudget(rawValue: budgetName) else {
            throw RuntimeError("compare: budget must be \"tokens\" (equal trained tokens) or \"flops\" (equal FLOPs, measurement passes charged), got \"\(budgetName)\"")
        }
        let model = try modelArgument(args, "model")
        let data = try datasetArgument(args, "data")
        let config = try trainerConfig(args, budgetFromTokens: false)
        var seeds: [UInt64] = [1]
        if !args.isNil("seeds") {
            seeds = try args.list("seeds").items.map { v -> UInt64 in
                guard case .number(let d) = v, let n = exactInt(d), n >= 0 else { throw RuntimeError("compare: seeds must be non-negative integers") }
                return UInt64(n)
            }
        }
        let parallelName = try args.string("parallel")
        guard let parallel = ComparisonParallelism(rawValue: parallelName) else {
            throw RuntimeError("compare: parallel must be \"runs\" (each rank trains whole runs) or \"data\" (every run data-parallel over all ranks), got \"\(parallelName)\"")
        }
        let optTemplate = try trainingOptimizer(args)
        let quiet = try args.bool("quiet")
        var progress: ((String, Progress) -> Void)? = nil
        if !quiet, let show = host.showProgress {
            let logEvery = config.logEvery
            progress = { label, p in show(ProgressReport(p, label: label, logEvery: logEvery)) }
        }
        let c = try translatingErrors {
            try Comparer.compare(schedules: schedules, model: model, data: data, config: config,
                                 optimizer: { try freshOptimizer(like: optTemplate) }, seeds: seeds,
                                 budget: try args.optionalInt("tokens"), budgetKind: budgetKind,
                                 charges: values.map(\.charge), parallel: parallel, progress: progress)
        }
        if !quiet { host.endProgress?() }
        if c.interrupted {
            if host.interruptPausesOnly { Interrupt.clear() }
            args.interpreter.output("comparison stopped by Ctrl-C; partial results:\n")
        }
        let printed = c.report(colour: host.colour)
        if !quiet { args.interpreter.output(printed) }
        host.plotMade?(PlotArtifact(kind: .compare, title: Comparison.plotTitle, svg: c.svg(logX: try args.bool("log_x")),
                                    printed: quiet ? nil : String(printed.dropFirst(c.table.count + 2))))
        if let path = try args.optionalString("plot") {
            try writeText(c.svg(logX: try args.bool("log_x")), to: path)
            if !quiet { args.interpreter.output("plot written to \(path)\n") }
        }
        return .object(ComparisonValue(c, interpreter: args.interpreter, host: host))
    }
}
