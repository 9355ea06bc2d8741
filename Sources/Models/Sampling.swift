// Sampling: turning one row of logits into the next token id (temperature,
// top-k, seeded), shared by every model's `generate`.
// What stays true: temperature 0 means greedy (argmax, lowest id on ties);
// the draw uses one RandomGenerator double per token, so a seed fixes the text.
import TensorCore

#if canImport(Glibc)
import Glibc
#endif

enum Sampling {
    /// Checks generation arguments shared by every model.
    static func validate(prompt: [Int32], tokens: Int, temperature: Float, topK: Int?, vocab: Int) throws {
        guard !prompt.isEmpty else {
            throw ModelError.invalidArgument(op: "generate", message: "the prompt needs at least one token")
        }
        guard tokens >= 0 else {
            throw ModelError.invalidArgument(op: "generate", message: "tokens must be >= 0, got \(tokens)")
        }
        guard temperature >= 0, temperature.isFinite else {
            throw ModelError.invalidArgument(op: "generate", message: "temperature must be a finite number >= 0, got \(temperature)")
        }
        if let k = topK, k < 1 {
            throw ModelError.invalidArgument(op: "generate", message: "top_k must be >= 1, got \(k)")
        }
        for (i, t) in prompt.enumerated() where t < 0 || Int(t) >= vocab {
            throw ModelError.tokenOutOfRange(op: "generate", token: Int(t), position: i, vocab: vocab)
        }
    }

    /// Draws an id from softmax(logits / temperature), restricted to the
    /// `topK` largest logits when given. logits (V) is used as scratch.
    static func sample(logits z: UnsafeMutablePointer<Float>, vocab V: Int, temperature: Float, topK: Int?,
                       rng: inout RandomGenerator) throws -> Int32 {
        // A NaN or +inf logit leaves no distribution to draw from (the
        // softmax is NaN); every logit -inf leaves nothing to draw.
        var finite = 0
        for j in 0..<V {
            guard z[j] < .infinity else {
                throw ModelError.invalidArgument(
                    op: "generate", message: "cannot sample: logit \(j) is \(z[j]) (the model's weights are not finite)")
            }
            if z[j] > -.infinity { finite += 1 }
        }
        guard finite > 0 else {
            throw ModelError.invalidArgument(op: "generate", message: "cannot sample: every logit is -inf")
        }
        if temperature == 0 {
            var best = 0
            for j in 1..<max(V, 1) where z[j] > z[best] { best = j }
            return Int32(best)
        }
        var cutoff = -Float.infinity
        if let k = topK, k < V {
            var sorted = Array(UnsafeBufferPointer(start: z, count: V))
            sorted.sort(by: >)
            cutoff = sorted[k - 1]
        }
        let m = vmax(z, V)
        var probs = [Double](repeating: 0, count: V)
        var s: Double = 0
        for j in 0..<V where z[j] >= cutoff && z[j] > -.infinity {
            let e = exp(Double((z[j] - m) / temperature))
            probs[j] = e
            s += e
        }
        guard s.isFinite, s > 0 else {
            throw ModelError.invalidArgument(op: "generate", message: "cannot sample: the probabilities sum to \(s)")
        }
        let u = rng.nextDouble() * s
        var acc: Double = 0
        var last = 0
        for j in 0..<V where probs[j] > 0 {
            acc += probs[j]
            last = j
            if u < acc { return Int32(j) }
        }
        return Int32(last)
    }
}
