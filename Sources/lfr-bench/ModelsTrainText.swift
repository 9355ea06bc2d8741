// ModelsTrainText: a test-free example that trains a small byte-level GPT on
// real text and prints the loss curve (the "loss from ~5.5 to < 2.0 in a few
// minutes" demonstration; not a benchmark and not a test).
//   lfr-bench models train-text <file>... [--bytes n] [--steps n] [--layers n]
//       [--dim n] [--context n] [--batch n] [--lr x] [--seed n]
// The first 90% of the bytes train (random blocks of context + 1), the rest
// validate.
import Foundation
import Models
import TensorCore

enum ModelsTrainText {
    static func run(_ args: [String]) throws {
        setvbuf(stdout, nil, _IOLBF, 0)                    // one line at a time, also into a file
        var files: [String] = []
        var opts: [String: String] = [:]
        var i = 0
        while i < args.count {
            if args[i].hasPrefix("--"), i + 1 < args.count { opts[String(args[i].dropFirst(2))] = args[i + 1]; i += 2 }
            else { files.append(args[i]); i += 1 }
        }
        func int(_ k: String, _ d: Int) -> Int { opts[k].flatMap { Int($0) } ?? d }
        let maxBytes = int("bytes", 400_000), steps = int("steps", 600), B = int("batch", 16)
        let cfg = GPTConfig(layers: int("layers", 4), heads: 4, dim: int("dim", 128), context: int("context", 128), vocab: 256)
        let lr = opts["lr"].flatMap { Float($0) } ?? 2e-3
        var text: [Int32] = []
        for f in files where text.count < maxBytes {
            let d = try Data(contentsOf: URL(fileURLWithPath: f))
            text += d.prefix(maxBytes - text.count).map { Int32($0) }
        }
        let L = cfg.context + 1
        guard text.count > 20 * L else { print("train-text: need more text (got \(text.count) bytes)"); return }
        let split = text.count * 9 / 10
        Parallel.workers = 2
        let model = try GPT(config: cfg, seed: UInt64(int("seed", 1)))
        let opt = try AdamW(learningRate: lr, betas: (0.9, 0.95), weightDecay: 0.1, clipNorm: 1.0,
                            schedule: .cosine(warmupSteps: 50, totalSteps: steps, floor: lr / 10))
        var rng = RandomGenerator(seed: 7)
        print("train-text: \(text.count) bytes from \(files.count) files, \(model), batch \(B)")
        let valBlocks = Array(text[split..<(split + min(text.count - split, 32 * L) / L * L)])
        func val() throws -> Float {
            try valBlocks.withUnsafeBufferPointer { try model.evaluate(blocks: $0, blockLength: L, batchSize: 16).mean }
        }
        print("step 0: val loss \(try val())")
        let start = Date()
        for s in 1...steps {
            var blocks: [Int32] = []
            blocks.reserveCapacity(B * L)
            for _ in 0..<B {
                let o = rng.nextInt(below: split - L)
                blocks += text[o..<(o + L)]
            }
            let r = try model.step(TokenBatch(blocks: blocks, blockLength: L), optimizer: opt)
            if s % 50 == 0 || s == 1 {
                let t = Date().timeIntervalSince(start)
                print(String(format: "step %d: train loss %.3f, lr %.2e, %.0f s", s, r.loss.mean, r.learningRate, t))
            }
            if Interrupt.isRequested { break }
        }
        print(String(format: "final: val loss %.3f after %.0f s", try val(), Date().timeIntervalSince(start)))
        let prompt = Array("ROMEO:".utf8).map { Int32($0) }
        let sample = try model.generate(prompt: prompt, tokens: 200, temperature: 0.8, topK: 40, seed: 1)
        print("sample: " + String(decoding: (prompt + sample).map { UInt8($0) }, as: UTF8.self))
    }
}
