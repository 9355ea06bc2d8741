// FLOPs: what a trained or a scored token costs in floating-point
// operations, so comparisons can charge a policy for its measurement passes.
//
// The convention is the PyTorch reference's (../shared/bench/torch/gpt_train.py,
// itself PaLM's and nanoGPT's):
//   per trained token  6 * N + 12 * L * C * T   (forward + backward)
//   per scored token   2 * N +  4 * L * C * T   (forward only)
// N counts the parameters that take part in a matrix product: every GPT
// parameter except the position table wpe (wte is counted once: it is the
// tied LM head). L is layers, C channels, T the sequence length actually run;
// the attention term counts the full T x T score and value products (no
// discount for the causal mask).
//
// What stays true: counts are pure functions of the model's shape and the
// sequence length; nothing here looks at data or time. Models without
// attention (bigram, MLP) are charged 6N / 2N with N all their parameters.

/// FLOPs per token for one model at one sequence length.
public struct FLOPs: Equatable, Sendable {
    /// Parameters that take part in a matrix product (N).
    public let matmulParameters: Int
    /// FLOPs per trained token (forward and backward).
    public let perTrainedToken: Double
    /// FLOPs per scored token (forward only: measurement passes, reference models, evaluation).
    public let perScoredToken: Double

    public init(matmulParameters N: Int, layers L: Int, channels C: Int, sequenceLength T: Int) {
        matmulParameters = N
        let attention = Double(L) * Double(C) * Double(T)
        perTrainedToken = 6 * Double(N) + 12 * attention
        perScoredToken = 2 * Double(N) + 4 * attention
    }

    /// The reference's N for a GPT config: all parameters but wpe.
    public static func matmulParameters(_ c: GPTConfig) -> Int {
        GPT.layout(c).filter { $0.name != "transformer.wpe.weight" }.reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// Costs of a GPT of config `c` run on sequences of `sequenceLength`
    /// tokens (the model's context when nil).
    public static func gpt(_ c: GPTConfig, sequenceLength: Int? = nil) -> FLOPs {
        FLOPs(matmulParameters: matmulParameters(c), layers: c.layers, channels: c.dim,
              sequenceLength: sequenceLength ?? c.context)
    }

    /// Costs of any model: a GPT by its config, other models as 6N / 2N over all parameters.
    public static func of(_ model: any LanguageModel, sequenceLength: Int) -> FLOPs {
        if let g = model as? GPT { return gpt(g.configuration, sequenceLength: sequenceLength) }
        return FLOPs(matmulParameters: model.parameters.count, layers: 0, channels: 0, sequenceLength: sequenceLength)
    }

    /// Total FLOPs of `trained` trained and `scored` scored tokens.
    public func total(trainedTokens trained: Int, scoredTokens scored: Int) -> Double {
        Double(trained) * perTrainedToken + Double(scored) * perScoredToken
    }
}
