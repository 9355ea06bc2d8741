// CheckpointTests: save/load round trips (bit-identical resume with the
// optimizer), nanoGPT names in the file, and clear errors for mismatches.
import Testing
@testable import Models
import TensorCore
import Foundation

@Suite struct CheckpointTests {
    func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lfr-models-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    func batch(_ s: UInt64) throws -> TokenBatch {
        try TokenBatch(inputs: tokens(32, vocab: 11, seed: s), targets: tokens(32, vocab: 11, seed: s + 50),
                       batchSize: 4, sequenceLength: 8)
    }

    @Test func resumeFromCheckpointIsBitIdentical() throws {
        let cfg = GPTConfig(layers: 2, heads: 2, dim: 8, context: 8, vocab: 11)
        let m = try GPT(config: cfg, seed: 1)
        let opt = try AdamW(learningRate: 1e-2, schedule: .cosine(warmupSteps: 2, totalSteps: 10, floor: 1e-3))
        for s in 0..<3 { try m.step(batch(UInt64(s)), optimizer: opt) }
        let path = tempPath("resume.safetensors")
        try Checkpoint.save(m, to: path, optimizer: opt, metadata: ["note": "test"])

        let loaded = try Checkpoint.load(path: path)
        #expect(loaded.metadata["note"] == "test")
        #expect(loaded.metadata["layers"] == "2")
        guard let m2 = loaded.model as? GPT, let opt2 = loaded.optimizer else {
            Issue.record("expected a GPT with an optimizer"); return
        }
        #expect(opt2.step == 3)
        var a: [UInt32] = [], b: [UInt32] = []
        for s in 3..<6 {
            a.append(try m.step(batch(UInt64(s)), optimizer: opt).loss.mean.bitPattern)
            b.append(try m2.step(batch(UInt64(s)), optimizer: opt2).loss.mean.bitPattern)
        }
        #expect(a == b)

        // Into an existing model and optimizer.
        let m3 = try GPT(config: cfg, seed: 99)
        let opt3 = try AdamW()
        try Checkpoint.load(path: path, into: m3, optimizer: opt3)
        #expect(opt3.step == 3 && opt3.learningRate == 1e-2)
        #expect(try m3.step(batch(3), optimizer: opt3).loss.mean.bitPattern == a[0])
    }

    @Test func fileUsesNanoGPTNamesWithoutLMHead() throws {
        let m = try GPT(config: GPTConfig(layers: 1, heads: 2, dim: 8, context: 4, vocab: 5), seed: 1)
        let path = tempPath("names.safetensors")
        try Checkpoint.save(m, to: path)
        let f = try SafeTensors.read(path: path)
        #expect(f.tensors["transformer.h.0.attn.c_attn.weight"]?.shape == [24, 8])
        #expect(f.tensors["transformer.h.0.mlp.c_proj.weight"]?.shape == [8, 32])
        #expect(f.tensors["transformer.ln_f.bias"]?.shape == [8])
        #expect(f.tensors["lm_head.weight"] == nil)
        #expect(f.metadata["format"] == Checkpoint.format)
        #expect(f.metadata["optimizer"] == nil)
    }

    @Test func otherModelsRoundTrip() throws {
        let b = try Bigram(vocab: 11, seed: 3)
        let mlp = try MLPModel(config: MLPConfig(vocab: 11, context: 2, embedding: 3, hidden: 5), seed: 4)
        for model in [b, mlp] as [any LanguageModel] {
            let path = tempPath("\(model.kind).safetensors")
            try Checkpoint.save(model, to: path)
            let l = try Checkpoint.load(path: path).model
            #expect(l.kind == model.kind)
            #expect(try l.loss(batch(1)) == model.loss(batch(1)))
        }
    }

    @Test func mismatchesAreClearErrors() throws {
        let small = try GPT(config: GPTConfig(layers: 1, heads: 2, dim: 8, context: 4, vocab: 5), seed: 1)
        let path = tempPath("small.safetensors")
        try Checkpoint.save(small, to: path)
        let other = try GPT(config: GPTConfig(layers: 1, heads: 2, dim: 16, context: 4, vocab: 5), seed: 1)
        let before = other.parameters.named.map { $0.tensor.toArray() }
        do {
            try Checkpoint.load(path: path, into: other)
            Issue.record("expected an error")
        } catch let e as ModelError {
            #expect(e.description.contains("dim = 8"))
            #expect(e.description.contains("dim = 16"))
        }
        #expect(other.parameters.named.map { $0.tensor.toArray() } == before)   // untouched
        #expect(throws: ModelError.self) { try Checkpoint.load(path: path, into: small, optimizer: AdamW()) }
        #expect(throws: ModelError.self) { try Checkpoint.load(path: tempPath("missing.safetensors")) }
        // A file of another shape under the same config keys is caught per tensor.
        let bad = tempPath("bad.safetensors")
        var entries = small.parameters.named
        entries[0] = (entries[0].name, try Tensor(shape: [5, 7], repeating: 0))
        try SafeTensors.write(entries, metadata: small.config, to: bad)
        #expect(throws: ModelError.checkpoint(path: bad, message: "tensor transformer.wte.weight has shape [5, 7] in the file, the model needs [5, 8]")) {
            try Checkpoint.load(path: bad)
        }
    }
}
