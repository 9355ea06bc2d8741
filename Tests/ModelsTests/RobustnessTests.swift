// Regression tests: NaN logits reach the loss, sampling from a NaN or inf
// distribution is an error, model sizes are checked against memory before
// anything is built, and only real checkpoints with float weights load.
import Testing
import Foundation
@testable import Models
import TensorCore

@Suite struct ModelRobustnessTests {
    @Test func nanLogitsPropagateIntoTheLoss() throws {
        let m = try Bigram(vocab: 8, seed: 1)
        let batch = try TokenBatch(inputs: [0, 1, 2, 3], targets: [1, 2, 3, 4], batchSize: 1, sequenceLength: 4)
        #expect(try m.run(batch, gradientScale: nil).mean.isFinite)
        m.parameters.values[0 * 8 + 5] = .nan                  // row 0, a non-target logit
        #expect(try m.run(batch, gradientScale: nil).mean.isNaN)
        m.parameters.values[0 * 8 + 5] = -.infinity            // a mask stays valid
        #expect(try m.run(batch, gradientScale: nil).mean.isFinite)
        m.parameters.values[0 * 8 + 5] = .infinity
        #expect(try m.run(batch, gradientScale: nil).mean.isNaN)
    }

    @Test func samplingFromNaNOrInfIsAnError() throws {
        let m = try Bigram(vocab: 8, seed: 1)
        m.parameters.values[3] = .nan
        #expect(throws: ModelError.self) { try m.generate(prompt: [0], tokens: 1, temperature: 1, seed: 1) }
        #expect(throws: ModelError.self) { try m.generate(prompt: [0], tokens: 1, temperature: 0, seed: 1) }
        m.parameters.values[3] = .infinity
        #expect(throws: ModelError.self) { try m.generate(prompt: [0], tokens: 1, temperature: 1, seed: 1) }
        for i in 0..<8 { m.parameters.values[i] = -.infinity }
        #expect(throws: ModelError.self) { try m.generate(prompt: [0], tokens: 1, temperature: 1, seed: 1) }
        #expect(try m.generate(prompt: [1], tokens: 3, temperature: 1, seed: 1).count == 3)
    }

    @Test func modelsLargerThanMemoryAreRefusedBeforeAllocating() throws {
        // 19 layers of dim 4096: 3.8e9 parameters, 61 GB with gradients and moments.
        let meta = ["model": "gpt", "layers": "19", "heads": "4", "dim": "4096", "context": "16", "vocab": "256", "bias": "true"]
        do {
            _ = try Checkpoint.makeModel(config: meta)
            Issue.record("a 61 GB model was built")
        } catch let e as ModelError {
            #expect(e.description.contains("not enough memory"))
        }
        // A batch whose attention activations (16000 x 8 heads x 1024^2
        // floats, twice: about 1 TB) cannot fit: refused, not aborted.
        let g = try GPT(config: GPTConfig(layers: 1, heads: 8, dim: 8, context: 1024, vocab: 16), seed: 0)
        let B = 16_000, T = 1024
        let ids = [Int32](repeating: 1, count: B * T)
        let big = try TokenBatch(inputs: ids, targets: ids, batchSize: B, sequenceLength: T)
        #expect(throws: TensorError.self) { try g.run(big, gradientScale: 1) }
    }

    @Test func onlyRealCheckpointsWithFloatWeightsLoad() throws {
        let f = SafeTensorsFile(names: ["x"], tensors: ["x": Tensor(scalar: 1)], metadata: ["model": "gpt2-small"])
        #expect(!Checkpoint.isCheckpoint(f))
        let dir = NSTemporaryDirectory() + "lfr-robust-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try Bigram(vocab: 4, seed: 1)
        let path = dir + "/b.safetensors"
        try Checkpoint.save(m, to: path)
        let file = try SafeTensors.read(path: path)
        #expect(Checkpoint.isCheckpoint(file))
        // The same weights stored as BOOL are refused.
        let raw = try SafeTensors.readRaw(path: path)
        let w = raw.arrays[0]
        let asBool = SafeTensorsArray(name: w.name, dtype: "BOOL", shape: w.shape, bytes: [UInt8](repeating: 1, count: 16))
        try SafeTensors.writeRaw([asBool], metadata: raw.metadata, to: path)
        do {
            _ = try Checkpoint.load(path: path)
            Issue.record("BOOL weights loaded")
        } catch let e as ModelError {
            #expect(e.description.contains("BOOL"))
        }
    }
}
