// GPTConfig: the shape of a GPT (nanoGPT's GPTConfig, every default explained).
// What stays true: a config that passed `validate()` describes a model whose
// buffers can be laid out (positive sizes, heads dividing dim).

/// Hyper-parameters of a GPT.
public struct GPTConfig: Equatable, Sendable {
    /// Transformer blocks (nanoGPT's n_layer). 4: small enough to train on
    /// a laptop CPU in minutes, deep enough to learn structure.
    public var layers: Int = 4
    /// Attention heads per block (n_head); must divide `dim`. 4 heads of 32.
    public var heads: Int = 4
    /// Channels of the residual stream (n_embd). 128: config "T"-like width.
    public var dim: Int = 128
    /// Length of the position table (block_size): the longest sequence. 128.
    public var context: Int = 128
    /// Token ids are 0 ..< vocab. 256: raw bytes, lfr's default tokenizer.
    public var vocab: Int = 256
    /// Biases in the Linear layers and LayerNorms (nanoGPT's `bias`). true,
    /// as GPT-2 and the PyTorch reference.
    public var bias: Bool = true

    public init(layers: Int = 4, heads: Int = 4, dim: Int = 128, context: Int = 128, vocab: Int = 256, bias: Bool = true) {
        self.layers = layers
        self.heads = heads
        self.dim = dim
        self.context = context
        self.vocab = vocab
        self.bias = bias
    }

    /// Throws a clear error for sizes that cannot make a model.
    public func validate() throws {
        func bad(_ m: String) -> ModelError { .invalidConfig(model: "gpt", message: m) }
        if layers < 1 { throw bad("layers must be >= 1, got \(layers)") }
        if heads < 1 { throw bad("heads must be >= 1, got \(heads)") }
        if dim < 1 { throw bad("dim must be >= 1, got \(dim)") }
        if dim % heads != 0 { throw bad("heads (\(heads)) must divide dim (\(dim)); \(dim) / \(heads) is not a whole head size") }
        if context < 1 { throw bad("context must be >= 1, got \(context)") }
        if vocab < 1 || vocab > Int(Int32.max) { throw bad("vocab must be in 1 ... \(Int32.max), got \(vocab)") }
        // Keep every buffer size far from Int overflow (and from absurd memory).
        let params = Double(vocab + context) * Double(dim) + Double(layers) * 12 * Double(dim) * Double(dim)
        if params > 4e9 { throw bad("\(Int(params)) parameters is more than this implementation supports") }
    }

    /// As strings for checkpoint metadata and printing.
    public var dictionary: [String: String] {
        ["model": "gpt", "layers": String(layers), "heads": String(heads), "dim": String(dim),
         "context": String(context), "vocab": String(vocab), "bias": String(bias)]
    }

    /// Parses `dictionary` back (checkpoint metadata).
    public init(dictionary d: [String: String]) throws {
        func int(_ k: String) throws -> Int {
            guard let s = d[k], let v = Int(s) else {
                throw ModelError.invalidConfig(model: "gpt", message: "metadata lacks an integer \(k)")
            }
            return v
        }
        guard let b = d["bias"], let bias = Bool(b) else {
            throw ModelError.invalidConfig(model: "gpt", message: "metadata lacks bias (true/false)")
        }
        self.init(layers: try int("layers"), heads: try int("heads"), dim: try int("dim"),
                  context: try int("context"), vocab: try int("vocab"), bias: bias)
        try validate()
    }
}
