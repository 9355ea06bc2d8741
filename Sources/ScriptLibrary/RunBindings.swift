// RunBindings: training runs as values of the language — train, load_run,
// measure, a run's members (stats, curves, resume, save) and its per-block
// statistics.
//
// What stays true here: `train` trains the model it is given, in place, and
// returns the run even when it pauses (Ctrl-C or pause_at); every trainer
// setting is checked once, by Schedules (`TrainerConfig.validate`), and the
// learning-rate plan is applied there too. Progress goes to the host
// (Host.swift); an interrupt is handled as the host says.
import Data
import Models
import Schedules
import Script
import TensorCore
#if canImport(Glibc)
import Glibc
#endif


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
    let host: LibraryHost
    let quiet: Bool
    init(_ run: Run, interpreter: Interpreter, host: LibraryHost, quiet: Bool) {
        self.run = run; self.interpreter = interpreter; self.host = host; self.quiet = quiet
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
        A training run made by train(). Members: model, stats, tokens (trained), scored_tokens \
        (measurement passes), flops (training + measurement), step, phase, finished, \
        val_loss, val_ppl, curve(name) (a [N, 2] tensor of tokens and values; names: train_loss, \
        val_loss, val_ppl, lr), curves (names), plan (the schedule table), resume() (continues after \
        Ctrl-C, exactly as if never stopped), measure() (scores every block with the current model \
        and records the values), save(path) (the whole run state; load_run(path, data, schedule) \
        brings it back in another process), folder.
        """
    public override var memberNames: [String] {
        ["model", "stats", "tokens", "scored_tokens", "flops", "step", "phase", "finished", "val_loss", "val_ppl", "curve", "curves",
         "plan", "resume", "measure", "save", "folder", "data", "schedule"]
    }
    /// Wrapping the run's model, data, statistics or schedule copies no
    /// arrays, and reading a method only binds it.
    public override var completableMembers: Set<String> { ["model", "data", "stats", "schedule", "save", "resume", "measure"] }
    public override func getMember(_ name: String) throws -> Value {
        switch name {
        case "model": return .object(ModelValue(run.model))
        case "data": return .object(DatasetValue(run.data))
        case "stats":
            return .object(StatsValue(run.stats, blockIDs: run.data.trainIDs, step: run.step, phaseIndex: run.phaseIndex))
        case "tokens": return .number(Double(run.tokens))
        case "scored_tokens": return .number(Double(run.scoredTokens))
        case "flops": return .number(run.flops)
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
                          doc: "A curve of the run as an [N, 2] tensor: column 0 tokens, column 1 values.") { args in
                let n = try args.string("name")
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
                try runTraining(self.run, interpreter: self.interpreter, host: self.host, quiet: self.quiet)
                return .object(self)
            }
        case "measure":
            return method("measure", [], doc: "Scores every training block with the current model (no training) and records the losses in the statistics.") { _ in
                try self.run.measure()
                return .nil
            }
        case "save":
            return method("save", [Param("path")], doc: "Writes the whole run state (model, optimizer, statistics, sampler, RNG) to a file.") { args in
                let path = try args.string("path")
                // Under mpirun every rank holds the same state; rank 0 writes it.
                if DataParallel.exchange.rank == 0 { try self.run.save(to: path) }
                return .nil
            }
        case "schedule": return .object(ScheduleValue(run.schedule, name: "schedule"))
        default: return try super.getMember(name)
        }
    }
}


// MARK: - Running

/// Advances a run, showing progress through the host, and says how it stopped.
func runTraining(_ run: Run, interpreter: Interpreter, host: LibraryHost, quiet: Bool, pauseAt: Int? = nil) throws {
    var hooks = TrainerHooks()
    if !quiet, let show = host.showProgress {
        let logEvery = run.config.logEvery
        hooks.progress = { show(ProgressReport($0, label: nil, logEvery: logEvery)) }
    }
    if let at = pauseAt { hooks.stopWhen = { $0.step >= at } }
    let stop = try run.advance(hooks: hooks)
    if !quiet { host.endProgress?() }
    guard stop == .interrupted else { return }
    if let at = pauseAt, run.step >= at {
        if !quiet { interpreter.output("training paused at step \(run.step) (pause_at); run.resume() continues\n") }
        return
    }
    if host.interruptPausesOnly { Interrupt.clear() }
    var message = "training paused at step \(run.step) (\(TextTable.grouped(run.tokens)) tokens); run.resume() continues"
    if let out = run.config.out { message += "; the run is saved in \(out)/checkpoint.run" }
    interpreter.output(message + "\n")
}

/// The trainer settings train() and compare() share, read by name; every
/// check is Schedules' (`TrainerConfig.validate`).
func trainerConfig(_ args: Arguments, budgetFromTokens: Bool) throws -> TrainerConfig {
    let declared = Set(args.function.parameters.map(\.name))
    var c = TrainerConfig()
    c.batch = try args.int("batch")
    if declared.contains("seed") { c.seed = try seedArgument(args, "seed") }
    c.evalEvery = try args.int("eval_every")
    c.out = try args.optionalString("out")
    c.evalBlocks = try args.optionalInt("eval_blocks")
    c.logEvery = try args.int("log_every")
    if budgetFromTokens { c.budget = try args.optionalInt("tokens") }
    if declared.contains("micro_batches") { c.microBatches = try args.int("micro_batches") }
    if declared.contains("gradient_groups") { c.gradientGroups = try args.int("gradient_groups") }
    if declared.contains("forget_margin") { c.forgetMargin = Float(try args.number("forget_margin")) }
    if declared.contains("checkpoint_every") { c.checkpointEvery = try args.int("checkpoint_every") }
    try translatingErrors { try c.validate(op: args.function.name) }
    return c
}

/// A new optimizer with the same settings and no state (for compare()).
func freshOptimizer(like o: AdamW) throws -> AdamW {
    try AdamW(learningRate: o.learningRate, betas: (o.beta1, o.beta2), epsilon: o.epsilon,
              weightDecay: o.weightDecay, clipNorm: o.clipNorm, schedule: o.schedule)
}

/// The optimizer of train()/compare(): opt: when given, else AdamW(lr: 1e-3).
func trainingOptimizer(_ args: Arguments) throws -> AdamW {
    try optimizerArgument(args, "opt") ?? AdamW(learningRate: 1e-3)
}

// MARK: - Registration

/// Registers train, load_run and measure.
func installRunBindings(into interp: Interpreter, host: LibraryHost) {
    interp.register("train", [Param("model"), Param("data"), Param("schedule"),
                              Param("opt", default: .nil), Param("batch", default: .number(16)),
                              Param("seed", default: .number(1)), Param("eval_every", default: .number(0)),
                              Param("lr_schedule", default: .string("constant")),
                              Param("warmup", default: .number(0)), Param("out", default: .nil),
                              Param("tokens", default: .nil), Param("eval_blocks", default: .number(256)),
                              Param("log_every", default: .number(10)), Param("micro_batches", default: .number(1)),
                              Param("forget_margin", default: .number(0.1)), Param("quiet", default: .bool(false)),
                              Param("checkpoint_every", default: .number(0)), Param("pause_at", default: .nil),
                              Param("gradient_groups", default: .number(1))],
                    doc: """
                        train(model, data, schedule, opt: adamw(lr: 1e-3), batch: 16, seed: 1, eval_every: 0, \
                        lr_schedule: "constant"|"warmup"|"cosine", warmup: 0, out: nil, tokens: nil, eval_blocks: 256, \
                        log_every: 10, micro_batches: 1, forget_margin: 0.1, quiet: false, checkpoint_every: 0, \
                        pause_at: nil, gradient_groups: 1): trains the model in place by the schedule and returns the run. Ctrl-C (or \
                        reaching step pause_at) pauses between two steps and returns the run; run.resume() continues \
                        exactly. out: writes a run folder (script, config, \
                        metrics.jsonl, blocks.csv, checkpoint). tokens: caps the run (and sets the budget of \
                        until_budget phases). Tokens count predicted positions (context per block). \
                        gradient_groups: R sums the micro-batches as R ranks would (a run of R ranks, reproduced \
                        on one process; a run saved on R ranks keeps R when loaded).
                        """) { args in
        let model = try modelArgument(args, "model")
        let data = try datasetArgument(args, "data")
        let sched = try scheduleArgument(args, "schedule")
        var config = try trainerConfig(args, budgetFromTokens: true)
        config.learningRatePlan = try translatingErrors {
            try LearningRatePlan.named(try args.string("lr_schedule"), warmup: try args.int("warmup"))
        }
        config.scriptSource = host.scriptSource
        let run = try Run(model: model, optimizer: try trainingOptimizer(args), data: data, schedule: sched.schedule, config: config)
        let quiet = try args.bool("quiet")
        try runTraining(run, interpreter: args.interpreter, host: host, quiet: quiet, pauseAt: try args.optionalInt("pause_at"))
        return .object(RunValue(run, interpreter: args.interpreter, host: host, quiet: quiet))
    }

    interp.register("load_run", [Param("path"), Param("data"), Param("schedule"),
                                 Param("eval_every", default: .nil), Param("out", default: .nil),
                                 Param("quiet", default: .bool(false)), Param("eval_blocks", default: .nil),
                                 Param("log_every", default: .nil), Param("checkpoint_every", default: .nil)],
                    doc: "load_run(path, data, schedule, out: nil, eval_every:, eval_blocks:, log_every:, checkpoint_every:): a run saved by run.save(path), ready to resume() in this process; data and schedule must be the run's own. It evaluates, logs and checkpoints as the saved run did unless told otherwise (eval_blocks: \"all\" for every validation block); out: names the folder it writes to from now on.") { args in
        let path = try args.string("path")
        let data = try datasetArgument(args, "data")
        let sched = try scheduleArgument(args, "schedule")
        let out = try args.optionalString("out")
        let evalEvery = try args.optionalInt("eval_every"), logEvery = try args.optionalInt("log_every")
        let checkpointEvery = try args.optionalInt("checkpoint_every")
        var evalBlocks: Int?? = nil
        if case .string(let s) = args["eval_blocks"] {
            guard s.value == "all" else { throw args.fail("eval_blocks", "a number or \"all\"") }
            evalBlocks = .some(nil)
        } else if let n = try args.optionalInt("eval_blocks") { evalBlocks = .some(n) }
        let run = try Run.load(path: path, data: data, schedule: sched.schedule) { c in
            c.out = out
            if let evalEvery { c.evalEvery = evalEvery }
            if let logEvery { c.logEvery = logEvery }
            if let checkpointEvery { c.checkpointEvery = checkpointEvery }
            if let evalBlocks { c.evalBlocks = evalBlocks }
        }
        return .object(RunValue(run, interpreter: args.interpreter, host: host, quiet: try args.bool("quiet")))
    }

    interp.register("measure", [Param("model"), Param("data"), Param("split", default: .string("train")),
                                Param("batch", default: .number(32))],
                    doc: "measure(model, data, split: \"train\"|\"val\"): the loss of every block of the split under the current model (no training), as a tensor in block order.") { args in
        let model = try modelArgument(args, "model")
        let data = try datasetArgument(args, "data")
        let split = try args.string("split")
        let ids: [Int32]
        switch split {
        case "train": ids = data.trainIDs
        case "val": ids = data.valIDs
        default: throw RuntimeError("measure: split must be \"train\" or \"val\", got \"\(split)\"")
        }
        let batch = try args.int("batch")
        guard batch >= 1 else { throw RuntimeError("measure: batch must be >= 1") }
        let losses = try Run.score(model: model, data: data, ids: ids, batch: batch)
        return try floatTensor(losses)
    }
}
