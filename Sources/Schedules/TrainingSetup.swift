// TrainingSetup: the decisions made once, when a run is set up, that every
// host shares: checking the trainer settings, choosing the learning-rate
// schedule from the run's planned length, and the hooks through which a
// host watches and stops a run.
//
// What stays true here: a setting is checked in one place
// (`TrainerConfig.validate`), before anything is built; the learning-rate
// plan is applied when the run is made (so a cosine schedule knows the
// run's length) and never again (a loaded run keeps its optimizer's).
import Models
import TensorCore

/// How train() sets the optimizer's learning-rate schedule.
public enum LearningRatePlan: Equatable, Sendable {
    /// The base rate (with a linear warm-up over `warmup` steps when > 0).
    case constant(warmup: Int)
    /// Linear warm-up over `warmup` steps (at least 1), then the base rate.
    case warmup(Int)
    /// Warm-up, then cosine decay to 10% of the base rate at the run's end.
    case cosine(warmup: Int)

    /// The plan named `name` ("constant", "warmup", "cosine").
    public static func named(_ name: String, warmup: Int) throws -> LearningRatePlan {
        guard warmup >= 0 else { throw ScheduleError.invalidPhase("train: warmup must be >= 0, got \(warmup)") }
        switch name {
        case "constant": return .constant(warmup: warmup)
        case "warmup": return .warmup(warmup)
        case "cosine": return .cosine(warmup: warmup)
        default: throw ScheduleError.invalidPhase("train: lr_schedule must be \"constant\", \"warmup\" or \"cosine\", got \"\(name)\"")
        }
    }
}

extension TrainerConfig {
    /// Checks every setting; the message names the setting as scripts spell it.
    public func validate(op: String = "train") throws {
        func bad(_ m: String) -> ScheduleError { .invalidPhase("\(op): \(m)") }
        guard batch >= 1 else { throw bad("batch must be >= 1, got \(batch)") }
        guard microBatches >= 1, batch % microBatches == 0 else {
            throw bad("micro_batches (\(microBatches)) must divide batch (\(batch))")
        }
        guard gradientGroups >= 1 else { throw bad("gradient_groups must be >= 1, got \(gradientGroups)") }
        _ = try DataParallel.microBatches(batch: batch, requested: microBatches, ranks: gradientGroups, op: op)
        guard evalEvery >= 0 else { throw bad("eval_every must be >= 0, got \(evalEvery)") }
        if let e = evalBlocks, e < 1 { throw bad("eval_blocks must be >= 1, got \(e)") }
        guard logEvery >= 1 else { throw bad("log_every must be >= 1, got \(logEvery)") }
        if let b = budget, b <= 0 { throw bad("tokens must be > 0, got \(b)") }
        guard checkpointEvery >= 0 else { throw bad("checkpoint_every must be >= 0, got \(checkpointEvery)") }
        guard evalBatch >= 1 else { throw bad("eval_batch must be >= 1, got \(evalBatch)") }
        guard forgetMargin.isFinite, forgetMargin >= 0 else { throw bad("forget_margin must be >= 0, got \(forgetMargin)") }
        if let p = learningRatePlan {
            switch p {
            case .constant(let w), .warmup(let w), .cosine(let w):
                guard w >= 0 else { throw bad("warmup must be >= 0, got \(w)") }
            }
        }
    }
}

/// What a host supplies while a run advances.
public struct TrainerHooks {
    /// Receives progress (about every 0.1 s, every log step and at milestones).
    public var progress: ((Progress) -> Void)?
    /// Asked between steps: true pauses the run (an interrupt by default).
    public var shouldPause: () -> Bool = { Interrupt.isRequested }
    /// Asked between steps too: true stops the run there (a pause at a chosen step).
    public var stopWhen: ((Run) -> Bool)?

    public init(progress: ((Progress) -> Void)? = nil, stopWhen: ((Run) -> Bool)? = nil) {
        self.progress = progress
        self.stopWhen = stopWhen
    }
}

extension Run {
    /// Sets the optimizer's schedule from the config's plan (at creation).
    func applyLearningRatePlan() throws {
        guard let plan = config.learningRatePlan else { return }
        switch plan {
        case .constant(let w): if w > 0 { optimizer.schedule = .warmup(steps: w) }
        case .warmup(let w): optimizer.schedule = .warmup(steps: max(1, w))
        case .cosine(let w):
            guard let total = plannedTokens else {
                throw ScheduleError.invalidPhase("train: lr_schedule \"cosine\" needs a known length; pass tokens: (a policy decides this schedule's length at run time)")
            }
            let steps = max(1, total / tokensPerStep)
            optimizer.schedule = .cosine(warmupSteps: w, totalSteps: optimizer.step + steps, floor: 0.1)
        }
        try optimizer.schedule.validate()
    }
}
