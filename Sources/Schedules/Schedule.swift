// Schedule: phases of training as a value (learn, focus, review, custom,
// repeat), their lengths, and the token budget each consumes.
//
// Token accounting (the same everywhere: budgets, run.tokens, metrics,
// compare): a block of context + 1 tokens trained once counts `context`
// tokens, the positions it predicts.
//
// Phase lengths: `epochs` count passes over the phase's own active set
// (for weighted sampling, an epoch is as many draws as blocks with positive
// weight); `steps` count optimizer steps; `tokens` count predicted
// positions; `untilBudget` runs until the run's token budget is used (the
// random baseline of a comparison). Every length is rounded up to whole
// steps of `batch` blocks, so a phase of E epochs over A blocks takes
// ceil(E * A / batch) steps.

/// How long a phase runs.
public enum PhaseLength: Equatable, Sendable {
    case epochs(Double)
    case steps(Int)
    case tokens(Int)
    case untilBudget

    public var summary: String {
        switch self {
        case .epochs(let e): return e == e.rounded() ? "\(Int(e)) epoch\(e == 1 ? "" : "s")" : "\(e) epochs"
        case .steps(let s): return "\(s) steps"
        case .tokens(let t): return "\(t) tokens"
        case .untilBudget: return "rest of budget"
        }
    }
}

/// One phase of a schedule.
public struct Phase {
    public enum Kind: String, Sendable { case learn, focus, review, custom }

    public var kind: Kind
    public var length: PhaseLength
    /// Which blocks the phase trains on.
    public var selection: Selection
    /// Record per-block losses from the training pass.
    public var record: Bool
    /// Start a fresh recording window (window means restart) at phase start.
    public var newWindow: Bool
    /// Score every block with the current model (no training) before selecting.
    public var measureFirst: Bool
    /// For a focus phase repeated by `repeat`: rank again each time (true)
    /// or keep the blocks the first occurrence chose (false).
    public var rerank: Bool
    /// A name for tables and errors (defaults to the kind).
    public var name: String

    public init(kind: Kind, length: PhaseLength, selection: Selection = .all, record: Bool = true,
                newWindow: Bool? = nil, measureFirst: Bool = false, rerank: Bool = true, name: String? = nil) {
        self.kind = kind
        self.length = length
        self.selection = selection
        self.record = record
        self.newWindow = newWindow ?? (kind == .learn || kind == .review)
        self.measureFirst = measureFirst
        self.rerank = rerank
        self.name = name ?? kind.rawValue
    }

    /// learn: uniform shuffled epochs over all blocks, recording statistics.
    public static func learn(_ length: PhaseLength) -> Phase { Phase(kind: .learn, length: length) }
    /// review: all blocks again, recording afresh (a new window).
    public static func review(_ length: PhaseLength) -> Phase { Phase(kind: .review, length: length) }
    /// focus: the hardest blocks (drop the easiest fraction `drop` by `by`).
    public static func focus(_ length: PhaseLength, drop: Double = 0.5, by: BlockStatistic = .ppl) -> Phase {
        Phase(kind: .focus, length: length, selection: .dropEasiest(drop: drop, by: by))
    }
}

/// A schedule item: a phase, or phases repeated n times.
public indirect enum ScheduleItem {
    case phase(Phase)
    case repeated(Int, [ScheduleItem])
}

/// A planned phase: what it will train on and how much.
public struct PhasePlan: Equatable {
    public var index: Int
    public var name: String
    public var rule: String
    public var length: String
    /// Blocks the phase draws from (nil when a policy decides at run time).
    public var activeBlocks: Int?
    /// Optimizer steps (nil when unknown before running).
    public var steps: Int?
    /// Tokens the phase trains on (nil when unknown before running).
    public var tokens: Int?
}

/// A sequence of phases; composes with `+` and `repeat`.
public struct Schedule {
    public var items: [ScheduleItem]

    public init(_ items: [ScheduleItem]) { self.items = items }
    public init(phases: [Phase]) { self.items = phases.map { .phase($0) } }

    public static func + (a: Schedule, b: Schedule) -> Schedule { Schedule(a.items + b.items) }

    /// The phases in the order they run, repeats expanded. Each repeated
    /// copy of a non-reranking focus phase shares the first copy's choice
    /// (the trainer keys the cached choice by `groupID`).
    public var phases: [(phase: Phase, groupID: Int)] {
        var nextGroup = 0
        func expand(_ items: [ScheduleItem]) -> [(Phase, Int)] {
            var result: [(Phase, Int)] = []
            for item in items {
                switch item {
                case .phase(let p):
                    result.append((p, nextGroup)); nextGroup += 1
                case let .repeated(n, inner):
                    let once = expand(inner)
                    for _ in 0..<max(0, n) { result.append(contentsOf: once) }
                }
            }
            return result
        }
        return expand(items).map { (phase: $0.0, groupID: $0.1) }
    }

    /// Checks lengths and rules; throws a message naming the phase.
    public func validate() throws {
        for (i, (p, _)) in phases.enumerated() {
            let where_ = "phase \(i + 1) (\(p.name))"
            switch p.length {
            case .epochs(let e):
                guard e.isFinite && e > 0 else { throw ScheduleError.invalidPhase("\(where_): epochs must be > 0, got \(e)") }
            case .steps(let s):
                guard s > 0 else { throw ScheduleError.invalidPhase("\(where_): steps must be > 0, got \(s)") }
            case .tokens(let t):
                guard t > 0 else { throw ScheduleError.invalidPhase("\(where_): tokens must be > 0, got \(t)") }
            case .untilBudget: break
            }
            if case let .dropEasiest(drop, _) = p.selection, !(drop >= 0 && drop < 1) {
                throw ScheduleError.invalidPhase("\(where_): drop must be in [0, 1), got \(drop)")
            }
        }
        for item in items { try Schedule.checkRepeats(item) }
    }

    static func checkRepeats(_ item: ScheduleItem) throws {
        if case let .repeated(n, inner) = item {
            guard n >= 1 else { throw ScheduleError.invalidPhase("repeat count must be >= 1, got \(n)") }
            for i in inner { try checkRepeats(i) }
        }
    }

    /// Steps a phase of this length takes over `active` blocks.
    public static func steps(for length: PhaseLength, active: Int, batch: Int, context: Int) -> Int? {
        let b = max(1, batch)
        switch length {
        case .epochs(let e):
            let blocks = (e * Double(active)).rounded(.up)
            return max(1, Int((blocks / Double(b)).rounded(.up)))
        case .steps(let s): return s
        case .tokens(let t):
            let perStep = b * max(1, context)
            return max(1, (t + perStep - 1) / perStep)
        case .untilBudget: return nil
        }
    }

    /// The plan for a dataset of `blocks` training blocks; `budget` (tokens)
    /// fills `untilBudget` phases.
    public func plan(blocks: Int, context: Int, batch: Int, budget: Int? = nil) -> [PhasePlan] {
        var plans: [PhasePlan] = []
        var used = 0
        var known = true
        for (i, (p, _)) in phases.enumerated() {
            let active = p.selection.activeCount(of: blocks)
            var steps: Int? = nil
            if case .untilBudget = p.length {
                if let budget, known {
                    let perStep = max(1, batch) * max(1, context)
                    steps = max(0, (budget - used + perStep - 1) / perStep)
                }
            } else if let a = active {
                steps = Schedule.steps(for: p.length, active: a, batch: batch, context: context)
            } else if case .epochs = p.length {
                steps = nil
            } else {
                steps = Schedule.steps(for: p.length, active: blocks, batch: batch, context: context)
            }
            let tokens = steps.map { $0 * max(1, batch) * context }
            if let t = tokens { used += t } else { known = false }
            plans.append(PhasePlan(index: i + 1, name: p.name, rule: p.selection.summary,
                                   length: p.length.summary, activeBlocks: active, steps: steps, tokens: tokens))
        }
        return plans
    }

    /// Total tokens, or nil when a phase's length depends on a run-time policy.
    public func tokens(blocks: Int, context: Int, batch: Int, budget: Int? = nil) -> Int? {
        var total = 0
        for p in plan(blocks: blocks, context: context, batch: batch, budget: budget) {
            guard let t = p.tokens else { return nil }
            total += t
        }
        return total
    }

    /// True when some phase runs until a budget.
    public var needsBudget: Bool {
        phases.contains { if case .untilBudget = $0.phase.length { return true } else { return false } }
    }

    /// The schedule as a table (phase, rule, length, active blocks, steps, tokens).
    public func table(blocks: Int, context: Int, batch: Int, budget: Int? = nil) -> String {
        let plans = plan(blocks: blocks, context: context, batch: batch, budget: budget)
        var rows: [[String]] = [["#", "phase", "rule", "length", "blocks", "steps", "tokens"]]
        for p in plans {
            rows.append(["\(p.index)", p.name, p.rule, p.length,
                         p.activeBlocks.map { "\($0)" } ?? "policy",
                         p.steps.map { "\($0)" } ?? "?",
                         p.tokens.map { TextTable.grouped($0) } ?? "?"])
        }
        let total = tokens(blocks: blocks, context: context, batch: batch, budget: budget)
        rows.append(["", "total", "", "", "", "", total.map { TextTable.grouped($0) } ?? "?"])
        return TextTable.render(rows, rightAligned: [0, 4, 5, 6], separatorAfterHeader: true, separatorBeforeLast: true)
    }

    /// The table without a dataset (phase, rule, length only).
    public var summary: String {
        var rows: [[String]] = [["#", "phase", "rule", "length"]]
        for (i, (p, _)) in phases.enumerated() {
            rows.append(["\(i + 1)", p.name, p.selection.summary, p.length.summary])
        }
        return TextTable.render(rows, rightAligned: [0], separatorAfterHeader: true, separatorBeforeLast: false)
    }
}
