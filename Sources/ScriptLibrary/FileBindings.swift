// FileBindings: save() and load(), the language's safetensors files —
// tensors, dicts of tensors and model checkpoints (with optimizer state).
// Run files (run.save, load_run) are in RunBindings.swift.
//
// What stays true here: files are written atomically; loading never runs
// anything from the file; a checkpoint is recognised by its metadata.
import Models
import Script
import TensorCore

// MARK: - Checkpoints

/// Writes a model checkpoint (and the optimizer's state when given).
func saveCheckpoint(_ m: any LanguageModel, path: String, optimizer: AdamW?) throws {
    try translatingErrors { try Checkpoint.save(m, to: path, optimizer: optimizer) }
}

/// The model of a checkpoint file already read.
func modelFromCheckpoint(_ file: SafeTensorsFile, path: String) throws -> any LanguageModel {
    try translatingErrors { try Checkpoint.load(file: file, path: path).model }
}

// MARK: - save and load

extension ScriptLibrary {
    static func installFileFunctions(into interp: Interpreter) {
        interp.register("save", [Param("value"), Param("path"), Param("optimizer", default: .nil)],
                        doc: "save(value, path, optimizer: nil) writes a safetensors file (atomically): a tensor (stored under the name \"tensor\"), a dict of tensors (its keys are the names), or a model checkpoint (parameters with nanoGPT-style names, the config in the metadata, and the optimizer's state when given). Python's safetensors reads it.") { args in
            let path = try args.string("path")
            switch args["value"] {
            case .object(let t as TensorValue):
                try translatingErrors { try SafeTensors.write([("tensor", t.tensor)], to: path) }
            case .dict(let d):
                var entries: [(name: String, tensor: Tensor)] = []
                for i in 0..<d.count {
                    guard case .string(let k) = d.keys[i] else { throw RuntimeError("save: dict keys must be strings (tensor names), got \(reprString(d.keys[i]))") }
                    entries.append((k.value, try tensorArgument(d.values[i], op: "save")))
                }
                try translatingErrors { try SafeTensors.write(entries, to: path) }
            case .object(let m as ModelValue):
                try saveCheckpoint(m.model, path: path, optimizer: try optimizerArgument(args, "optimizer"))
            default:
                throw args.fail("value", "a tensor, a dict of tensors or a model")
            }
            return .nil
        }
        interp.register("load", [Param("path")],
                        doc: "load(path) reads a safetensors file: a model when it is a checkpoint (its metadata names the model), the tensor when it holds one tensor named \"tensor\", else a dict of its tensors (in file order). Loading never runs anything from the file.") { args in
            let path = try args.string("path")
            let file = try translatingErrors { try SafeTensors.read(path: path) }
            if Checkpoint.isCheckpoint(file) { return .object(ModelValue(try modelFromCheckpoint(file, path: path))) }
            if file.names == ["tensor"], let t = file.tensors["tensor"] { return try wrapTensor(t) }
            let d = DictObject()
            for n in file.names { if let t = file.tensors[n] { d.set(n, try wrapTensor(t)) } }
            return .dict(d)
        }
    }
}
