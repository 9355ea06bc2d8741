// ModelBindings: language models and the AdamW optimizer as language values
// — gpt(...), bigram(...), mlp(...), adamw(...), and model members
// (params, config, loss, losses, step, evaluate, copy, generate, save) —
// plus model checkpoints (safetensors with the config in __metadata__).
//
// What stays true here: token ids from the language are checked to be whole
// numbers before they reach Models (which checks them against the vocab);
// x and y are [B, T] (or [T], one sequence) and must have the same shape;
// every Models error reaches the user with its own message. A checkpoint
// holds the model's parameters under their Models names, the config as
// metadata ("model" = kind), and optionally the optimizer's state.
import Script
import TensorCore
import Models
import Data

// MARK: - Values

public final class ModelValue: NativeObject {
    public let model: any LanguageModel
    public init(_ model: any LanguageModel) { self.model = model }

    public override var typeName: String { "model" }
    public override var description: String { model.description }
    public override var summary: String { "\(model.kind) model, \(model.parameterCount) parameters" }
    /// Parameters and gradients (activations come and go with each pass).
    public override var memoryBytes: Int? { 2 * model.parameterCount * MemoryLayout<Float>.stride }
    public override var memberNames: [String] { ModelValue.members }
    /// The config dict and the methods (reading a method only binds it).
    public override var completableMembers: Set<String> { ["config", "loss", "losses", "step", "evaluate", "copy", "generate", "save"] }
    public override var helpText: String {
        """
        model: a language model (\(ModelValue.kinds)). Members: params (parameter count), config (a dict), kind, vocab, \
        context (longest sequence, nil when unlimited). Methods: loss(x, y) is the mean cross-entropy (nats) of \
        next-token predictions, x and y token-id tensors [B, T] (or [T]); losses(x, y) the tensor of each sequence's \
        mean loss [B]; step(x, y, opt) one AdamW training step, returning the loss before the update; \
        evaluate(data, split: "val", batch: 16) the mean loss over a dataset's blocks; copy() an independent copy; \
        generate(prompt, tokens: 100, temperature: 1, top_k: nil, seed: 0, data: nil); save(path).
        """
    }
    static let kinds = "gpt, bigram, mlp"
    static let members = ["params", "config", "kind", "vocab", "context", "loss", "losses", "step",
                          "evaluate", "copy", "generate", "save"].sorted()

    public override func getMember(_ name: String) throws -> Value {
        let m = model
        switch name {
        case "params": return .number(Double(m.parameterCount))
        case "config": return configDict(m.config)
        case "kind": return .str(m.kind)
        case "vocab": return .number(Double(m.vocabularySize))
        case "context": return m.maxSequenceLength.map { .number(Double($0)) } ?? .nil
        case "loss":
            return method("loss", [Param("x"), Param("y")], "model.loss(x, y) is the mean next-token loss (nats) of inputs x and targets y, token-id tensors of shape [B, T] (or [T]).") { args in
                .number(Double(try translatingErrors { try m.loss(try batchArgument(args["x"], args["y"], op: "loss")) }.mean))
            }
        case "losses":
            return method("losses", [Param("x"), Param("y")], "model.losses(x, y) is the tensor [B] of each sequence's mean loss (the values LFR records per block).") { args in
                let r = try translatingErrors { try m.loss(try batchArgument(args["x"], args["y"], op: "losses")) }
                return try wrapTensor(Tensor(r.perSequence))
            }
        case "step":
            return method("step", [Param("x"), Param("y"), Param("opt")], "model.step(x, y, opt) runs one training step (gradients of the batch's mean loss, then an AdamW update with opt) and returns the loss before the update.") { args in
                guard case .object(let o as OptimizerValue) = args["opt"] else { throw args.fail("opt", "an optimizer (adamw(...))") }
                let batch = try batchArgument(args["x"], args["y"], op: "step")
                return .number(Double(try translatingErrors { try m.step(batch, optimizer: o.optimizer) }.loss.mean))
            }
        case "evaluate":
            return method("evaluate", [Param("data"), Param("split", default: .string("val")), Param("batch", default: .number(16))],
                          "model.evaluate(data, split: \"val\", batch: 16) is the mean loss over the dataset's validation blocks (split: \"train\" or \"all\" for the others), without training.") { args in
                guard case .object(let d as DatasetValue) = args["data"] else { throw args.fail("data", "a dataset") }
                let ds = d.dataset
                let ids: [Int32]
                switch try args.string("split") {
                case "val": ids = ds.valIDs
                case "train": ids = ds.trainIDs
                case "all": ids = (0..<ds.blockCount).map { Int32($0) }
                case let s: throw RuntimeError("evaluate: split must be \"val\", \"train\" or \"all\", got \"\(s)\"")
                }
                if ids.isEmpty { throw RuntimeError("evaluate: the dataset has no \(try args.string("split")) blocks") }
                let bs = try args.int("batch")
                guard bs >= 1 else { throw RuntimeError("evaluate: batch must be >= 1, got \(bs)") }
                var tokens = [Int32](repeating: 0, count: ids.count * ds.blockLength)
                try translatingErrors { try tokens.withUnsafeMutableBufferPointer { try ds.fillBatch(blockIDs: ids, into: $0.baseAddress!) } }
                let r = try translatingErrors { try tokens.withUnsafeBufferPointer { try m.evaluate(blocks: $0, blockLength: ds.blockLength, batchSize: bs) } }
                return .number(Double(r.mean))
            }
        case "copy":
            return method("copy", [], "model.copy() is an independent deep copy (same parameters; training one leaves the other as it was).") { _ in
                .object(ModelValue(m.copy()))
            }
        case "generate":
            return method("generate", [Param("prompt"), Param("tokens", default: .number(100)), Param("temperature", default: .number(1)),
                                       Param("top_k", default: .nil), Param("seed", default: .number(0)), Param("data", default: .nil)],
                          "model.generate(prompt, tokens: 100, temperature: 1, top_k: nil, seed: 0, data: nil) samples tokens new ids. A string prompt is encoded with data: (a dataset or tokenizer; bytes when the model's vocab is 256 and no data is given) and the result is the prompt followed by the generated text; a list or tensor of ids gives a tensor of the new ids. temperature 0 is greedy; the seed fixes the draws.") { args in
                try generate(m, args)
            }
        case "save":
            return method("save", [Param("path"), Param("optimizer", default: .nil)],
                          "model.save(path, optimizer: nil) writes a checkpoint (same as save(model, path)).") { args in
                try saveCheckpoint(m, path: try args.string("path"), optimizer: try optimizerArgument(args, "optimizer"))
                return .nil
            }
        default:
            throw noMember(name)
        }
    }

    private func method(_ name: String, _ params: [Param], _ doc: String, _ body: @escaping (Arguments) throws -> Value) -> Value {
        .native(NativeFunction(name: name, parameters: params, doc: doc, body: body))
    }
}

public final class OptimizerValue: NativeObject {
    public let optimizer: AdamW
    public init(_ optimizer: AdamW) { self.optimizer = optimizer }

    public override var typeName: String { "optimizer" }
    public override var description: String {
        let o = optimizer
        let clip = o.clipNorm.map { formatNumber(asWritten($0)) } ?? "nil"
        return "adamw(lr: \(formatNumber(asWritten(o.learningRate))), betas: [\(formatNumber(asWritten(o.beta1))), \(formatNumber(asWritten(o.beta2)))], weight_decay: \(formatNumber(asWritten(o.weightDecay))), clip: \(clip), schedule: \(scheduleText(o.schedule)), step: \(o.step))"
    }
    public override var memberNames: [String] { OptimizerValue.members }
    static let members = ["lr", "current_lr", "step", "weight_decay", "betas", "clip", "schedule", "reset"].sorted()
    public override var helpText: String {
        "optimizer: AdamW (decoupled weight decay, global-norm clipping, learning-rate schedule), made by adamw(...). Members: lr (settable), current_lr (the rate of the next step), step (updates done), weight_decay (settable), betas, clip, schedule; reset() forgets the moments and the step count."
    }

    public override func getMember(_ name: String) throws -> Value {
        let o = optimizer
        switch name {
        case "lr": return .number(asWritten(o.learningRate))
        case "current_lr": return .number(asWritten(o.currentLearningRate))
        case "step": return .number(Double(o.step))
        case "weight_decay": return .number(asWritten(o.weightDecay))
        case "betas": return .list([.number(asWritten(o.beta1)), .number(asWritten(o.beta2))])
        case "clip": return o.clipNorm.map { .number(asWritten($0)) } ?? .nil
        case "schedule": return .str(scheduleText(o.schedule))
        case "reset":
            return .native(NativeFunction(name: "reset", parameters: [], doc: "opt.reset() forgets the moments and the step count.") { _ in
                o.reset(); return .nil
            })
        default: throw noMember(name)
        }
    }

    public override func setMember(_ name: String, _ value: Value) throws {
        guard case .number(let d) = value else { throw RuntimeError("optimizer.\(name) must be a number, got \(Script.typeName(value))") }
        switch name {
        case "lr":
            guard d >= 0, d.isFinite else { throw RuntimeError("optimizer.lr must be a finite number >= 0, got \(formatNumber(d))") }
            optimizer.learningRate = Float(d)
        case "weight_decay":
            guard d >= 0, d.isFinite else { throw RuntimeError("optimizer.weight_decay must be >= 0, got \(formatNumber(d))") }
            optimizer.weightDecay = Float(d)
        default: throw RuntimeError("cannot set member '\(name)' of optimizer (settable: lr, weight_decay)")
        }
    }
}

func scheduleText(_ s: LearningRateSchedule) -> String {
    switch s {
    case .constant: return "constant"
    case let .warmup(n): return "warmup \(n)"
    case let .cosine(w, t, f): return "cosine warmup \(w), total \(t), min_lr \(formatNumber(asWritten(f)))"
    }
}

/// A model's config strings as a dict of numbers, bools and strings.
func configDict(_ config: [String: String]) -> Value {
    let d = DictObject()
    for k in config.keys.sorted() {
        let s = config[k] ?? ""
        if let n = Double(s) { d.set(k, .number(n)) } else if let b = Bool(s) { d.set(k, .bool(b)) } else { d.set(k, .str(s)) }
    }
    return .dict(d)
}

// MARK: - Argument helpers

/// x and y as a TokenBatch: same shape, [B, T] or [T].
func batchArgument(_ x: Value, _ y: Value, op: String) throws -> TokenBatch {
    let (xs, xShape) = try idsArgument(x, op: op, name: "x")
    let (ys, yShape) = try idsArgument(y, op: op, name: "y")
    guard xShape == yShape else {
        throw RuntimeError("shape mismatch in \(op): x \(xShape) and y \(yShape) must have the same shape")
    }
    switch xShape.count {
    case 1: return try translatingErrors { try TokenBatch(inputs: xs, targets: ys, batchSize: 1, sequenceLength: xShape[0]) }
    case 2: return try translatingErrors { try TokenBatch(inputs: xs, targets: ys, batchSize: xShape[0], sequenceLength: xShape[1]) }
    default: throw RuntimeError("\(op): x and y must be [B, T] (or [T]) token ids, got shape \(xShape)")
    }
}

func optimizerArgument(_ args: Arguments, _ name: String) throws -> AdamW? {
    if args.isNil(name) { return nil }
    guard case .object(let o as OptimizerValue) = args[name] else { throw args.fail(name, "an optimizer (adamw(...))") }
    return o.optimizer
}

/// The tokenizer behind `data:` (a dataset or tokenizer value), if any.
func tokenizerArgument(_ v: Value, op: String) throws -> (any Tokenizer)? {
    switch v {
    case .nil: return nil
    case .object(let d as DatasetValue):
        guard let t = d.dataset.tokenizer else { throw RuntimeError("\(op): this dataset was made from token ids and has no tokenizer") }
        return t
    case .object(let t as TokenizerValue): return try t.trained(op: op)
    default: throw RuntimeError("\(op): data must be a dataset or a tokenizer, got \(typeName(v))")
    }
}

private func generate(_ m: any LanguageModel, _ args: Arguments) throws -> Value {
    let tokens = try args.int("tokens")
    guard tokens <= 100_000_000 else { throw RuntimeError("generate: tokens must be at most 100000000, got \(tokens)") }
    let temperature = Float(try args.number("temperature"))
    let topK = try args.optionalInt("top_k")
    let seed = try seedArgument(args, "seed")
    if case .string(let s) = args["prompt"] {
        var tok = try tokenizerArgument(args["data"], op: "generate")
        if tok == nil {
            guard m.vocabularySize == 256 else {
                throw RuntimeError("generate: a text prompt needs data: (a dataset or tokenizer) to encode it; the model's vocab is \(m.vocabularySize), not bytes")
            }
            tok = ByteTokenizer()
        }
        guard let tokenizer = tok else { return .nil }
        guard tokenizer.vocabSize <= m.vocabularySize else {
            throw RuntimeError("generate: the tokenizer's vocab (\(tokenizer.vocabSize)) is larger than the model's (\(m.vocabularySize))")
        }
        let prompt = try translatingErrors { try tokenizer.encode(s.value) }.map { Int32($0) }
        let out = try translatingErrors { try m.generate(prompt: prompt, tokens: tokens, temperature: temperature, topK: topK, seed: seed) }
        return .str(s.value + (try translatingErrors { try tokenizer.decode(out) }))
    }
    let (prompt, shape) = try idsArgument(args["prompt"], op: "generate", name: "prompt")
    guard shape.count <= 1 else { throw RuntimeError("generate: an id prompt must be 1-d, got shape \(shape)") }
    let out = try translatingErrors { try m.generate(prompt: prompt, tokens: tokens, temperature: temperature, topK: topK, seed: seed) }
    return try wrapTensor(Tensor(out.map { Float($0) }))
}

// MARK: - Installing

extension ScriptLibrary {
    static func installModelBindings(into interp: Interpreter) {
        interp.register("gpt", [Param("layers", default: .number(4)), Param("heads", default: .number(4)), Param("dim", default: .number(128)),
                                Param("context", default: .number(128)), Param("vocab", default: .number(256)), Param("seed", default: .number(0)),
                                Param("bias", default: .bool(true))],
                        doc: "gpt(layers: 4, heads: 4, dim: 128, context: 128, vocab: 256, seed: 0, bias: true) is a GPT (nanoGPT family: learned positions, pre-LayerNorm blocks of causal self-attention and a 4x GELU MLP, LM head tied to the token embedding), initialised GPT-2 style from seed. heads must divide dim; context is the longest sequence.") { args in
            let c = GPTConfig(layers: try args.int("layers"), heads: try args.int("heads"), dim: try args.int("dim"), context: try args.int("context"), vocab: try args.int("vocab"), bias: try args.bool("bias"))
            return .object(ModelValue(try translatingErrors { try GPT(config: c, seed: try seedArgument(args, "seed")) }))
        }
        interp.register("bigram", [Param("vocab", default: .number(256)), Param("seed", default: .number(0))],
                        doc: "bigram(vocab: 256, seed: 0) is a bigram language model: a vocab x vocab table of next-token logits. The fastest model to train; a baseline.") { args in
            .object(ModelValue(try translatingErrors { try Bigram(vocab: try args.int("vocab"), seed: try seedArgument(args, "seed")) }))
        }
        interp.register("mlp", [Param("vocab", default: .number(256)), Param("context", default: .number(3)), Param("embedding", default: .number(16)),
                                Param("hidden", default: .number(128)), Param("seed", default: .number(0))],
                        doc: "mlp(vocab: 256, context: 3, embedding: 16, hidden: 128, seed: 0) is an MLP language model (Bengio et al. 2003): the embeddings of the last context tokens, concatenated, through one GELU hidden layer.") { args in
            let c = MLPConfig(vocab: try args.int("vocab"), context: try args.int("context"), embedding: try args.int("embedding"), hidden: try args.int("hidden"))
            return .object(ModelValue(try translatingErrors { try MLPModel(config: c, seed: try seedArgument(args, "seed")) }))
        }
        interp.register("adamw", [Param("lr", default: .number(3e-4)), Param("weight_decay", default: .number(0.1)), Param("betas", default: .nil),
                                  Param("eps", default: .number(1e-8)), Param("clip", default: .number(1)), Param("warmup", default: .number(0)),
                                  Param("cosine", default: .nil), Param("min_lr", default: .number(0))],
                        doc: "adamw(lr: 3e-4, weight_decay: 0.1, betas: [0.9, 0.95], eps: 1e-8, clip: 1, warmup: 0, cosine: nil, min_lr: 0) is an AdamW optimizer (no decay on biases and LayerNorm gains). clip is the global gradient-norm limit (nil: no clipping). warmup: n ramps the rate up linearly over n steps; cosine: total decays it along a cosine to min_lr at step total.") { args in
            var betas: (Float, Float) = (0.9, 0.95)
            if !args.isNil("betas") {
                let b = try args.list("betas").items
                guard b.count == 2, case .number(let b1) = b[0], case .number(let b2) = b[1] else { throw args.fail("betas", "a list of two numbers like [0.9, 0.95]") }
                betas = (Float(b1), Float(b2))
            }
            let clip: Float? = args.isNil("clip") ? nil : Float(try args.number("clip"))
            let warmup = try args.int("warmup")
            guard warmup >= 0 else { throw RuntimeError("adamw: warmup must be >= 0, got \(warmup)") }
            let schedule: LearningRateSchedule
            if let total = try args.optionalInt("cosine") {
                schedule = .cosine(warmupSteps: warmup, totalSteps: total, floor: Float(try args.number("min_lr")))
            } else {
                schedule = warmup > 0 ? .warmup(steps: warmup) : .constant
            }
            return .object(OptimizerValue(try translatingErrors {
                try AdamW(learningRate: Float(try args.number("lr")), betas: betas, epsilon: Float(try args.number("eps")),
                          weightDecay: Float(try args.number("weight_decay")), clipNorm: clip, schedule: schedule)
            }))
        }
        interp.register("load_optimizer", [Param("path"), Param("model")],
                        doc: "load_optimizer(path, model) is the AdamW optimizer saved in a checkpoint by save(model, path, optimizer: opt), with its moments and step count restored for model.") { args in
            let path = try args.string("path")
            guard case .object(let mv as ModelValue) = args["model"] else { throw args.fail("model", "a model") }
            let file = try translatingErrors { try SafeTensors.read(path: path) }
            guard file.metadata["optimizer"] != nil else { throw RuntimeError("load_optimizer: \(path) holds no optimizer state (save it with save(model, path, optimizer: opt))") }
            let o = try translatingErrors { try AdamW() }
            try translatingErrors { try o.restore(metadata: file.metadata, tensors: file.tensors, for: mv.model.parameters) }
            return .object(OptimizerValue(o))
        }
    }
}
