// fuzz-safetensors: bytes -> the safetensors reader -> what `load` does with
// the file (a checkpoint builds its model; tensors are read and summed).
// A file the reader accepts must hold tensors whose element counts match
// their shapes, and writing them back must give a file that reads the same.
import FuzzSupport
import Models
import TensorCore

Fuzz.main(seeds: safetensorsSeeds) { input in
    Fuzz.expectingUserErrors("safetensors") {
        let file = try SafeTensors.decode(bytes: input)
        if Checkpoint.isCheckpoint(file) {
            let loaded = try Checkpoint.load(file: file, path: "<fuzz>")
            _ = loaded.model.parameterCount
            return
        }
        var entries: [(name: String, tensor: Tensor)] = []
        for name in file.names {
            guard let t = file.tensors[name] else { continue }
            Fuzz.require(t.shape.reduce(1, *) == t.count, "tensor \(name): shape \(t.shape) but \(t.count) elements")
            _ = t.toArray().reduce(0, +)
            entries.append((name, t))
        }
        let again = try SafeTensors.decode(bytes: try SafeTensors.encode(entries, metadata: file.metadata))
        Fuzz.require(again.names == entries.map(\.name), "names changed on a round trip")
        for (name, t) in entries {
            let back = again.tensors[name]!
            Fuzz.require(back.shape == t.shape, "tensor \(name): shape changed on a round trip")
            Fuzz.require(zip(back.toArray(), t.toArray()).allSatisfy { $0.bitPattern == $1.bitPattern },
                         "tensor \(name): values changed on a round trip")
        }
    }
}

/// Small valid files: a tensor, several dtypes' worth of tensors, a checkpoint.
func safetensorsSeeds() throws -> [(name: String, bytes: [UInt8])] {
    let t = try Tensor(shape: [2, 3], values: [1, -2, 3.5, 0, .infinity, -0.0])
    let u = try Tensor(shape: [4], values: [1, 2, 3, 4])
    let scalar = try Tensor(shape: [], values: [7])
    let empty = try Tensor(shape: [0, 3], values: [])
    var seeds: [(String, [UInt8])] = [
        ("tensor", try SafeTensors.encode([("tensor", t)], metadata: [:])),
        ("several", try SafeTensors.encode([("a", t), ("b", u), ("c", scalar), ("d", empty)], metadata: ["note": "seed"])),
    ]
    let path = Fuzz.scratchFile("checkpoint.safetensors", UnsafeRawBufferPointer(start: nil, count: 0))
    try Checkpoint.save(try Bigram(vocab: 5, seed: 1), to: path)
    seeds.append(("bigram-checkpoint", try Fuzz.readBytes(path)))
    try Checkpoint.save(try GPT(config: GPTConfig(layers: 1, heads: 1, dim: 4, context: 4, vocab: 6), seed: 1), to: path)
    seeds.append(("gpt-checkpoint", try Fuzz.readBytes(path)))
    return seeds
}
