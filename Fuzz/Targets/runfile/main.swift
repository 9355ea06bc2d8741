// fuzz-runfile: bytes -> Run.load (a run file, as load_run reads it) against
// one fixed dataset and schedule -> two more training steps. A file the
// loader accepts must train on: every counter, table and tensor in it has
// been checked, so nothing it holds can trap the trainer.
import Data
import FuzzSupport
import Models
import Schedules
import TensorCore

/// The dataset and schedule every seed was saved with (the loader refuses
/// a file made on other data or another schedule before reading much else).
let fuzzData: Dataset = {
    var g = RandomGenerator(seed: 11)
    let context = 4, blocks = 24
    let n = blocks * context + 1
    let tokens = (0..<n).map { i in Float(g.nextInt(below: 8) == 0 ? g.nextInt(below: 12) : (i * 5) % 12) }
    return try! Dataset(tokens: Tensor(shape: [n], values: tokens), context: context, val: 0.25, seed: 3, vocab: 12)
}()

func fuzzSchedule() -> Schedule {
    Schedule([.phase(.learn(.epochs(1))), .phase(.focus(.epochs(1), drop: 0.5)),
              .repeated(2, [.phase(.review(.steps(3)))])])
}

Fuzz.main(seeds: runSeeds) { input in
    let path = Fuzz.scratchFile("run.safetensors", input)
    Fuzz.expectingUserErrors("run file") {
        // No overrides: the file's own evaluation and logging settings are read too.
        let run = try Run.load(path: path, data: fuzzData, schedule: fuzzSchedule())
        let start = run.step
        _ = try run.advance(stopWhen: { $0.step >= start + 2 })
        Fuzz.require(run.step <= start + 2, "the loaded run trained \(run.step - start) steps, not at most 2")
    }
}

/// Runs of three model kinds saved before their first step, mid-phase, in
/// the focus phase (weighted or masked blocks chosen) and finished.
func runSeeds() throws -> [(name: String, bytes: [UInt8])] {
    var seeds: [(String, [UInt8])] = []
    let models: [(String, () throws -> any LanguageModel)] = [
        ("gpt", { try GPT(config: GPTConfig(layers: 1, heads: 1, dim: 8, context: 4, vocab: 12), seed: 1) }),
        ("bigram", { try Bigram(vocab: 12, seed: 1) }),
        ("mlp", { try MLPModel(config: MLPConfig(vocab: 12, context: 4, embedding: 4, hidden: 8), seed: 1) }),
    ]
    let path = Fuzz.scratchFile("seed.safetensors", UnsafeRawBufferPointer(start: nil, count: 0))
    for (kind, make) in models {
        for stop in [0, 3, 9, -1] {
            var config = TrainerConfig()
            config.batch = 3
            config.evalEvery = 4
            config.evalBlocks = 2
            let run = try Run(model: make(), optimizer: AdamW(learningRate: 1e-2), data: fuzzData,
                              schedule: fuzzSchedule(), config: config)
            _ = try run.advance(stopWhen: { stop >= 0 && $0.step >= stop })
            try run.save(to: path)
            seeds.append(("\(kind)-step\(stop < 0 ? "end" : String(stop))", try Fuzz.readBytes(path)))
        }
    }
    return seeds
}
