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
    public override var memberNames: [String] { ["table", "runs", "names", "budget", "plot"] }
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
                return .dict(d)
            })
        case "plot":
            return .str(comparison.plot)
        default: return try super.getMember(name)
        }
    }
}

/// Registers compare.
func installCompareBindings(into interp: Interpreter, host: LibraryHost) {
    interp.register("compare", [Param("schedules"), Param("model"), Param("data"),
                                Param("tokens", default: .nil), Param("seeds", default: .nil),
                                Param("batch", default: .number(16)), Param("opt", default: .nil),
                                Param("eval_every", default: .number(0)), Param("eval_blocks", default: .number(256)),
                                Param("out", default: .nil), Param("plot", default: .nil),
                                Param("quiet", default: .bool(false)), Param("log_every", default: .number(50)),
                                Param("parallel", default: .string("runs"))],
                    doc: """
                        compare([schedules], model:, data:, tokens: nil, seeds: [1], batch: 16, opt: adamw(lr: 1e-3), \
                        eval_every: 0, eval_blocks: 256, out: nil, plot: "file.svg", quiet: false): trains a fresh model like `model` \
                        (same kind and size, initialised from each seed) per schedule and seed at an equal token \
                        budget (tokens:, else the largest schedule's), prints a table (val ppl mean ± half-spread, \
                        tokens to reach the first schedule's final ppl, forgetting events) and a plot of val ppl \
                        against tokens, and returns the comparison (print it for the table again; c.plot is the \
                        plot). Put the baseline first. quiet: true prints nothing.
                        """) { args in
        guard case .list(let l) = args["schedules"], !l.items.isEmpty else {
            throw args.fail("schedules", "a non-empty list of schedules")
        }
        let schedules = try l.items.enumerated().map { i, item -> (name: String, schedule: Schedule) in
            guard case .object(let o) = item, let s = o as? ScheduleValue else {
                throw RuntimeError("compare: item \(i) of schedules is a \(typeName(item)), not a schedule")
            }
            return (s.name, s.schedule)
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
                                 budget: try args.optionalInt("tokens"), parallel: parallel, progress: progress)
        }
        if !quiet { host.endProgress?() }
        if c.interrupted {
            if host.interruptPausesOnly { Interrupt.clear() }
            args.interpreter.output("comparison stopped by Ctrl-C; partial results:\n")
        }
        if !quiet { args.interpreter.output(c.report()) }
        host.plotMade?(PlotArtifact(kind: .compare, title: "validation perplexity vs tokens", svg: c.svg, printed: quiet ? nil : c.report().hasPrefix(c.table + "\n\n") ? String(c.report().dropFirst(c.table.count + 2)) : nil))
        if let path = try args.optionalString("plot") {
            try writeText(c.svg, to: path)
            if !quiet { args.interpreter.output("plot written to \(path)\n") }
        }
        return .object(ComparisonValue(c, interpreter: args.interpreter, host: host))
    }
}
