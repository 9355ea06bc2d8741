// ModelsGolden: the lfr half of scripts/torch-golden. Builds a small GPT
// from a seed, and writes to a folder: its initial weights and a token batch
// (init.safetensors), the loss and every gradient of that batch
// (grads.safetensors), and the weights after one AdamW step plus the loss
// after it (after.safetensors). The Python half loads the same weights into
// ../shared/bench/torch/gpt_train.py's GPT and compares.
import Foundation
import Models
import TensorCore

enum ModelsGolden {
    /// `lfr-bench models golden <folder>`
    static func run(_ folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let cfg = GPTConfig(layers: 2, heads: 4, dim: 64, context: 32, vocab: 256, bias: true)
        let B = 4, T = 32
        let model = try GPT(config: cfg, seed: 1234)
        var rng = RandomGenerator(seed: 99)
        let x = (0..<(B * T)).map { _ in Int32(rng.nextInt(below: cfg.vocab)) }
        let y = (0..<(B * T)).map { _ in Int32(rng.nextInt(below: cfg.vocab)) }
        let batch = try TokenBatch(inputs: x, targets: y, batchSize: B, sequenceLength: T)
        func ids(_ v: [Int32]) throws -> Tensor { try Tensor(shape: [B, T], values: v.map(Float.init)) }

        var meta = cfg.dictionary
        meta["batch"] = String(B)
        try SafeTensors.write(model.parameters.named + [("x", try ids(x)), ("y", try ids(y))],
                              metadata: meta, to: folder + "/init.safetensors")

        let opt = try AdamW(learningRate: 1e-3, betas: (0.9, 0.95), epsilon: 1e-8, weightDecay: 0.1, clipNorm: nil)
        let loss = try model.computeGradients(batch)
        let grads = model.parameters.specs.map { ($0.name, model.parameters.gradient($0)) }
        try SafeTensors.write(grads, metadata: [
            "loss": String(loss.mean),
            "per_sequence": loss.perSequence.map { String($0) }.joined(separator: ","),
        ], to: folder + "/grads.safetensors")
        try opt.update(model.parameters)
        let after = try model.loss(batch)
        try SafeTensors.write(model.parameters.named, metadata: ["loss": String(after.mean)],
                              to: folder + "/after.safetensors")
        print("lfr golden: loss \(loss.mean), after one step \(after.mean), wrote \(folder)")
    }
}
