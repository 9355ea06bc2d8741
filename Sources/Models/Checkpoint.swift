// Checkpoint: saving and loading models (and optimizer state) as safetensors.
//
// File layout (one file, written atomically by TensorCore's SafeTensors):
//   tensors  - the model's parameters under their nanoGPT names, F32, in
//              buffer order (`transformer.wte.weight`, `transformer.wpe.weight`,
//              `transformer.h.0.ln_1.weight`, ..., `transformer.ln_f.weight`);
//              the LM head is tied to wte, so `lm_head.weight` is absent;
//            - with an optimizer: `optimizer.m.<name>` and `optimizer.v.<name>`
//              for every parameter (after its first update);
//   metadata - `format` = "lfr-checkpoint-1", the model config (`model` =
//              gpt | bigram | mlp, then its fields as decimal strings), the
//              optimizer's step and hyper-parameters (Floats as hex bit
//              patterns, so a resumed run is bit-identical), plus any extra
//              strings the caller adds (e.g. the trainer's run state).
// docs/models.md gives the mapping to nanoGPT's and gpt_train.py's names.
//
// What stays true: loading never half-updates a model: every tensor is
// checked (present, right shape) before any value is copied.
import TensorCore

/// What `Checkpoint.load` returns.
public struct LoadedCheckpoint {
    /// The model, built from the saved config with the saved parameters.
    public let model: any LanguageModel
    /// The optimizer state, when the file has one.
    public let optimizer: AdamW?
    /// Every metadata string of the file.
    public let metadata: [String: String]
}

public enum Checkpoint {
    /// Version tag written to `format`.
    public static let format = "lfr-checkpoint-1"

    /// Writes `model` (and `optimizer`'s state) to `path` atomically.
    public static func save(_ model: any LanguageModel, to path: String, optimizer: AdamW? = nil,
                            metadata extra: [String: String] = [:]) throws {
        var entries = model.parameters.named
        var metadata = extra
        for (k, v) in model.config { metadata[k] = v }
        metadata["format"] = format
        if let optimizer {
            entries += optimizer.stateTensors(for: model.parameters)
            for (k, v) in optimizer.stateMetadata { metadata[k] = v }
        }
        do {
            try SafeTensors.write(entries, metadata: metadata, to: path)
        } catch let e as TensorError {
            throw ModelError.checkpoint(path: path, message: e.description)
        }
    }

    /// A new model of the kind and configuration a `config` dictionary
    /// describes (what `LanguageModel.config` returns: "model" names the
    /// kind), initialised from `seed`. The one place a model is built from
    /// saved settings: checkpoints, saved runs and comparisons use it.
    public static func makeModel(config meta: [String: String], seed: UInt64 = 0) throws -> any LanguageModel {
        func int(_ k: String) throws -> Int {
            guard let v = meta[k].flatMap({ Int($0) }) else {
                throw ModelError.invalidConfig(model: meta["model"] ?? "model", message: "the configuration lacks an integer \(k)")
            }
            return v
        }
        switch meta["model"] {
        case "gpt":
            return try GPT(config: GPTConfig(dictionary: meta), seed: seed)
        case "bigram":
            return try Bigram(vocab: int("vocab"), seed: seed)
        case "mlp":
            return try MLPModel(config: MLPConfig(vocab: int("vocab"), context: int("context"),
                                                  embedding: int("embedding"), hidden: int("hidden")), seed: seed)
        case let other:
            throw ModelError.invalidConfig(model: other ?? "model",
                                           message: "unknown model kind \(other ?? "(missing)"); expected gpt, bigram or mlp")
        }
    }

    /// True when a file really is an lfr checkpoint: its `format` is this
    /// version's tag and `model` names a known kind. A file that merely has
    /// a `model` metadata key (`{"model": "gpt2-small"}` from Python) is not.
    public static func isCheckpoint(_ file: SafeTensorsFile) -> Bool {
        file.metadata["format"] == format && ["gpt", "bigram", "mlp"].contains(file.metadata["model"] ?? "")
    }

    /// Reads a checkpoint and builds the model it describes (and its
    /// optimizer, when saved).
    public static func load(path: String) throws -> LoadedCheckpoint {
        try load(file: read(path), path: path)
    }

    /// The model (and optimizer) of a checkpoint file already read.
    public static func load(file: SafeTensorsFile, path: String) throws -> LoadedCheckpoint {
        let meta = file.metadata
        let model: any LanguageModel
        do {
            model = try makeModel(config: meta)
        } catch let e as ModelError {
            if case .checkpoint = e { throw e }
            throw bad(path, e.description)
        }
        let optimizer = try apply(file, to: model, path: path, wantOptimizer: true)
        return LoadedCheckpoint(model: model, optimizer: optimizer, metadata: meta)
    }

    /// Loads a checkpoint's parameters into an existing model of the same
    /// config (and the optimizer state into `optimizer`, when given: its
    /// step, moments and hyper-parameters become the saved ones).
    public static func load(path: String, into model: any LanguageModel, optimizer: AdamW? = nil) throws {
        let file = try read(path)
        for (k, v) in model.config where file.metadata[k] != v {
            throw bad(path, "the file holds a \(file.metadata["model"] ?? "?") with \(k) = \(file.metadata[k] ?? "missing"), the model has \(k) = \(v)")
        }
        try checkParameters(file, model.parameters, path)
        if let optimizer {
            guard file.metadata["optimizer"] == "adamw" else { throw bad(path, "the file holds no optimizer state") }
            _ = try restoredOptimizer(file, model.parameters, path)      // validates before anything changes
            try copyParameters(file, model.parameters)
            try optimizer.restore(metadata: file.metadata, tensors: file.tensors, for: model.parameters)
        } else {
            try copyParameters(file, model.parameters)
        }
    }

    // MARK: - Helpers

    private static func bad(_ path: String, _ message: String) -> ModelError { .checkpoint(path: path, message: message) }

    private static func read(_ path: String) throws -> SafeTensorsFile {
        do {
            return try SafeTensors.read(path: path)
        } catch let e as TensorError {
            throw ModelError.checkpoint(path: path, message: e.description)
        }
    }

    private static func checkParameters(_ file: SafeTensorsFile, _ ps: ParameterSet, _ path: String) throws {
        for s in ps.specs {
            guard let t = file.tensors[s.name] else { throw bad(path, "missing tensor \(s.name)") }
            if let dtype = file.dtypes[s.name], !["F32", "F16", "BF16", "F64"].contains(dtype) {
                throw bad(path, "tensor \(s.name) is stored as \(dtype); model weights must be floating point (F32, F16, BF16 or F64)")
            }
            guard t.shape == s.shape else {
                throw bad(path, "tensor \(s.name) has shape \(t.shape) in the file, the model needs \(s.shape)")
            }
        }
    }

    private static func copyParameters(_ file: SafeTensorsFile, _ ps: ParameterSet) throws {
        for s in ps.specs {
            if let t = file.tensors[s.name] { try ps.set(s.name, from: t) }
        }
    }

    private static func restoredOptimizer(_ file: SafeTensorsFile, _ ps: ParameterSet, _ path: String) throws -> AdamW {
        let opt = try AdamW()
        do {
            try opt.restore(metadata: file.metadata, tensors: file.tensors, for: ps)
        } catch let e as ModelError {
            throw bad(path, e.description)
        }
        return opt
    }

    /// Checks every parameter first, then copies; returns the optimizer when
    /// the file has one.
    private static func apply(_ file: SafeTensorsFile, to model: any LanguageModel, path: String,
                              wantOptimizer: Bool) throws -> AdamW? {
        try checkParameters(file, model.parameters, path)
        let opt = wantOptimizer && file.metadata["optimizer"] == "adamw"
            ? try restoredOptimizer(file, model.parameters, path) : nil
        try copyParameters(file, model.parameters)
        return opt
    }
}
