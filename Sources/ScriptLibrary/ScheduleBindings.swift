// ScheduleBindings: phases, schedules, training runs, statistics, compare,
// measure and plots as values of the language (module Schedules bound into
// Script). Every native here has one shape: validate the arguments, call
// the core, wrap the result; core errors become language errors that the
// interpreter locates.
//
// Conventions that stay true in this file:
// - statistics are per training block (index i; `stats.id[i]` is the
//   dataset block id to pass to `data.block`);
// - a policy returns a tensor (or list) with one entry per training block:
//   a mask (the result of a comparison such as `stats.ppl > q`, or a list
//   of bools) keeps blocks; any other numbers are sampling weights;
// - `train` trains the model it is given, in place; `compare` never touches
//   the model it is given (it trains fresh models of the same kind).
import Data
import Models
import Schedules
import Script
import TensorCore
#if canImport(Glibc)
import Glibc
#endif

func method(_ name: String, _ params: [Param] = [], doc: String,
            _ body: @escaping (Arguments) throws -> Value) -> Value {
    .native(NativeFunction(name: name, parameters: params, doc: doc, body: body))
}

func floatTensor(_ values: [Float]) throws -> Value {
    .object(TensorValue(try Tensor(shape: [values.count], values: values)))
}

// MARK: - Phase, repeat, schedule values

/// A phase (learn, focus, review, or custom) as a value.
public final class PhaseValue: NativeObject {
    public let phase: Phase
    init(_ phase: Phase) { self.phase = phase }
    public override var typeName: String { "phase" }
    public override var description: String {
        "\(phase.name)(\(phase.selection.summary), \(phase.length.summary)\(phase.measureFirst ? ", measured" : ""))"
    }
    public override var helpText: String { PhaseValue.doc }
    static let doc = """
        A phase of a training schedule: learn (all blocks, recording statistics), focus (the blocks a \
        rule or policy keeps), review (all blocks again, recording afresh) or a custom phase. Combine \
        phases with schedule([...]) and repeat(n, [...]).
        """
    public override var memberNames: [String] { ["name", "kind", "length", "rule"] }
    public override func getMember(_ name: String) throws -> Value {
        switch name {
        case "name": return .str(phase.name)
        case "kind": return .str(phase.kind.rawValue)
        case "length": return .str(phase.length.summary)
        case "rule": return .str(phase.selection.summary)
        default: return try super.getMember(name)
        }
    }
}

/// `repeat(n, [phases])` before it is placed in a schedule.
public final class RepeatValue: NativeObject {
    public let count: Int
    public let items: [ScheduleItem]
    init(count: Int, items: [ScheduleItem]) { self.count = count; self.items = items }
    public override var typeName: String { "repeat" }
    public override var description: String { "repeat(\(count), \(Schedule(items).phases.count / max(count, 1)) phases)" }
}

/// A schedule: phases in order, with a name for comparisons.
public final class ScheduleValue: NativeObject {
    public let schedule: Schedule
    public var name: String
    init(_ schedule: Schedule, name: String) { self.schedule = schedule; self.name = name }
    public override var typeName: String { "schedule" }
    public override var description: String { "schedule \(name)\n" + schedule.summary }
    public override var summary: String { "schedule \(name) (\(schedule.phases.count) phases)" }
    public override var helpText: String { ScheduleValue.doc }
    static let doc = """
        A training schedule: a list of phases. Print it with a dataset to see tokens per phase: \
        sched.table(data, batch: 16); sched.tokens(data, batch: 16) is its token budget. Schedules \
        compose with + and repeat(n, [...]); sched.name names it in compare() tables.
        """
    public override var memberNames: [String] { ["name", "phases", "table", "tokens"] }
    public override func getMember(_ name: String) throws -> Value {
        switch name {
        case "name": return .str(self.name)
        case "phases": return .list(schedule.phases.map { .object(PhaseValue($0.phase)) })
        case "table":
            return method("table", [Param("data"), Param("batch", default: .number(16))],
                          doc: "The schedule as a table of phases with their blocks, steps and tokens for a dataset.") { a in
                let data = try datasetArgument(a, 0)
                let batch = try a.int(1)
                guard batch >= 1 else { throw RuntimeError("table: batch must be >= 1") }
                return .str(self.schedule.table(blocks: data.trainIDs.count, context: data.contextLength, batch: batch))
            }
        case "tokens":
            return method("tokens", [Param("data"), Param("batch", default: .number(16))],
                          doc: "Tokens the schedule trains on for a dataset and batch size (nil when a policy decides at run time).") { a in
                let data = try datasetArgument(a, 0)
                let batch = try a.int(1)
                guard batch >= 1 else { throw RuntimeError("tokens: batch must be >= 1") }
                return self.schedule.tokens(blocks: data.trainIDs.count, context: data.contextLength, batch: batch)
                    .map { .number(Double($0)) } ?? .nil
            }
        default: return try super.getMember(name)
        }
    }
    public override func setMember(_ name: String, _ value: Value) throws {
        guard name == "name", case .string(let s) = value else {
            throw RuntimeError("only a schedule's name can be set (to a string)")
        }
        self.name = s.value
    }
    public override func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws -> Value? {
        guard op == .add, case .object(let o) = other, let s = o as? ScheduleValue else { return nil }
        let (l, r) = selfOnLeft ? (self, s) : (s, self)
        return .object(ScheduleValue(l.schedule + r.schedule, name: "\(l.name)+\(r.name)"))
    }
}

/// Marks a tensor as sampling weights even when it holds only 0 and 1.
public final class WeightsValue: NativeObject {
    public let weights: [Float]
    init(_ w: [Float]) { weights = w }
    public override var typeName: String { "weights" }
    public override var description: String { "weights(\(weights.count) blocks)" }
}

// MARK: - Statistics and runs

/// A snapshot of per-block statistics, as tensors (one entry per training block).
public final class StatsValue: NativeObject {
    public let stats: BlockStatistics
    let blockIDs: [Int32]
    let step: Int
    let phaseIndex: Int
    public init(_ stats: BlockStatistics, blockIDs: [Int32], step: Int, phaseIndex: Int) {
        self.stats = stats; self.blockIDs = blockIDs; self.step = step; self.phaseIndex = phaseIndex
    }
    public override var typeName: String { "stats" }
    public override var description: String {
        "stats(\(stats.count) blocks, \(stats.seenBlocks) seen, \(stats.totalForgets) forgetting events, step \(step))"
    }
    public override var helpText: String { StatsValue.doc }
    static let doc = """
        Per-block statistics of a run, one entry per training block (index i; id[i] is the dataset \
        block id for data.block). Tensors: loss and ppl (latest recorded), mean_loss and mean_ppl \
        (mean over the current recording window), first_loss, best_loss, seen (times trained), \
        forgets (forgetting events), last_step (step of the latest record), id. Numbers: count, \
        step, phase (index of the phase that asks). NaN marks a block not yet recorded.
        """
    public override var memberNames: [String] {
        ["loss", "ppl", "mean_loss", "mean_ppl", "first_loss", "best_loss", "seen", "forgets", "last_step",
         "id", "count", "step", "phase"]
    }
    public override func getMember(_ name: String) throws -> Value {
        switch name {
        case "count": return .number(Double(stats.count))
        case "step": return .number(Double(step))
        case "phase": return .number(Double(phaseIndex))
        case "id": return try floatTensor(blockIDs.map { Float($0) })
        case "first_loss": return try floatTensor(stats.firstLoss)
        case "best_loss": return try floatTensor(stats.bestLoss)
        default:
            if let s = BlockStatistic(rawValue: name) { return try floatTensor(s.values(stats)) }
            return try super.getMember(name)
        }
    }
    public override func length() throws -> Int? { stats.count }
}

/// A training run: pause with Ctrl-C, inspect, resume.
public final class RunValue: NativeObject {
    public let run: Run
    let interpreter: Interpreter
    let quiet: Bool
    init(_ run: Run, interpreter: Interpreter, quiet: Bool) {
        self.run = run; self.interpreter = interpreter; self.quiet = quiet
    }
    public override var typeName: String { "run" }
    public override var description: String {
        let state = run.finished ? "finished" : "paused in phase \(min(run.phaseIndex + 1, run.phases.count))/\(run.phases.count)"
        var s = "run(\(state), step \(run.step), \(TextTable.grouped(run.tokens)) tokens"
        if let l = run.valLoss { s += String(format: ", val loss %.4f, val ppl %.3f", l, exp(l)) }
        return s + ")"
    }
    public override var helpText: String { RunValue.doc }
    static let doc = """
        A training run made by train(). Members: model, stats, tokens, step, phase, finished, \
        val_loss, val_ppl, curve(name) (a [N, 2] tensor of tokens and values; names: train_loss, \
        val_loss, val_ppl, lr), curves (names), plan (the schedule table), resume() (continues after \
        Ctrl-C, exactly as if never stopped), measure() (scores every block with the current model \
        and records the values), save(path) (the whole run state; load_run(path, data, schedule) \
        brings it back in another process), folder.
        """
    public override var memberNames: [String] {
        ["model", "stats", "tokens", "step", "phase", "finished", "val_loss", "val_ppl", "curve", "curves",
         "plan", "resume", "measure", "save", "folder", "data", "schedule"]
    }
    public override func getMember(_ name: String) throws -> Value {
        switch name {
        case "model": return .object(ModelValue(run.model))
        case "data": return .object(DatasetValue(run.data))
        case "stats":
            return .object(StatsValue(run.stats, blockIDs: run.data.trainIDs, step: run.step, phaseIndex: run.phaseIndex))
        case "tokens": return .number(Double(run.tokens))
        case "step": return .number(Double(run.step))
        case "phase": return .str(run.phaseIndex < run.phases.count ? run.phases[run.phaseIndex].phase.name : "done")
        case "finished": return .bool(run.finished)
        case "val_loss": return run.valLoss.map { .number($0) } ?? .nil
        case "val_ppl": return run.valPpl.map { .number($0) } ?? .nil
        case "folder": return run.config.out.map { .str($0) } ?? .nil
        case "plan":
            return .str(run.schedule.table(blocks: run.trainCount, context: run.data.contextLength,
                                           batch: run.config.batch, budget: run.config.budget))
        case "curves": return .list(run.curves.keys.sorted().map { .str($0) })
        case "curve":
            return method("curve", [Param("name")],
                          doc: "A curve of the run as an [N, 2] tensor: column 0 tokens, column 1 values.") { a in
                let n = try a.string(0)
                guard let points = self.run.curve(n) else {
                    throw RuntimeError("run has no curve '\(n)' (it has: \(self.run.curves.keys.sorted().joined(separator: ", ")))")
                }
                var flat: [Float] = []
                flat.reserveCapacity(points.count * 2)
                for p in points { flat.append(Float(p.tokens)); flat.append(Float(p.value)) }
                return .object(TensorValue(try Tensor(shape: [points.count, 2], values: flat)))
            }
        case "resume":
            return method("resume", [], doc: "Continues the run where it stopped (after Ctrl-C or an error between phases).") { _ in
                try runTraining(self.run, interpreter: self.interpreter, quiet: self.quiet)
                return .object(self)
            }
        case "measure":
            return method("measure", [], doc: "Scores every training block with the current model (no training) and records the losses in the statistics.") { _ in
                try self.run.measure()
                return .nil
            }
        case "save":
            return method("save", [Param("path")], doc: "Writes the whole run state (model, optimizer, statistics, sampler, RNG) to a file.") { a in
                let path = try a.string(0)
                try self.run.save(to: path)
                return .nil
            }
        case "schedule": return .object(ScheduleValue(run.schedule, name: "schedule"))
        default: return try super.getMember(name)
        }
    }
}

/// The outcome of compare(): its table, curves and runs.
public final class ComparisonValue: NativeObject {
    public let comparison: Comparison
    let interpreter: Interpreter
    init(_ c: Comparison, interpreter: Interpreter) { comparison = c; self.interpreter = interpreter }
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
                d.set("run", .object(RunValue(r.run, interpreter: interpreter, quiet: true)))
                return .dict(d)
            })
        case "plot":
            return .str(Plot.terminal(comparison.series, title: "validation perplexity vs tokens", xLabel: "tokens", yLabel: "val ppl"))
        default: return try super.getMember(name)
        }
    }
}

// MARK: - Argument helpers

func datasetArgument(_ a: Arguments, _ i: Int) throws -> Dataset {
    if case .object(let o) = a[i], let d = o as? DatasetValue { return d.dataset }
    throw a.fail(i, "a dataset")
}

func modelArgument(_ a: Arguments, _ i: Int) throws -> any LanguageModel {
    if case .object(let o) = a[i], let m = o as? ModelValue { return m.model }
    throw a.fail(i, "a model")
}

func scheduleArgument(_ a: Arguments, _ i: Int) throws -> ScheduleValue {
    if case .object(let o) = a[i] {
        if let s = o as? ScheduleValue { return s }
        if let p = o as? PhaseValue { return ScheduleValue(Schedule(phases: [p.phase]), name: p.phase.name) }
    }
    throw a.fail(i, "a schedule")
}

/// Phase items from a list of phases, repeats and schedules.
func scheduleItems(_ v: Value, op: String) throws -> [ScheduleItem] {
    guard case .list(let l) = v else { throw RuntimeError("\(op): expected a list of phases, got \(typeName(v))") }
    var items: [ScheduleItem] = []
    for (i, x) in l.items.enumerated() {
        guard case .object(let o) = x else {
            throw RuntimeError("\(op): item \(i) is a \(typeName(x)), not a phase (make phases with learn, focus, review, phase)")
        }
        switch o {
        case let p as PhaseValue: items.append(.phase(p.phase))
        case let r as RepeatValue: items.append(.repeated(r.count, r.items))
        case let s as ScheduleValue: items += s.schedule.items
        default: throw RuntimeError("\(op): item \(i) is a \(o.typeName), not a phase")
        }
    }
    return items
}

/// The length given by exactly one of epochs:, steps:, tokens:, until_budget:.
func phaseLength(_ a: Arguments, epochs: Int, steps: Int, tokens: Int, untilBudget: Int?, op: String) throws -> PhaseLength {
    var given: [PhaseLength] = []
    if !a.isNil(epochs) {
        let e = try a.number(epochs)
        guard e.isFinite && e > 0 else { throw RuntimeError("\(op): epochs must be > 0, got \(formatNumber(e))") }
        given.append(.epochs(e))
    }
    if !a.isNil(steps) {
        let s = try a.int(steps)
        guard s > 0 else { throw RuntimeError("\(op): steps must be > 0, got \(s)") }
        given.append(.steps(s))
    }
    if !a.isNil(tokens) {
        let t = try a.int(tokens)
        guard t > 0 else { throw RuntimeError("\(op): tokens must be > 0, got \(t)") }
        given.append(.tokens(t))
    }
    if let u = untilBudget, !a.isNil(u), try a.bool(u) { given.append(.untilBudget) }
    guard given.count <= 1 else { throw RuntimeError("\(op): give only one of epochs:, steps:, tokens:\(untilBudget == nil ? "" : ", until_budget:")") }
    return given.first ?? .epochs(1)
}

func statisticArgument(_ a: Arguments, _ i: Int, op: String) throws -> BlockStatistic {
    let s = try a.string(i)
    guard let b = BlockStatistic(rawValue: s) else {
        throw RuntimeError("\(op): by: must be one of \(BlockStatistic.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(s)\"")
    }
    return b
}

/// Wraps a policy function written in the language as a Selection.
public func policySelection(_ fn: Value, name: String, interpreter: Interpreter) -> Selection {
    .policy(name: name) { input in
        let stats = StatsValue(input.stats, blockIDs: input.blockIDs, step: input.step, phaseIndex: input.phaseIndex)
        let result: Value
        do {
            result = try interpreter.call(fn, [.object(stats)])
        } catch let e as ScriptError {
            throw ScheduleError.policy(phase: input.phaseName, message: e.message)
        } catch let e as RuntimeError {
            throw ScheduleError.policy(phase: input.phaseName, message: e.message)
        }
        return try policyResult(result, phase: input.phaseName)
    }
}

/// Reads what a policy returned (see the file header).
func policyResult(_ v: Value, phase: String) throws -> PolicyResult {
    switch v {
    case .object(let o):
        if let w = o as? WeightsValue { return .weights(w.weights) }
        if let t = o as? TensorValue {
            guard t.tensor.rank == 1 else {
                throw ScheduleError.policy(phase: phase, message: "returned a tensor of shape \(t.tensor.shape); expected one value per block (1-d)")
            }
            let values = t.tensor.toArray()
            // A comparison's result (a mask tensor) keeps blocks; any other
            // tensor holds sampling weights.
            if t.isMask { return .mask(values.map { $0 != 0 }) }
            return .weights(values)
        }
    case .list(let l):
        if l.items.allSatisfy({ if case .bool = $0 { return true }; return false }) {
            return .mask(l.items.map { $0.isTruthy })
        }
        var w: [Float] = []
        for x in l.items {
            guard case .number(let d) = x else {
                throw ScheduleError.policy(phase: phase, message: "returned a list holding a \(typeName(x)); expected bools or numbers")
            }
            w.append(Float(d))
        }
        return .weights(w)
    default: break
    }
    throw ScheduleError.policy(phase: phase, message: "returned a \(typeName(v)); expected a mask or weights tensor with one entry per block")
}

// MARK: - Progress

/// Prints training progress: one self-overwriting line on a terminal, plain
/// log lines otherwise.
final class ProgressPrinter {
    let interpreter: Interpreter
    let isTerminal: Bool
    let logEvery: Int
    var lastLength = 0
    var label: String = ""

    init(interpreter: Interpreter, logEvery: Int) {
        self.interpreter = interpreter
        self.isTerminal = isatty(STDOUT_FILENO) == 1 && getenv("LFR_PLAIN_PROGRESS") == nil
        self.logEvery = max(1, logEvery)
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", (t % 3600) / 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t)s"
    }

    func line(_ p: Progress) -> String {
        var parts = [label.isEmpty ? nil : label,
                     "phase \(p.phaseIndex + 1)/\(p.phaseCount) \(p.phaseName)",
                     "step \(p.step)",
                     "\(TextTable.grouped(p.tokens))\(p.totalTokens.map { "/" + TextTable.grouped($0) } ?? "") tok",
                     String(format: "loss %.4f", p.loss)].compactMap { $0 }
        if let v = p.valPpl { parts.append(String(format: "val ppl %.3f", v)) }
        parts.append("\(TextTable.grouped(Int(p.tokensPerSecond.rounded()))) tok/s")
        if let eta = p.secondsLeft, isTerminal { parts.append("ETA " + ProgressPrinter.duration(eta)) }
        return parts.joined(separator: " | ")
    }

    func report(_ p: Progress) {
        if isTerminal {
            let text = line(p)
            if p.isMilestone {
                interpreter.output("\r\u{1B}[K" + text + (p.message.map { "  (\($0))" } ?? "") + "\n")
            } else {
                interpreter.output("\r\u{1B}[K" + text)
            }
            fflush(stdout)
        } else if p.isMilestone || p.step % logEvery == 0 {
            interpreter.output(line(p) + (p.message.map { "  (\($0))" } ?? "") + "\n")
            fflush(stdout)      // log lines reach a file or pipe as they happen
        }
    }
}

/// Advances a run, printing progress, and reports a pause by Ctrl-C.
func runTraining(_ run: Run, interpreter: Interpreter, quiet: Bool, pauseAt: Int? = nil) throws {
    let printer = ProgressPrinter(interpreter: interpreter, logEvery: run.config.logEvery)
    let stop = try run.advance(progress: quiet ? nil : { printer.report($0) },
                               stopWhen: pauseAt.map { at in { $0.step >= at } })
    if stop == .interrupted, let at = pauseAt, run.step >= at {
        if !quiet { interpreter.output("training paused at step \(run.step) (pause_at); run.resume() continues\n") }
    } else if stop == .interrupted {
        Interrupt.clear()
        ScriptInterrupt.clear()
        interpreter.output("\ntraining paused at step \(run.step) (\(TextTable.grouped(run.tokens)) tokens); run.resume() continues\n")
    }
}

// MARK: - Registration

/// Registers phases, schedules, train, compare, measure, load_run, plot and hist.
public func installScheduleBindings(into interp: Interpreter) throws {
    let lengthParams = [Param("epochs", default: .nil), Param("steps", default: .nil),
                        Param("tokens", default: .nil)]

    interp.register("learn", lengthParams + [Param("until_budget", default: .bool(false)),
                                             Param("record", default: .bool(true))],
                    doc: """
                        learn(epochs: 1 | steps: | tokens: | until_budget: true, record: true): a phase that samples \
                        all training blocks uniformly (shuffled epochs) and records each block's loss. \
                        until_budget: runs until the run's token budget is used (the random baseline).
                        """) { a in
        let length = try phaseLength(a, epochs: 0, steps: 1, tokens: 2, untilBudget: 3, op: "learn")
        return .object(PhaseValue(Phase(kind: .learn, length: length, record: try a.bool(4))))
    }

    interp.register("review", lengthParams + [Param("record", default: .bool(true))],
                    doc: "review(epochs: 1 | steps: | tokens:): all training blocks again, recording afresh (a new statistics window).") { a in
        let length = try phaseLength(a, epochs: 0, steps: 1, tokens: 2, untilBudget: nil, op: "review")
        return .object(PhaseValue(Phase(kind: .review, length: length, record: try a.bool(3))))
    }

    interp.register("focus", [Param("drop", default: .number(0.5)), Param("by", default: .string("ppl"))]
                    + lengthParams + [Param("policy", default: .nil), Param("measure", default: .bool(false)),
                                      Param("rerank", default: .bool(true)), Param("record", default: .bool(true))],
                    doc: """
                        focus(drop: 0.5, by: "ppl", epochs: 1 | steps: | tokens:, policy: fn, measure: false, rerank: true): \
                        trains only on the hardest blocks: drops the fraction `drop` with the lowest `by` statistic \
                        (ppl, loss, mean_ppl, mean_loss, seen, forgets, last_step), or keeps what policy(stats) returns. \
                        measure: true scores every block with the current model first (fresh values instead of \
                        values recorded during training). rerank: false makes a repeated focus reuse its first choice.
                        """) { a in
        let length = try phaseLength(a, epochs: 2, steps: 3, tokens: 4, untilBudget: nil, op: "focus")
        var selection: Selection
        if !a.isNil(5) {
            let fn = try a.callable(5)
            selection = policySelection(fn, name: policyName(fn), interpreter: a.interpreter)
        } else {
            let drop = try a.number(0)
            guard drop >= 0 && drop < 1 else { throw RuntimeError("focus: drop must be in [0, 1), got \(formatNumber(drop))") }
            selection = .dropEasiest(drop: drop, by: try statisticArgument(a, 1, op: "focus"))
        }
        return .object(PhaseValue(Phase(kind: .focus, length: length, selection: selection, record: try a.bool(8),
                                        measureFirst: try a.bool(6), rerank: try a.bool(7))))
    }

    interp.register("phase", [Param("policy")] + lengthParams
                    + [Param("name", default: .string("custom")), Param("record", default: .bool(true)),
                       Param("new_window", default: .bool(false)), Param("measure", default: .bool(false))],
                    doc: """
                        phase(policy: fn, epochs: 1 | steps: | tokens:, name: "custom", record: true, new_window: false, \
                        measure: false): a custom phase. policy(stats) returns one entry per training block: a 0/1 \
                        mask (shuffled epochs over the kept blocks) or non-negative weights (sampling with \
                        replacement in proportion; an epoch is as many draws as blocks with positive weight).
                        """) { a in
        let fn = try a.callable(0)
        let length = try phaseLength(a, epochs: 1, steps: 2, tokens: 3, untilBudget: nil, op: "phase")
        let name = try a.string(4)
        return .object(PhaseValue(Phase(kind: .custom, length: length,
                                        selection: policySelection(fn, name: policyName(fn), interpreter: a.interpreter),
                                        record: try a.bool(5), newWindow: try a.bool(6), measureFirst: try a.bool(7), name: name)))
    }

    interp.register("weights", [Param("values")],
                    doc: "weights(t): marks a policy's result as sampling weights even when it holds only 0 and 1.") { a in
        .object(WeightsValue(try floatsArgument(a[0], op: "weights")))
    }

    interp.register("repeat", [Param("n"), Param("phases")],
                    doc: "repeat(n, [phases]): the phases n times in a row, inside schedule([...]).") { a in
        let n = try a.int(0)
        guard n >= 1 else { throw RuntimeError("repeat: n must be >= 1, got \(n)") }
        return .object(RepeatValue(count: n, items: try scheduleItems(a[1], op: "repeat")))
    }

    interp.register("schedule", [Param("phases"), Param("name", default: .nil)],
                    doc: "schedule([phases], name:): a training schedule from phases, repeats and other schedules.") { a in
        let items = try scheduleItems(a[0], op: "schedule")
        guard !items.isEmpty else { throw RuntimeError("schedule: needs at least one phase") }
        let s = Schedule(items)
        try s.validate()
        return .object(ScheduleValue(s, name: a.isNil(1) ? "schedule" : try a.string(1)))
    }

    interp.register("train", [Param("model"), Param("data"), Param("schedule"),
                              Param("opt", default: .nil), Param("batch", default: .number(16)),
                              Param("seed", default: .number(1)), Param("eval_every", default: .number(0)),
                              Param("lr_schedule", default: .string("constant")),
                              Param("warmup", default: .number(0)), Param("out", default: .nil),
                              Param("tokens", default: .nil), Param("eval_blocks", default: .number(256)),
                              Param("log_every", default: .number(10)), Param("micro_batches", default: .number(1)),
                              Param("forget_margin", default: .number(0.1)), Param("quiet", default: .bool(false)),
                              Param("checkpoint_every", default: .number(0)), Param("pause_at", default: .nil)],
                    doc: """
                        train(model, data, schedule, opt: adamw(lr: 1e-3), batch: 16, seed: 1, eval_every: 0, \
                        lr_schedule: "constant"|"warmup"|"cosine", warmup: 0, out: nil, tokens: nil, eval_blocks: 256, \
                        log_every: 10, micro_batches: 1, forget_margin: 0.1, quiet: false, checkpoint_every: 0, \
                        pause_at: nil): trains the model in place by the schedule and returns the run. Ctrl-C (or \
                        reaching step pause_at) pauses between two steps and returns the run; run.resume() continues \
                        exactly. out: writes a run folder (script, config, \
                        metrics.jsonl, blocks.csv, checkpoint). tokens: caps the run (and sets the budget of \
                        until_budget phases). Tokens count predicted positions (context per block).
                        """) { a in
        let model = try modelArgument(a, 0)
        let data = try datasetArgument(a, 1)
        let sched = try scheduleArgument(a, 2)
        let config = try trainerConfig(a, batch: 4, seed: 5, evalEvery: 6, out: 9, tokens: 10, evalBlocks: 11,
                                       logEvery: 12, microBatches: 13, forgetMargin: 14, checkpointEvery: 16)
        let optimizer = try trainingOptimizer(a, 3)
        let run = try Run(model: model, optimizer: optimizer, data: data, schedule: sched.schedule, config: config)
        try applyLearningRateSchedule(a, kind: 7, warmup: 8, optimizer: optimizer, run: run)
        run.scriptSource = currentScriptSource
        let pauseAt: Int? = a.isNil(17) ? nil : try a.int(17)
        try runTraining(run, interpreter: a.interpreter, quiet: try a.bool(15), pauseAt: pauseAt)
        return .object(RunValue(run, interpreter: a.interpreter, quiet: try a.bool(15)))
    }

    interp.register("load_run", [Param("path"), Param("data"), Param("schedule"),
                                 Param("eval_every", default: .number(0)), Param("out", default: .nil),
                                 Param("quiet", default: .bool(false))],
                    doc: "load_run(path, data, schedule): a run saved by run.save(path), ready to resume() in this process; data and schedule must be the run's own.") { a in
        let path = try a.string(0)
        let data = try datasetArgument(a, 1)
        let sched = try scheduleArgument(a, 2)
        var config = TrainerConfig()
        config.evalEvery = try a.int(3)
        config.out = a.isNil(4) ? nil : try a.string(4)
        let run = try Run.load(path: path, data: data, schedule: sched.schedule, config: config)
        return .object(RunValue(run, interpreter: a.interpreter, quiet: try a.bool(5)))
    }

    interp.register("measure", [Param("model"), Param("data"), Param("split", default: .string("train")),
                                Param("batch", default: .number(32))],
                    doc: "measure(model, data, split: \"train\"|\"val\"): the loss of every block of the split under the current model (no training), as a tensor in block order.") { a in
        let model = try modelArgument(a, 0)
        let data = try datasetArgument(a, 1)
        let split = try a.string(2)
        let ids: [Int32]
        switch split {
        case "train": ids = data.trainIDs
        case "val": ids = data.valIDs
        default: throw RuntimeError("measure: split must be \"train\" or \"val\", got \"\(split)\"")
        }
        let batch = try a.int(3)
        guard batch >= 1 else { throw RuntimeError("measure: batch must be >= 1") }
        let losses = try Run.score(model: model, data: data, ids: ids, batch: batch)
        return try floatTensor(losses)
    }

    interp.register("compare", [Param("schedules"), Param("model"), Param("data"),
                                Param("tokens", default: .nil), Param("seeds", default: .nil),
                                Param("batch", default: .number(16)), Param("opt", default: .nil),
                                Param("eval_every", default: .number(0)), Param("eval_blocks", default: .number(256)),
                                Param("out", default: .nil), Param("plot", default: .nil),
                                Param("quiet", default: .bool(false)), Param("log_every", default: .number(50))],
                    doc: """
                        compare([schedules], model:, data:, tokens: nil, seeds: [1], batch: 16, opt: adamw(lr: 1e-3), \
                        eval_every: 0, eval_blocks: 256, out: nil, plot: "file.svg", quiet: false): trains a fresh model like `model` \
                        (same kind and size, initialised from each seed) per schedule and seed at an equal token \
                        budget (tokens:, else the largest schedule's), prints a table (val ppl mean ± half-spread, \
                        tokens to reach the first schedule's final ppl, forgetting events) and a plot of val ppl \
                        against tokens, and returns the comparison (print it for the table again; c.plot is the \
                        plot). Put the baseline first. quiet: true prints nothing.
                        """) { a in
        guard case .list(let l) = a[0], !l.items.isEmpty else { throw a.fail(0, "a non-empty list of schedules") }
        var schedules: [(name: String, schedule: Schedule)] = []
        var usedNames = Set<String>()
        for (i, item) in l.items.enumerated() {
            guard case .object(let o) = item, let s = o as? ScheduleValue else {
                throw RuntimeError("compare: item \(i) of schedules is a \(typeName(item)), not a schedule")
            }
            var name = s.name
            if usedNames.contains(name) { name += " #\(i + 1)" }
            usedNames.insert(name)
            schedules.append((name, s.schedule))
        }
        let model = try modelArgument(a, 1)
        let data = try datasetArgument(a, 2)
        let config = try trainerConfig(a, batch: 5, seed: nil, evalEvery: 7, out: 9, tokens: nil, evalBlocks: 8,
                                       logEvery: 12, microBatches: nil, forgetMargin: nil, checkpointEvery: nil)
        let budget: Int? = a.isNil(3) ? nil : try a.int(3)
        var seeds: [UInt64] = [1]
        if !a.isNil(4) {
            seeds = try (a.list(4)).items.map { v -> UInt64 in
                guard case .number(let d) = v, let n = exactInt(d), n >= 0 else { throw RuntimeError("compare: seeds must be non-negative integers") }
                return UInt64(n)
            }
            guard !seeds.isEmpty else { throw RuntimeError("compare: seeds is empty") }
        }
        let optTemplate = try trainingOptimizer(a, 6)
        let quiet = try a.bool(11)
        let printer = ProgressPrinter(interpreter: a.interpreter, logEvery: config.logEvery)
        let c = try Comparer.compare(schedules: schedules, model: model, data: data, config: config,
                                     optimizer: { try freshOptimizer(like: optTemplate) }, seeds: seeds, budget: budget,
                                     progress: quiet ? nil : { label, p in printer.label = label; printer.report(p) })
        if c.interrupted {
            Interrupt.clear()
            ScriptInterrupt.clear()
            a.interpreter.output("\ncomparison stopped by Ctrl-C; partial results:\n")
        }
        if !quiet {
            a.interpreter.output(c.table + "\n\n")
            a.interpreter.output(Plot.terminal(c.series, width: 64, height: 14, title: "validation perplexity vs tokens",
                                               xLabel: "tokens", yLabel: "val ppl") + "\n")
        }
        if !a.isNil(10) {
            let path = try a.string(10)
            try writeText(Plot.svg(c.series, title: "validation perplexity vs tokens", xLabel: "tokens", yLabel: "val ppl"), to: path)
            if !quiet { a.interpreter.output("plot written to \(path)\n") }
        }
        return .object(ComparisonValue(c, interpreter: a.interpreter))
    }

    interp.register("plot", [Param("curves"), Param("to", default: .nil), Param("title", default: .nil),
                             Param("x", default: .string("")), Param("y", default: .string("")),
                             Param("width", default: .number(64)), Param("height", default: .number(16))],
                    doc: """
                        plot(curves, to: nil, title:, x: "", y: "", width: 64, height: 16): line plots in the terminal, \
                        or an SVG file with to: "file.svg". curves: a 1-d tensor or list of numbers (against index), \
                        an [N, 2] tensor (x, y) such as run.curve("val_loss"), a list of those, or a dict of name: curve.
                        """) { a in
        let series = try plotSeries(a[0])
        let title = a.isNil(2) ? nil : try a.string(2)
        if !a.isNil(1) {
            let path = try a.string(1)
            try writeText(Plot.svg(series, title: title, xLabel: try a.string(3), yLabel: try a.string(4)), to: path)
            return .str(path)
        }
        let w = try a.int(5), h = try a.int(6)
        guard (8...400).contains(w), (4...200).contains(h) else { throw RuntimeError("plot: width must be 8...400 and height 4...200") }
        a.interpreter.output(Plot.terminal(series, width: w, height: h, title: title, xLabel: try a.string(3), yLabel: try a.string(4)) + "\n")
        return .nil
    }

    interp.register("hist", [Param("values"), Param("bins", default: .number(20)),
                             Param("title", default: .nil), Param("width", default: .number(50))],
                    doc: "hist(values, bins: 20, title:, width: 50): a histogram of a tensor's finite values (e.g. run.stats.ppl) in the terminal.") { a in
        let v = try floatsArgument(a[0], op: "hist")
        let bins = try a.int(1), width = try a.int(3)
        guard (1...200).contains(bins), (4...400).contains(width) else { throw RuntimeError("hist: bins must be 1...200 and width 4...400") }
        a.interpreter.output(Plot.histogram(v, bins: bins, width: width, title: a.isNil(2) ? nil : try a.string(2)) + "\n")
        return .nil
    }
}

func policyName(_ fn: Value) -> String {
    if case .native(let n) = fn { return n.name }
    return "fn"
}

func writeText(_ text: String, to path: String) throws {
    do { try AtomicFile.write(Array(text.utf8), to: path) } catch let e as TensorError {
        throw RuntimeError(e.description)
    }
}

/// Curves for plot(): see plot's doc string.
func plotSeries(_ v: Value) throws -> [PlotSeries] {
    func one(_ v: Value, name: String) throws -> PlotSeries {
        if case .object(let o) = v, let t = o as? TensorValue {
            let x = t.tensor
            if x.rank == 2 && x.shape[1] == 2 {
                let f = x.toArray()
                return PlotSeries(name: name, x: stride(from: 0, to: f.count, by: 2).map { Double(f[$0]) },
                                  y: stride(from: 1, to: f.count, by: 2).map { Double(f[$0]) })
            }
            guard x.rank <= 1 else { throw RuntimeError("plot: a curve must be 1-d or [N, 2], got shape \(x.shape)") }
            return PlotSeries(name: name, y: x.toArray().map(Double.init))
        }
        if case .list(let l) = v, l.items.allSatisfy({ if case .number = $0 { return true }; return false }) {
            return PlotSeries(name: name, y: l.items.map { if case .number(let d) = $0 { return d }; return .nan })
        }
        throw RuntimeError("plot: cannot plot a \(typeName(v)) (give a tensor, a list of numbers, a list of curves or a dict)")
    }
    switch v {
    case .dict(let d):
        return try zip(d.keys, d.values).map { try one($1, name: displayString($0)) }
    case .list(let l) where l.items.contains(where: { if case .number = $0 { return false }; return true }):
        return try l.items.enumerated().map { try one($1, name: "\($0 + 1)") }
    default:
        return [try one(v, name: "")]
    }
}

/// The trainer settings shared by train() and compare().
func trainerConfig(_ a: Arguments, batch: Int, seed: Int?, evalEvery: Int, out: Int, tokens: Int?, evalBlocks: Int,
                   logEvery: Int, microBatches: Int?, forgetMargin: Int?, checkpointEvery: Int?) throws -> TrainerConfig {
    var c = TrainerConfig()
    c.batch = try a.int(batch)
    guard c.batch >= 1 else { throw RuntimeError("batch must be >= 1, got \(c.batch)") }
    if let seed {
        let s = try a.int(seed)
        guard s >= 0 else { throw RuntimeError("seed must be >= 0, got \(s)") }
        c.seed = UInt64(s)
    }
    c.evalEvery = try a.int(evalEvery)
    guard c.evalEvery >= 0 else { throw RuntimeError("eval_every must be >= 0") }
    c.out = a.isNil(out) ? nil : try a.string(out)
    if let tokens, !a.isNil(tokens) {
        let t = try a.int(tokens)
        guard t > 0 else { throw RuntimeError("tokens must be > 0, got \(t)") }
        c.budget = t
    }
    let eb = try a.int(evalBlocks)
    guard eb >= 1 else { throw RuntimeError("eval_blocks must be >= 1") }
    c.evalBlocks = eb
    c.logEvery = try a.int(logEvery)
    guard c.logEvery >= 1 else { throw RuntimeError("log_every must be >= 1") }
    if let microBatches { c.microBatches = try a.int(microBatches) }
    if let forgetMargin {
        let m = try a.number(forgetMargin)
        guard m.isFinite && m >= 0 else { throw RuntimeError("forget_margin must be >= 0") }
        c.forgetMargin = Float(m)
    }
    if let checkpointEvery {
        c.checkpointEvery = try a.int(checkpointEvery)
        guard c.checkpointEvery >= 0 else { throw RuntimeError("checkpoint_every must be >= 0") }
    }
    return c
}

/// The source text of the script being run, when there is one (the
/// executable sets it; train() copies it into the run folder).
nonisolated(unsafe) public var currentScriptSource: String? = nil

/// A new optimizer with the same settings and no state (for compare()).
func freshOptimizer(like o: AdamW) throws -> AdamW {
    try AdamW(learningRate: o.learningRate, betas: (o.beta1, o.beta2), epsilon: o.epsilon,
                  weightDecay: o.weightDecay, clipNorm: o.clipNorm, schedule: o.schedule)
}

/// The optimizer of train()/compare(): the one given, else AdamW(lr: 1e-3).
func trainingOptimizer(_ a: Arguments, _ i: Int) throws -> AdamW {
    try optimizerArgument(a, i) ?? AdamW(learningRate: 1e-3)
}

/// Sets the optimizer's learning-rate schedule from lr_schedule: and warmup:.
func applyLearningRateSchedule(_ a: Arguments, kind: Int, warmup: Int, optimizer: AdamW, run: Run) throws {
    let name = try a.string(kind)
    let w = try a.int(warmup)
    guard w >= 0 else { throw RuntimeError("train: warmup must be >= 0") }
    switch name {
    case "constant": if w > 0 { optimizer.schedule = .warmup(steps: w) }
    case "warmup": optimizer.schedule = .warmup(steps: max(1, w))
    case "cosine":
        guard let total = run.plannedTokens else {
            throw RuntimeError("train: lr_schedule \"cosine\" needs a known length; pass tokens: (a policy decides this schedule's length at run time)")
        }
        let steps = max(1, total / run.tokensPerStep)
        optimizer.schedule = .cosine(warmupSteps: w, totalSteps: optimizer.step + steps, floor: 0.1)
    default: throw RuntimeError("train: lr_schedule must be \"constant\", \"warmup\" or \"cosine\", got \"\(name)\"")
    }
    try optimizer.schedule.validate()
}
