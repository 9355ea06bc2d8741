// ScheduleValues: phases, repeats, schedules and weights as values of the
// language, and the functions that make them (learn, review, focus, phase,
// weights, repeat, schedule).
//
// What stays true here: a phase value is immutable once made; its length is
// given by exactly one of epochs:, steps:, tokens: (or until_budget: for
// learn); a schedule is validated when it is made, so train() and compare()
// only ever see valid ones. Policies written in the language reach the
// trainer through Policies.swift.
import Data
import Schedules
import Script
import TensorCore

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
    /// FLOPs spent for this schedule outside its runs (a reference model's
    /// training and scoring), added to every run's FLOPs by compare().
    public var charge: Double = 0
    init(_ schedule: Schedule, name: String, charge: Double = 0) { self.schedule = schedule; self.name = name; self.charge = charge }
    public override var typeName: String { "schedule" }
    public override var description: String { "schedule \(name)\n" + schedule.summary }
    public override var summary: String { "schedule \(name) (\(schedule.phases.count) phases)" }
    public override var helpText: String { ScheduleValue.doc }
    static let doc = """
        A training schedule: a list of phases. Print it with a dataset to see tokens per phase: \
        sched.table(data, batch: 16); sched.tokens(data, batch: 16) is its token budget. Schedules \
        compose with + and repeat(n, [...]); sched.name names it in compare() tables; sched.charge is \
        the FLOPs compare() adds to each of its runs (schedule(..., charge: flops(...))).
        """
    public override var memberNames: [String] { ["charge", "name", "phases", "table", "tokens"] }
    public override func getMember(_ name: String) throws -> Value {
        switch name {
        case "name": return .str(self.name)
        case "charge": return .number(charge)
        case "phases": return .list(schedule.phases.map { .object(PhaseValue($0.phase)) })
        case "table":
            return method("table", [Param("data"), Param("batch", default: .number(16))],
                          doc: "The schedule as a table of phases with their blocks, steps and tokens for a dataset.") { args in
                let data = try datasetArgument(args, "data")
                let batch = try args.int("batch")
                guard batch >= 1 else { throw RuntimeError("table: batch must be >= 1") }
                return .str(self.schedule.table(blocks: data.trainIDs.count, context: data.contextLength, batch: batch))
            }
        case "tokens":
            return method("tokens", [Param("data"), Param("batch", default: .number(16))],
                          doc: "Tokens the schedule trains on for a dataset and batch size (nil when a policy decides at run time).") { args in
                let data = try datasetArgument(args, "data")
                let batch = try args.int("batch")
                guard batch >= 1 else { throw RuntimeError("tokens: batch must be >= 1") }
                return self.schedule.tokens(blocks: data.trainIDs.count, context: data.contextLength, batch: batch)
                    .map { .number(Double($0)) } ?? .nil
            }
        default: return try super.getMember(name)
        }
    }
    public override func setMember(_ name: String, _ value: Value) throws {
        if name == "charge", case .number(let c) = value, c.isFinite, c >= 0 { charge = c; return }
        guard name == "name", case .string(let s) = value else {
            throw RuntimeError("only a schedule's name (to a string) and charge (to a FLOP count >= 0) can be set")
        }
        self.name = s.value
    }
    public override func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws -> Value? {
        guard op == .add, case .object(let o) = other, let s = o as? ScheduleValue else { return nil }
        let (l, r) = selfOnLeft ? (self, s) : (s, self)
        return .object(ScheduleValue(l.schedule + r.schedule, name: "\(l.name)+\(r.name)", charge: l.charge + r.charge))
    }
}

/// Marks a tensor as sampling weights even when it holds only 0 and 1.
public final class WeightsValue: NativeObject {
    public let weights: [Float]
    init(_ w: [Float]) { weights = w }
    public override var typeName: String { "weights" }
    public override var description: String { "weights(\(weights.count) blocks)" }
}

// MARK: - Arguments

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

/// The length given by exactly one of epochs:, steps:, tokens: (and, where
/// the function declares it, until_budget:).
func phaseLength(_ args: Arguments, op: String) throws -> PhaseLength {
    var given: [PhaseLength] = []
    if let e = try args.optionalNumber("epochs") {
        guard e.isFinite && e > 0 else { throw RuntimeError("\(op): epochs must be > 0, got \(formatNumber(e))") }
        given.append(.epochs(e))
    }
    if let s = try args.optionalInt("steps") {
        guard s > 0 else { throw RuntimeError("\(op): steps must be > 0, got \(s)") }
        given.append(.steps(s))
    }
    if let t = try args.optionalInt("tokens") {
        guard t > 0 else { throw RuntimeError("\(op): tokens must be > 0, got \(t)") }
        given.append(.tokens(t))
    }
    let budgetable = args.function.parameters.contains { $0.name == "until_budget" }
    if budgetable, try args.bool("until_budget") { given.append(.untilBudget) }
    guard given.count <= 1 else { throw RuntimeError("\(op): give only one of epochs:, steps:, tokens:\(budgetable ? ", until_budget:" : "")") }
    return given.first ?? .epochs(1)
}

/// The statistic named by a string argument (focus's by:).
func statisticArgument(_ args: Arguments, _ name: String, op: String) throws -> BlockStatistic {
    let s = try args.string(name)
    guard let b = BlockStatistic(rawValue: s) else {
        throw RuntimeError("\(op): by: must be one of \(BlockStatistic.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(s)\"")
    }
    return b
}

// MARK: - Registration

/// Registers learn, review, focus, phase, weights, repeat and schedule.
func installScheduleValueBindings(into interp: Interpreter) {
    let lengthParams = [Param("epochs", default: .nil), Param("steps", default: .nil),
                        Param("tokens", default: .nil)]

    interp.register("learn", lengthParams + [Param("until_budget", default: .bool(false)),
                                             Param("record", default: .bool(true))],
                    doc: """
                        learn(epochs: 1 | steps: | tokens: | until_budget: true, record: true): a phase that samples \
                        all training blocks uniformly (shuffled epochs) and records each block's loss. \
                        until_budget: runs until the run's token budget is used (the random baseline).
                        """) { args in
        let length = try phaseLength(args, op: "learn")
        return .object(PhaseValue(Phase(kind: .learn, length: length, record: try args.bool("record"))))
    }

    interp.register("review", lengthParams + [Param("record", default: .bool(true))],
                    doc: "review(epochs: 1 | steps: | tokens:): all training blocks again, recording afresh (a new statistics window).") { args in
        let length = try phaseLength(args, op: "review")
        return .object(PhaseValue(Phase(kind: .review, length: length, record: try args.bool("record"))))
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
                        """) { args in
        let length = try phaseLength(args, op: "focus")
        var selection: Selection
        if !args.isNil("policy") {
            let fn = try args.callable("policy")
            selection = policySelection(fn, name: policyName(fn), interpreter: args.interpreter)
        } else {
            let drop = try args.number("drop")
            guard drop >= 0 && drop < 1 else { throw RuntimeError("focus: drop must be in [0, 1), got \(formatNumber(drop))") }
            selection = .dropEasiest(drop: drop, by: try statisticArgument(args, "by", op: "focus"))
        }
        return .object(PhaseValue(Phase(kind: .focus, length: length, selection: selection, record: try args.bool("record"),
                                        measureFirst: try args.bool("measure"), rerank: try args.bool("rerank"))))
    }

    interp.register("phase", [Param("policy")] + lengthParams
                    + [Param("name", default: .string("custom")), Param("record", default: .bool(true)),
                       Param("new_window", default: .bool(false)), Param("measure", default: .bool(false))],
                    doc: """
                        phase(policy: fn, epochs: 1 | steps: | tokens:, name: "custom", record: true, new_window: false, \
                        measure: false): a custom phase. policy(stats) returns one entry per training block: a 0/1 \
                        mask (shuffled epochs over the kept blocks) or non-negative weights (sampling with \
                        replacement in proportion; an epoch is as many draws as blocks with positive weight).
                        """) { args in
        let fn = try args.callable("policy")
        let length = try phaseLength(args, op: "phase")
        let name = try args.string("name")
        return .object(PhaseValue(Phase(kind: .custom, length: length,
                                        selection: policySelection(fn, name: policyName(fn), interpreter: args.interpreter),
                                        record: try args.bool("record"), newWindow: try args.bool("new_window"), measureFirst: try args.bool("measure"), name: name)))
    }

    interp.register("weights", [Param("values")],
                    doc: "weights(t): marks a policy's result as sampling weights even when it holds only 0 and 1.") { args in
        .object(WeightsValue(try floatsArgument(args["values"], op: "weights")))
    }

    interp.register("repeat", [Param("n"), Param("phases")],
                    doc: "repeat(n, [phases]): the phases n times in a row, inside schedule([...]).") { args in
        let n = try args.int("n")
        guard n >= 1 else { throw RuntimeError("repeat: n must be >= 1, got \(n)") }
        return .object(RepeatValue(count: n, items: try scheduleItems(args["phases"], op: "repeat")))
    }

    interp.register("schedule", [Param("phases"), Param("name", default: .nil), Param("charge", default: .number(0))],
                    doc: "schedule([phases], name:, charge: 0): a training schedule from phases, repeats and other schedules; charge: FLOPs spent for it outside its runs (e.g. flops(reference, data, trained:, scored:) of a reference model), which compare() adds to every run's FLOPs and, with budget: \"flops\", takes from its budget.") { args in
        let charge = try args.number("charge")
        guard charge.isFinite, charge >= 0 else { throw RuntimeError("schedule: charge must be a FLOP count >= 0, got \(charge)") }
        let items = try scheduleItems(args["phases"], op: "schedule")
        guard !items.isEmpty else { throw RuntimeError("schedule: needs at least one phase") }
        let s = Schedule(items)
        try s.validate()
        return .object(ScheduleValue(s, name: args.isNil("name") ? "schedule" : try args.string("name"), charge: charge))
    }
}
