// RunState: saving a Run to one file and loading it back in a new process,
// so that the resumed run computes bit-identical losses.
//
// The file is safetensors (readable by Python): model parameters as F32
// under `model.<name>`, AdamW moments under their optimizer names, and the
// run's own state with exact dtypes (I32/I64 counters, F64 sums, the RNG
// words as I64 bit patterns); scalars and the model/optimizer/trainer
// configuration go in `__metadata__` (Floats as hex bit patterns, so they
// round-trip exactly). Functions cannot be saved: `load` takes the dataset
// and the schedule again and checks they match what the run was made with
// (block counts, context, phase names and lengths).
import Data
import Foundation
import Models
import TensorCore

extension Run {
    static let formatTag = "lfr-run-1"

    /// Writes the whole run state to `path` (atomically), creating the
    /// folder it goes in when missing.
    public func save(to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw ScheduleError.io(path: path, message: "cannot create folder \(folder): \(error.localizedDescription)")
            }
        }
        var meta: [String: String] = ["format": Run.formatTag, "model.kind": model.kind]
        for (k, v) in model.config { meta["model.config." + k] = v }
        for (k, v) in optimizer.stateMetadata { meta[k] = v }
        func put(_ k: String, _ v: Int) { meta["run." + k] = String(v) }
        put("phase_index", phaseIndex); put("step_in_phase", stepInPhase); put("phase_steps", phaseSteps)
        put("phase_started", phaseStarted ? 1 : 0); put("step", step); put("tokens", tokens)
        put("finished", finished ? 1 : 0); put("pending_eval", pendingEval ? 1 : 0)
        meta["run.last_train_loss"] = String(lastTrainLoss.bitPattern, radix: 16)
        meta["run.train_seconds"] = String(trainSeconds.bitPattern, radix: 16)
        if let f = finalValLoss { meta["run.final_val_loss"] = String(f.bitPattern, radix: 16) }
        meta["run.forget_margin"] = String(stats.forgetMargin.bitPattern, radix: 16)
        meta["data.train_blocks"] = String(trainCount)
        meta["data.context"] = String(data.contextLength)
        meta["data.vocab"] = String(data.vocabSize)
        meta["schedule.fingerprint"] = Run.fingerprint(schedule)
        meta["trainer.batch"] = String(config.batch)
        meta["trainer.seed"] = String(config.seed)
        meta["trainer.micro_batches"] = String(config.microBatches)
        meta["trainer.gradient_groups"] = String(exchange.size > 1 ? exchange.size : config.gradientGroups)
        meta["trainer.budget"] = config.budget.map(String.init) ?? ""
        // Settings that do not change the losses, restored by load (a resumed
        // run evaluates, logs and checkpoints as the original did).
        meta["trainer.eval_every"] = String(config.evalEvery)
        meta["trainer.eval_blocks"] = config.evalBlocks.map(String.init) ?? "all"
        meta["trainer.log_every"] = String(config.logEvery)
        meta["trainer.checkpoint_every"] = String(config.checkpointEvery)
        meta["trainer.eval_batch"] = String(config.evalBatch)
        if let s = scriptSource { meta["run.script"] = s }

        var arrays: [SafeTensorsArray] = []
        for (name, t) in model.parameters.named {
            arrays.append(SafeTensorsArray(name: "model." + name, values: t.toArray(), shape: t.shape))
        }
        for (name, t) in optimizer.stateTensors(for: model.parameters) {
            arrays.append(SafeTensorsArray(name: name, values: t.toArray(), shape: t.shape))
        }
        arrays += [
            SafeTensorsArray(name: "stats.latest_loss", values: stats.latestLoss),
            SafeTensorsArray(name: "stats.first_loss", values: stats.firstLoss),
            SafeTensorsArray(name: "stats.best_loss", values: stats.bestLoss),
            SafeTensorsArray(name: "stats.window_sum", values: stats.windowSum),
            SafeTensorsArray(name: "stats.window_count", values: stats.windowCount),
            SafeTensorsArray(name: "stats.seen", values: stats.seen),
            SafeTensorsArray(name: "stats.last_step", values: stats.lastStep),
            SafeTensorsArray(name: "stats.forgets", values: stats.forgets),
            SafeTensorsArray(name: "stats.fell_last", values: stats.fellLast),
        ]
        if let s = sampler {
            meta["sampler.mode"] = s.mode.rawValue
            meta["sampler.cursor"] = String(s.cursor)
            meta["sampler.epoch"] = String(s.epoch)
            meta["sampler.active"] = String(s.activeCount)
            meta["sampler.pending_normal"] = s.rng.pendingNormal.map { String($0.bitPattern, radix: 16) } ?? ""
            let st = s.rng.state
            arrays.append(SafeTensorsArray(name: "sampler.rng", values: [st.0, st.1, st.2, st.3].map { Int64(bitPattern: $0) }))
            arrays.append(SafeTensorsArray(name: "sampler.order", values: s.order))
            arrays.append(SafeTensorsArray(name: "sampler.probability", values: s.probability))
            arrays.append(SafeTensorsArray(name: "sampler.alias", values: s.alias))
        }
        meta["chosen.groups"] = chosenByGroup.keys.sorted().map(String.init).joined(separator: ",")
        for (group, chosen) in chosenByGroup {
            switch chosen {
            case .ids(let ids): arrays.append(SafeTensorsArray(name: "chosen.\(group).ids", values: ids))
            case .weights(let w, _): arrays.append(SafeTensorsArray(name: "chosen.\(group).weights", values: w))
            }
        }
        meta["curves"] = curves.keys.sorted().joined(separator: ",")
        for (name, points) in curves {
            arrays.append(SafeTensorsArray(name: "curve.\(name).step", values: points.map { Int64($0.step) }))
            arrays.append(SafeTensorsArray(name: "curve.\(name).tokens", values: points.map { Int64($0.tokens) }))
            arrays.append(SafeTensorsArray(name: "curve.\(name).value", values: points.map(\.value)))
        }
        try SafeTensors.writeRaw(arrays, metadata: meta, to: path)
    }

    /// A text that changes when a schedule's phases change.
    static func fingerprint(_ s: Schedule) -> String {
        s.phases.map { "\($0.phase.name):\($0.phase.length.summary):\($0.phase.selection.summary)" }.joined(separator: "|")
    }

    /// Loads a run saved by `save(to:)`; `data` and `schedule` must be the
    /// ones the run was made with. `config` overrides nothing that affects
    /// the losses (batch, seed, micro-batches and budget come from the file);
    /// it sets evaluation, logging and the run folder.
    public static func load(path: String, data: Dataset, schedule: Schedule, config overrides: TrainerConfig? = nil,
                            adjust: (inout TrainerConfig) throws -> Void = { _ in }) throws -> Run {
        let (arrayList, meta) = try SafeTensors.readRaw(path: path)
        func bad(_ m: String) -> ScheduleError { .invalidState("\(path): \(m)") }
        guard meta["format"] == formatTag else { throw bad("not an lfr run file (format \(meta["format"] ?? "missing"))") }
        var arrays: [String: SafeTensorsArray] = [:]
        for a in arrayList { arrays[a.name] = a }
        func int(_ k: String) throws -> Int {
            guard let s = meta[k], let v = Int(s) else { throw bad("metadata lacks \(k)") }
            return v
        }
        func hex32(_ k: String) throws -> UInt32 {
            guard let s = meta[k], let v = UInt32(s, radix: 16) else { throw bad("metadata lacks \(k)") }
            return v
        }
        func hex64(_ k: String) throws -> UInt64 {
            guard let s = meta[k], let v = UInt64(s, radix: 16) else { throw bad("metadata lacks \(k)") }
            return v
        }
        // Every array must have exactly the dtype (and, where known, the
        // shape) the writer gives it: an F32 read as I32 bits is refused.
        func array<T: BitwiseCopyable>(_ name: String, _ t: T.Type, shape: [Int]? = nil) throws -> [T] {
            guard let a = arrays[name] else { throw bad("missing array \(name)") }
            let want: String
            switch t {
            case is Float.Type: want = "F32"
            case is Double.Type: want = "F64"
            case is Int32.Type: want = "I32"
            case is Int64.Type: want = "I64"
            default: want = "U8"
            }
            guard a.dtype == want else { throw bad("array \(name) is \(a.dtype), expected \(want)") }
            if let shape, a.shape != shape { throw bad("array \(name) has shape \(a.shape), expected \(shape)") }
            return try a.values(as: t)
        }
        // The data and schedule must be the run's own.
        let trainCount = try int("data.train_blocks")
        let savedContext = try int("data.context"), savedVocab = try int("data.vocab")
        guard trainCount == data.trainIDs.count, savedContext == data.contextLength, savedVocab == data.vocabSize else {
            throw bad("the run was made on a dataset with \(trainCount) training blocks, context \(meta["data.context"] ?? "?"), vocab \(meta["data.vocab"] ?? "?"); this one has \(data.trainIDs.count), \(data.contextLength), \(data.vocabSize)")
        }
        guard meta["schedule.fingerprint"] == fingerprint(schedule) else {
            throw bad("the schedule differs from the run's (\(meta["schedule.fingerprint"] ?? "?"))")
        }
        // Model: rebuild from its configuration, then set every parameter.
        var modelConfig: [String: String] = [:]
        for (k, v) in meta where k.hasPrefix("model.config.") { modelConfig[String(k.dropFirst("model.config.".count))] = v }
        let model = try Checkpoint.makeModel(config: modelConfig)
        for spec in model.parameters.specs {
            let values = try array("model." + spec.name, Float.self, shape: spec.shape)
            try model.parameters.set(spec.name, from: Tensor(shape: spec.shape, values: values))
        }
        let optimizer = try AdamW()
        var optimizerTensors: [String: Tensor] = [:]
        for a in arrayList where a.name.hasPrefix("optimizer.") {
            optimizerTensors[a.name] = try Tensor(shape: a.shape, values: a.values(as: Float.self))
        }
        try optimizer.restore(metadata: meta, tensors: optimizerTensors, for: model.parameters)

        var config: TrainerConfig
        if let overrides { config = overrides } else {
            // The saved evaluation, logging and checkpoint settings (files from
            // before they were saved keep the defaults).
            config = TrainerConfig()
            if let v = meta["trainer.eval_every"] { guard let n = Int(v) else { throw bad("trainer.eval_every is not a number") }; config.evalEvery = n }
            if let v = meta["trainer.eval_blocks"] {
                if v == "all" { config.evalBlocks = nil } else { guard let n = Int(v) else { throw bad("trainer.eval_blocks is not a number") }; config.evalBlocks = n }
            }
            if let v = meta["trainer.log_every"] { guard let n = Int(v) else { throw bad("trainer.log_every is not a number") }; config.logEvery = n }
            if let v = meta["trainer.checkpoint_every"] { guard let n = Int(v) else { throw bad("trainer.checkpoint_every is not a number") }; config.checkpointEvery = n }
            if let v = meta["trainer.eval_batch"] { guard let n = Int(v) else { throw bad("trainer.eval_batch is not a number") }; config.evalBatch = n }
        }
        try adjust(&config)
        config.batch = try int("trainer.batch")
        guard let seed = UInt64(meta["trainer.seed"] ?? "") else { throw bad("metadata lacks trainer.seed") }
        config.seed = seed
        config.microBatches = try int("trainer.micro_batches")
        // Files from before gradient groups: one group.
        config.gradientGroups = meta["trainer.gradient_groups"] == nil ? 1 : try int("trainer.gradient_groups")
        config.budget = Int(meta["trainer.budget"] ?? "")
        config.forgetMargin = Float(bitPattern: try hex32("run.forget_margin"))

        let run = try Run(model: model, optimizer: optimizer, data: data, schedule: schedule, config: config)
        run.stats = try BlockStatistics(
            count: trainCount, forgetMargin: config.forgetMargin,
            latestLoss: array("stats.latest_loss", Float.self, shape: [trainCount]), firstLoss: array("stats.first_loss", Float.self, shape: [trainCount]),
            bestLoss: array("stats.best_loss", Float.self, shape: [trainCount]), windowSum: array("stats.window_sum", Double.self, shape: [trainCount]),
            windowCount: array("stats.window_count", Int32.self, shape: [trainCount]), seen: array("stats.seen", Int32.self, shape: [trainCount]),
            lastStep: array("stats.last_step", Int64.self, shape: [trainCount]), forgets: array("stats.forgets", Int32.self, shape: [trainCount]),
            fellLast: array("stats.fell_last", UInt8.self, shape: [trainCount]))
        run.phaseIndex = try int("run.phase_index")
        run.stepInPhase = try int("run.step_in_phase")
        run.phaseSteps = try int("run.phase_steps")
        run.phaseStarted = try int("run.phase_started") != 0
        run.step = try int("run.step")
        run.tokens = try int("run.tokens")
        run.finished = try int("run.finished") != 0
        run.pendingEval = try int("run.pending_eval") != 0
        run.lastTrainLoss = Float(bitPattern: try hex32("run.last_train_loss"))
        run.trainSeconds = Double(bitPattern: try hex64("run.train_seconds"))
        if meta["run.final_val_loss"] != nil { run.finalValLoss = Double(bitPattern: try hex64("run.final_val_loss")) }
        run.scriptSource = meta["run.script"]
        guard run.phaseIndex >= 0, run.phaseIndex <= run.phases.count else { throw bad("phase index out of range") }
        // Counters and settings from the file are range-checked: a tampered
        // file must not skip a phase or train with a NaN learning rate.
        guard config.batch >= 1, config.microBatches >= 1, config.gradientGroups >= 1, config.budget.map({ $0 >= 0 }) ?? true else {
            throw bad("batch \(config.batch), micro_batches \(config.microBatches) and budget \(config.budget.map(String.init) ?? "none") must be positive (budget >= 0)")
        }
        guard run.step >= 0, run.tokens >= 0, run.phaseSteps >= 0, run.stepInPhase >= 0,
              run.stepInPhase <= run.step else {
            throw bad("counters out of range: step \(run.step), tokens \(run.tokens), step_in_phase \(run.stepInPhase) of \(run.phaseSteps)")
        }
        guard config.forgetMargin.isFinite, run.trainSeconds.isFinite, run.trainSeconds >= 0 else {
            throw bad("forget_margin and train_seconds must be finite")
        }
        guard optimizer.learningRate.isFinite, optimizer.learningRate >= 0,
              optimizer.weightDecay.isFinite, optimizer.weightDecay >= 0 else {
            throw bad("optimizer learning rate \(optimizer.learningRate) and weight decay \(optimizer.weightDecay) must be finite and >= 0")
        }
        if let mode = meta["sampler.mode"] {
            guard let m = BlockSampler.Mode(rawValue: mode) else { throw bad("unknown sampler mode \(mode)") }
            let words = try array("sampler.rng", Int64.self).map { UInt64(bitPattern: $0) }
            guard words.count == 4 else { throw bad("sampler.rng must hold 4 words") }
            let pending = meta["sampler.pending_normal"].flatMap { UInt64($0, radix: 16) }.map { Double(bitPattern: $0) }
            run.sampler = try BlockSampler(
                mode: m, rng: RandomGenerator(state: (words[0], words[1], words[2], words[3]), pendingNormal: pending),
                order: array("sampler.order", Int32.self), cursor: int("sampler.cursor"), epoch: int("sampler.epoch"),
                probability: array("sampler.probability", Double.self), alias: array("sampler.alias", Int32.self),
                activeCount: int("sampler.active"))
            if let order = run.sampler?.order, order.contains(where: { $0 < 0 || Int($0) >= trainCount }) {
                throw bad("sampler order holds a block outside the dataset")
            }
        }
        for g in (meta["chosen.groups"] ?? "").split(separator: ",") {
            guard let group = Int(g) else { continue }
            if let ids = try? array("chosen.\(group).ids", Int32.self) {
                run.chosenByGroup[group] = .ids(ids)
            } else {
                let w = try array("chosen.\(group).weights", Float.self)
                run.chosenByGroup[group] = .weights(w, positive: w.filter { $0 > 0 }.count)
            }
        }
        for name in (meta["curves"] ?? "").split(separator: ",").map(String.init) {
            let steps = try array("curve.\(name).step", Int64.self)
            let toks = try array("curve.\(name).tokens", Int64.self)
            let values = try array("curve.\(name).value", Double.self)
            guard steps.count == toks.count, toks.count == values.count else { throw bad("curve \(name) is inconsistent") }
            run.curves[name] = (0..<steps.count).map { CurvePoint(step: Int(steps[$0]), tokens: Int(toks[$0]), value: values[$0]) }
        }
        return run
    }
}
