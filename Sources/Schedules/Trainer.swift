// Trainer: runs a schedule on a model and a dataset, one optimizer step at
// a time, and keeps everything a researcher needs to stop, look, and go on.
//
// A `Run` holds the whole state of a training run: model, optimizer, block
// statistics, the position in the schedule (phase index, step within the
// phase, the phase's sampler with its RNG), counters and curves. `advance`
// trains until the schedule ends or an interrupt is requested; it only
// stops between two steps, and every piece of state is updated after a step
// has fully succeeded, so a run stopped and advanced again draws the same
// batches and computes bit-identical losses to one never stopped.
//
// Statistics are indexed by training-block index i in 0..<trainCount (the
// dataset's `trainIDs[i]` is its block id); policies see and return arrays
// in that order.
//
// Tokens count predicted positions: a step of B blocks of context + 1
// tokens trains on B * context tokens.
import Data
import Models
import TensorCore
#if canImport(Glibc)
import Glibc
#endif

/// Settings of a training run (every field has a documented default).
public struct TrainerConfig {
    /// Blocks per optimizer step.
    public var batch: Int = 16
    /// Seeds the samplers of every phase (the model has its own seed).
    public var seed: UInt64 = 1
    /// Evaluate validation loss every this many steps (0: only at the end).
    public var evalEvery: Int = 0
    /// Validation blocks of every point of the val_loss/val_ppl curves (the
    /// first ones in the split; nil: all). The final loss of the run
    /// (`finalValLoss`) always uses all validation blocks.
    public var evalBlocks: Int? = 256
    /// Write a metrics line / log line every this many steps.
    public var logEvery: Int = 10
    /// Token budget for `untilBudget` phases and as a hard cap (nil: none).
    public var budget: Int? = nil
    /// Save a checkpoint to the run folder every this many steps (0: only
    /// when the run ends or is interrupted).
    public var checkpointEvery: Int = 0
    /// Run folder (nil: none is written).
    public var out: String? = nil
    /// Sequential micro-batches per step (gradient accumulation).
    public var microBatches: Int = 1
    /// On one process: the micro-batches are summed in this many consecutive
    /// groups, then the group sums are added in order, which is what as many
    /// ranks do (each rank one group). A run trained on R ranks records R, so
    /// loaded on one process it goes on summing as the ranks did (Exchange.swift).
    public var gradientGroups: Int = 1
    /// Blocks per forward pass when measuring or evaluating.
    public var evalBatch: Int = 32
    /// Margin (nats) of a forgetting event.
    public var forgetMargin: Float = 0.1
    /// The learning-rate schedule set on the optimizer when the run is made
    /// (nil: keep the optimizer's own, as a loaded run does).
    public var learningRatePlan: LearningRatePlan? = nil
    /// The source of the script that made the run (copied into the run folder).
    public var scriptSource: String? = nil
    /// FLOP budget (training and measurement passes, plus `chargedFLOPs`):
    /// the run stops before a step or a measurement pass that would exceed
    /// it; `untilBudget` phases run until it (nil: none).
    public var flopBudget: Double? = nil
    /// FLOPs spent for the run before it starts (a reference model's
    /// training and scoring passes): counted in `flops`.
    public var chargedFLOPs: Double = 0

    public init() {}
}

/// One point of a curve.
public struct CurvePoint: Equatable, Sendable {
    public var step: Int
    public var tokens: Int
    public var value: Double
}

/// What the trainer reports while it runs (the caller prints it).
public struct Progress {
    public var phaseIndex: Int
    public var phaseCount: Int
    public var phaseName: String
    public var step: Int
    public var stepInPhase: Int
    public var phaseSteps: Int
    public var tokens: Int
    public var totalTokens: Int?
    public var loss: Float
    public var valPpl: Double?
    public var tokensPerSecond: Double
    public var secondsLeft: Double?
    /// True for the line that closes a phase or the run.
    public var isMilestone: Bool
    public var message: String?
}

/// Why `advance` returned.
public enum StopReason: Equatable, Sendable {
    case finished
    case interrupted
}

/// A training run (see the file header).
public final class Run {
    public let model: any LanguageModel
    public let optimizer: AdamW
    public let data: Dataset
    public let schedule: Schedule
    public let config: TrainerConfig
    /// Phases in run order, repeats expanded.
    public let phases: [(phase: Phase, groupID: Int)]

    public internal(set) var stats: BlockStatistics
    public internal(set) var phaseIndex = 0
    public internal(set) var stepInPhase = 0
    /// Planned steps of the current phase (valid once it has started).
    public internal(set) var phaseSteps = 0
    public internal(set) var phaseStarted = false
    public internal(set) var sampler: BlockSampler?
    /// Choices of non-reranking focus phases, by group id.
    public internal(set) var chosenByGroup: [Int: ChosenBlocks] = [:]
    public internal(set) var step = 0
    public internal(set) var tokens = 0
    /// Training loss after every step; validation loss/ppl at evaluations;
    /// learning rate at every step.
    public internal(set) var curves: [String: [CurvePoint]] = [:]
    public internal(set) var finished = false
    /// An evaluation that was interrupted and is owed before the next step.
    public internal(set) var pendingEval = false
    public internal(set) var lastTrainLoss: Float = .nan
    /// Validation loss over all validation blocks, computed when the run ends.
    public internal(set) var finalValLoss: Double?
    public internal(set) var folder: RunFolder?
    /// The source of the script that started the run (for the run folder).
    public var scriptSource: String?
    /// Seconds spent in training steps (not evaluation): for tokens/s.
    public internal(set) var trainSeconds: Double = 0
    /// The other ranks of a data-parallel run (Exchange.swift); a world of
    /// one by default. Set before the first step.
    public var exchange: any Exchange = DataParallel.exchange

    public var trainCount: Int { data.trainIDs.count }
    public var tokensPerStep: Int { config.batch * data.contextLength }
    /// Tokens scored by forward-only measurement passes (measure(),
    /// focus(measure: true)); evaluation passes are not counted.
    public var scoredTokens: Int { Int(curves["scored_tokens"]?.last?.value ?? 0) }
    /// What a trained and a scored token of this run cost (Models/FLOPs.swift).
    public var costs: FLOPs { FLOPs.of(model, sequenceLength: data.contextLength) }
    /// FLOPs of the run so far: trained and scored tokens, plus `config.chargedFLOPs`.
    public var flops: Double { costs.total(trainedTokens: tokens, scoredTokens: scoredTokens) + config.chargedFLOPs }
    /// True when one more step would take the run past a token or FLOP budget.
    var budgetReached: Bool {
        if let b = config.budget, tokens + tokensPerStep > b { return true }
        if let f = config.flopBudget, flops + Double(tokensPerStep) * costs.perTrainedToken > f { return true }
        return false
    }

    public init(model: any LanguageModel, optimizer: AdamW, data: Dataset, schedule: Schedule,
                config: TrainerConfig) throws {
        try Run.check(model: model, data: data, schedule: schedule, config: config)
        self.model = model
        self.optimizer = optimizer
        self.data = data
        self.schedule = schedule
        self.config = config
        self.phases = schedule.phases
        self.stats = BlockStatistics(count: data.trainIDs.count, forgetMargin: config.forgetMargin)
        self.scriptSource = config.scriptSource
        try applyLearningRatePlan()
    }

    static func check(model: any LanguageModel, data: Dataset, schedule: Schedule, config: TrainerConfig) throws {
        try config.validate()
        guard !data.trainIDs.isEmpty else { throw ScheduleError.invalidPhase("train: the dataset has no training blocks") }
        guard model.vocabularySize >= data.vocabSize else {
            throw ScheduleError.invalidPhase("train: the model's vocabulary (\(model.vocabularySize)) is smaller than the dataset's (\(data.vocabSize))")
        }
        if let limit = model.maxSequenceLength, limit < data.contextLength {
            throw ScheduleError.invalidPhase("train: the model's context (\(limit)) is shorter than the dataset's (\(data.contextLength))")
        }
        try schedule.validate()
        if schedule.needsBudget && config.budget == nil && config.flopBudget == nil {
            throw ScheduleError.invalidPhase("train: the schedule has a phase that runs until the token budget; pass tokens:")
        }
        guard !schedule.phases.isEmpty else { throw ScheduleError.invalidPhase("train: the schedule has no phases") }
    }

    /// The plan of this run's schedule on its dataset.
    public var plan: [PhasePlan] {
        schedule.plan(blocks: trainCount, context: data.contextLength, batch: config.batch, budget: config.budget)
    }

    /// Tokens the whole run will train on, when known in advance.
    public var plannedTokens: Int? {
        if let t = schedule.tokens(blocks: trainCount, context: data.contextLength, batch: config.batch, budget: config.budget) {
            return [config.budget, flopBudgetTokens].compactMap { $0 }.reduce(t) { min($0, $1) }
        }
        return [config.budget, flopBudgetTokens].compactMap { $0 }.min()
    }

    /// Tokens the FLOP budget buys when nothing but training spends it.
    var flopBudgetTokens: Int? {
        config.flopBudget.map { Int(max(0, $0 - config.chargedFLOPs) / costs.perTrainedToken) / tokensPerStep * tokensPerStep }
    }

    var currentPhaseName: String {
        phaseIndex < phases.count ? "\(phases[phaseIndex].phase.name) (\(phaseIndex + 1)/\(phases.count))" : "done"
    }

    func appendCurve(_ name: String, _ value: Double) {
        curves[name, default: []].append(CurvePoint(step: step, tokens: tokens, value: value))
    }

    // MARK: - Running

    /// Trains until the schedule ends (`.finished`) or an interrupt is
    /// requested (`.interrupted`, state intact; call again to go on).
    /// `stopWhen` is asked between steps too (a pause at a chosen step).
    public func advance(progress: ((Progress) -> Void)? = nil, stopWhen: ((Run) -> Bool)? = nil) throws -> StopReason {
        try advance(hooks: TrainerHooks(progress: progress, stopWhen: stopWhen))
    }

    /// `advance` with every hook a host can fill in (see TrainerHooks).
    public func advance(hooks: TrainerHooks) throws -> StopReason {
        let progress = hooks.progress, stopWhen = hooks.stopWhen
        if finished { return .finished }
        if folder == nil, writesFiles, let out = config.out { try openFolder(out) }
        var lastReport = Clock.seconds()
        do {
            if pendingEval {
                try evaluateValidation(limit: config.evalBlocks)
                pendingEval = false
            }
            while phaseIndex < phases.count {
                if try pauseAgreed(hooks) { return try stopForInterrupt() }
                if !phaseStarted { try startPhase() }
                while stepInPhase < phaseSteps {
                    if try pauseAgreed(hooks) || stopWhen?(self) == true { return try stopForInterrupt() }
                    if budgetReached { break }
                    let t0 = Clock.seconds()
                    try trainOneStep()
                    trainSeconds += Clock.seconds() - t0
                    let logNow = config.logEvery > 0 && step % config.logEvery == 0
                    var evalNow = config.evalEvery > 0 && step % config.evalEvery == 0 && !data.valIDs.isEmpty
                    if evalNow {
                        pendingEval = true
                        try evaluateValidation(limit: config.evalBlocks)
                        pendingEval = false
                    }
                    if logNow || evalNow { try writeMetricsLine() }
                    evalNow = false
                    if config.checkpointEvery > 0 && step % config.checkpointEvery == 0 { try checkpoint() }
                    if let progress, Clock.seconds() - lastReport >= 0.1 || logNow {
                        lastReport = Clock.seconds()
                        progress(makeProgress(milestone: false, message: nil))
                    }
                }
                progress?(makeProgress(milestone: true, message: "phase \(phases[phaseIndex].phase.name) done"))
                phaseIndex += 1
                stepInPhase = 0
                phaseSteps = 0
                phaseStarted = false
                sampler = nil
                if budgetReached { phaseIndex = phases.count }
            }
            if !data.valIDs.isEmpty {
                pendingEval = true
                if curves["val_loss"]?.last?.step != step { try evaluateValidation(limit: config.evalBlocks) }
                finalValLoss = try meanValidationLoss(limit: nil)
                pendingEval = false
            }
            finished = true
            try writeMetricsLine(final: true)
            try checkpoint()
            progress?(makeProgress(milestone: true, message: "finished"))
            return .finished
        } catch let e as ModelError {
            if case .interrupted = e { return try stopForInterrupt() }
            throw ScheduleError.training("step \(step + 1): \(e)")
        } catch let e as TensorError {
            if case .interrupted = e { return try stopForInterrupt() }
            throw e
        } catch let e as DataError {
            throw ScheduleError.training("step \(step + 1): \(e)")
        }
    }

    /// Whether to pause before the next step: the host's answer, agreed by
    /// every rank of a data-parallel run (one 8-byte sum per step), so a
    /// Ctrl-C or SIGTERM that reaches the ranks at different moments pauses
    /// them all at the same step instead of leaving one waiting for the others.
    func pauseAgreed(_ hooks: TrainerHooks) throws -> Bool {
        var votes = hooks.shouldPause() ? 1.0 : 0.0
        guard exchange.size > 1 else { return votes != 0 }
        try withUnsafeMutablePointer(to: &votes) { try exchange.sum(UnsafeMutableBufferPointer(start: $0, count: 1)) }
        if votes != 0 { Interrupt.request() }   // every rank then handles it as its own
        return votes != 0
    }

    func stopForInterrupt() throws -> StopReason {
        if folder != nil { try checkpoint() }
        return .interrupted
    }

    /// Chooses the phase's blocks, builds its sampler and fixes its length.
    func startPhase() throws {
        let (phase, group) = phases[phaseIndex]
        let label = "\(phaseIndex + 1) (\(phase.name))"
        if phase.measureFirst {
            // A measurement pass the FLOP budget cannot pay for ends the run.
            if let f = config.flopBudget, flops + Double(trainCount * data.contextLength) * costs.perScoredToken > f {
                phaseSteps = 0
                phaseStarted = true
                phaseIndex = phases.count - 1
                return
            }
            try measure()
        }
        var chosen: ChosenBlocks
        if !phase.rerank, let cached = chosenByGroup[group] {
            chosen = cached
        } else {
            chosen = try BlockSelector.choose(phase.selection, stats: stats, step: step,
                                              phaseIndex: phaseIndex, phaseName: label, blockIDs: data.trainIDs)
            if !phase.rerank { chosenByGroup[group] = chosen }
        }
        // Each phase's sampler is seeded from the run seed and the phase
        // index, so phases are independent of how earlier phases were cut.
        let rng = RandomGenerator(seed: config.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(phaseIndex + 1))
        switch chosen {
        case .ids(let ids): sampler = try BlockSampler(active: ids, rng: rng)
        case .weights(let w, _): sampler = try BlockSampler(weights: w, rng: rng)
        }
        if case .untilBudget = phase.length {
            var left = config.budget.map { max(0, $0 - tokens) } ?? Int.max
            if let f = config.flopBudget { left = min(left, Int(max(0, f - flops) / costs.perTrainedToken)) }
            phaseSteps = left == Int.max ? 0 : left / tokensPerStep
        } else {
            phaseSteps = Schedule.steps(for: phase.length, active: chosen.activeCount,
                                        batch: config.batch, context: data.contextLength) ?? 0
        }
        if phase.newWindow { stats.beginWindow() }
        stepInPhase = 0
        phaseStarted = true
        if let folder {
            try folder.appendMetrics(.object([
                ("event", .string("phase")), ("phase", .number(Double(phaseIndex + 1))),
                ("name", .string(phase.name)), ("step", .number(Double(step))),
                ("tokens", .number(Double(tokens))), ("active_blocks", .number(Double(chosen.activeCount))),
                ("steps", .number(Double(phaseSteps))),
            ]))
        }
    }

    /// One optimizer step on the next batch of the phase's sampler.
    func trainOneStep() throws {
        guard var s = sampler else { throw ScheduleError.invalidState("train: phase has no sampler") }
        let B = config.batch
        let L = data.blockLength
        let picks = s.next(B)                       // training-block indices
        var ids = [Int32](repeating: 0, count: B)   // dataset block ids
        data.trainIDs.withUnsafeBufferPointer { train in
            for k in 0..<B { ids[k] = train[Int(picks[k])] }
        }
        var tokensBuffer = [Int32](repeating: 0, count: B * L)
        try tokensBuffer.withUnsafeMutableBufferPointer { dst in
            try data.fillBatch(blockIDs: ids, into: dst.baseAddress!)
        }
        let batch = try TokenBatch(blocks: tokensBuffer, blockLength: L)
        let result = try trainStep(batch)
        // Commit state only after the step succeeded.
        sampler = s
        step += 1
        tokens += B * data.contextLength
        stepInPhase += 1
        lastTrainLoss = result.loss.mean
        if phases[phaseIndex].phase.record {
            stats.record(blocks: picks, losses: result.loss.perSequence, step: step)
        }
        appendCurve("train_loss", Double(result.loss.mean))
        appendCurve("lr", Double(result.learningRate))
    }

    /// Scores every training block with the current model (no training) and
    /// records the values as fresh statistics.
    public func measure() throws {
        let losses = try scoreSplit(ids: data.trainIDs)
        let picks = (0..<Int32(trainCount)).map { $0 }
        stats.record(blocks: picks, losses: losses, step: step, trained: false)
        appendCurve("scored_tokens", Double(scoredTokens + trainCount * data.contextLength))
    }

    /// Per-block eval losses of the given dataset block ids.
    public static func score(model: any LanguageModel, data: Dataset, ids: [Int32], batch: Int) throws -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(ids.count)
        let L = data.blockLength
        let chunk = max(1, batch)
        var buffer = [Int32](repeating: 0, count: chunk * L)
        var i = 0
        while i < ids.count {
            if Interrupt.isRequested { throw ModelError.interrupted(op: "measure") }
            let n = min(chunk, ids.count - i)
            let part = Array(ids[i..<(i + n)])
            try buffer.withUnsafeMutableBufferPointer { dst in
                try data.fillBatch(blockIDs: part, into: dst.baseAddress!)
            }
            let r = try buffer.withUnsafeBufferPointer { b in
                try model.loss(TokenBatch(blocks: UnsafeBufferPointer(rebasing: b[0..<(n * L)]), blockLength: L))
            }
            out += r.perSequence
            i += n
        }
        return out
    }

    /// Mean validation loss over the first `limit` validation blocks (nil: all).
    func meanValidationLoss(limit: Int?) throws -> Double? {
        let ids = limit.map { Array(data.valIDs.prefix($0)) } ?? data.valIDs
        guard !ids.isEmpty else { return nil }
        let losses = try scoreSplit(ids: ids)
        var sum = 0.0
        for l in losses { sum += Double(l) }
        return sum / Double(losses.count)
    }

    /// Adds a point to the val_loss and val_ppl curves.
    func evaluateValidation(limit: Int?) throws {
        guard let mean = try meanValidationLoss(limit: limit) else { return }
        appendCurve("val_loss", mean)
        appendCurve("val_ppl", exp(mean))
        appendCurve("flops", flops)
    }

    /// The validation loss: over all validation blocks once the run has
    /// finished, else the latest curve point (nil before any evaluation).
    public var valLoss: Double? { finalValLoss ?? curves["val_loss"]?.last?.value }
    public var valPpl: Double? { valLoss.map { exp($0) } }

    /// A curve's values as (tokens, value) pairs.
    public func curve(_ name: String) -> [CurvePoint]? { curves[name] }

    func makeProgress(milestone: Bool, message: String?) -> Progress {
        let tps = trainSeconds > 0 ? Double(tokens) / trainSeconds : 0
        let total = plannedTokens
        var eta: Double? = nil
        if let total, tps > 0 { eta = Double(max(0, total - tokens)) / tps }
        return Progress(phaseIndex: min(phaseIndex, phases.count - 1), phaseCount: phases.count,
                        phaseName: phaseIndex < phases.count ? phases[phaseIndex].phase.name : "done",
                        step: step, stepInPhase: stepInPhase, phaseSteps: phaseSteps, tokens: tokens,
                        totalTokens: total, loss: lastTrainLoss, valPpl: valPpl, tokensPerSecond: tps,
                        secondsLeft: eta, isMilestone: milestone, message: message)
    }

    // MARK: - Run folder

    var configJSON: JSONValue {
        var modelFields: [(String, JSONValue)] = [("kind", .string(model.kind))]
        for k in model.config.keys.sorted() { modelFields.append((k, .string(model.config[k]!))) }
        let phaseRows: [JSONValue] = plan.map { p in
            .object([("phase", .string(p.name)), ("rule", .string(p.rule)), ("length", .string(p.length)),
                     ("active_blocks", p.activeBlocks.map { .number(Double($0)) } ?? .null),
                     ("steps", p.steps.map { .number(Double($0)) } ?? .null),
                     ("tokens", p.tokens.map { .number(Double($0)) } ?? .null)])
        }
        return .object([
            ("model", .object(modelFields)),
            ("parameters", .number(Double(model.parameterCount))),
            ("data", .object([("source", .string(data.info.source)), ("context", .number(Double(data.contextLength))),
                              ("vocab", .number(Double(data.vocabSize))), ("train_blocks", .number(Double(trainCount))),
                              ("val_blocks", .number(Double(data.valIDs.count)))])),
            ("schedule", .array(phaseRows)),
            ("trainer", .object([("batch", .number(Double(config.batch))), ("seed", .number(Double(config.seed))),
                                 ("eval_every", .number(Double(config.evalEvery))),
                                 ("budget", config.budget.map { .number(Double($0)) } ?? .null),
                                 ("micro_batches", .number(Double(config.microBatches))),
                                 ("forget_margin", .number(Double(config.forgetMargin)))])),
            ("optimizer", .object([("lr", .number(Double(optimizer.learningRate))),
                                   ("weight_decay", .number(Double(optimizer.weightDecay))),
                                   ("beta1", .number(Double(optimizer.beta1))), ("beta2", .number(Double(optimizer.beta2))),
                                   ("schedule", .string("\(optimizer.schedule)"))])),
        ])
    }

    func writeMetricsLine(final: Bool = false) throws {
        guard let folder else { return }
        let tps = trainSeconds > 0 ? Double(tokens) / trainSeconds : 0
        var fields: [(String, JSONValue)] = [
            ("step", .number(Double(step))), ("tokens", .number(Double(tokens))),
            ("phase", .number(Double(min(phaseIndex, phases.count - 1) + 1))),
            ("phase_name", .string(phaseIndex < phases.count ? phases[phaseIndex].phase.name : "done")),
            ("lr", .number(curves["lr"]?.last?.value ?? .nan)),
            ("train_loss", .number(Double(lastTrainLoss))),
        ]
        if let v = curves["val_loss"]?.last, v.step == step {
            fields.append(("val_loss", .number(v.value)))
            fields.append(("val_ppl", .number(exp(v.value))))
        }
        fields.append(("scored_tokens", .number(Double(scoredTokens))))
        fields.append(("flops", .number(flops)))
        fields.append(("tokens_per_s", .number(tps.rounded())))
        if final { fields.append(("event", .string("end"))) }
        try folder.appendMetrics(.object(fields))
    }

    /// Writes the run state, then blocks.csv, into the run folder (the
    /// checkpoint first: see RunFolder.swift).
    public func checkpoint() throws {
        guard let folder else { return }
        try save(to: folder.file("checkpoint.run"))
        try folder.writeBlocks(stats)
    }
}
