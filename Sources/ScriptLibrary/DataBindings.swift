// DataBindings: corpora, tokenizers and datasets as language values —
// corpus(path), dataset(...), bpe(vocab:), chars(), load_tokenizer(path),
// nanoGPT token files (load_bin, save_bin, dataset("train.bin")), and the
// members of each (data.vocab, data.block(i), data.decode(ids), ...).
//
// What stays true here: every value wraps one Data object and never copies
// its tokens (a dataset's printed summary and its counts are O(1)); a
// tokenizer value is either trained (it encodes) or a recipe such as
// bpe(vocab: 512) that dataset(...) trains on its corpus; every Data error
// reaches the user with its own message (file, byte offset, block id).
import Script
import TensorCore
import Data

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Values

public final class CorpusValue: NativeObject {
    public let corpus: Corpus
    public init(_ corpus: Corpus) { self.corpus = corpus }

    public override var typeName: String { "corpus" }
    public override var description: String {
        let c = corpus
        return "corpus: \(c.source) (\(c.documents.count) document\(c.documents.count == 1 ? "" : "s"), \(c.byteCount) bytes)"
    }
    public override var memberNames: [String] { CorpusValue.members }
    static let members = ["bytes", "documents", "files", "source", "text"]
    public override var helpText: String {
        "corpus: text to train on, made by corpus(path) from a file, a folder (its *.txt files, recursively, sorted) or a list of paths. Members: bytes (count), documents (count), files (the document names), source, text (the whole text as a string)."
    }

    public override func getMember(_ name: String) throws -> Value {
        let c = corpus
        switch name {
        case "bytes": return .number(Double(c.byteCount))
        case "documents": return .number(Double(c.documents.count))
        case "files": return .list(c.documents.map { .str($0.name) })
        case "source": return .str(c.source)
        case "text": return .str(String(decoding: c.bytes, as: UTF8.self))
        default: throw noMember(name)
        }
    }
}

/// A tokenizer, trained (it encodes) or a recipe that dataset(...) trains on its corpus.
public final class TokenizerValue: NativeObject {
    public enum State {
        case trained(any Tokenizer)
        case recipe(TokenizerSpec, String)
    }
    public let state: State
    public init(_ state: State) { self.state = state }
    public convenience init(_ tokenizer: any Tokenizer) { self.init(.trained(tokenizer)) }

    /// The spec dataset(...) uses.
    var spec: TokenizerSpec {
        switch state {
        case .trained(let t): return .tokenizer(t)
        case .recipe(let s, _): return s
        }
    }

    func trained(op: String) throws -> any Tokenizer {
        switch state {
        case .trained(let t): return t
        case .recipe(_, let text):
            throw RuntimeError("\(op): \(text) is not trained yet: give it to dataset(corpus, tokenizer: ...) or pass corpus: to train it")
        }
    }

    public override var typeName: String { "tokenizer" }
    public override var description: String {
        switch state {
        case .trained(let t): return "tokenizer: \(t.summary)"
        case .recipe(_, let text): return "tokenizer: \(text) (untrained)"
        }
    }
    public override var memberNames: [String] { TokenizerValue.members }
    static let members = ["decode", "encode", "kind", "save", "trained", "vocab"]
    public override var helpText: String {
        "tokenizer: turns text into token ids and back: \"bytes\" (256 ids), chars(corpus) (one id per character seen), bpe(vocab: N, corpus: c) (byte-level BPE). Members: kind, vocab, trained; encode(text) gives a tensor of ids, decode(ids) the text, save(path) writes JSON (load_tokenizer(path) reads it)."
    }

    public override func getMember(_ name: String) throws -> Value {
        switch name {
        case "trained": if case .trained = state { return .bool(true) } else { return .bool(false) }
        case "kind":
            switch state {
            case .trained(let t): return .str(t.kind)
            case .recipe(let s, _):
                switch s { case .bytes: return .str("bytes"); case .chars: return .str("chars"); case .bpe: return .str("bpe"); case .tokenizer(let t): return .str(t.kind) }
            }
        case "vocab":
            switch state {
            case .trained(let t): return .number(Double(t.vocabSize))
            case .recipe(let s, _): if case .bpe(let v) = s { return .number(Double(v)) } else { return .nil }
            }
        case "encode":
            let t = try trained(op: "encode")
            return .native(NativeFunction(name: "encode", parameters: [Param("text")], doc: "tokenizer.encode(text) is the 1-d tensor of the text's token ids.") { args in
                try wrapTensor(Tensor(try translatingErrors { try t.encode(try args.string("text")) }.map { Float($0) }))
            })
        case "decode":
            let t = try trained(op: "decode")
            return .native(NativeFunction(name: "decode", parameters: [Param("ids")], doc: "tokenizer.decode(ids) is the text of a tensor or list of token ids.") { args in
                let (ids, _) = try idsArgument(args["ids"], op: "decode", name: "ids")
                return .str(try translatingErrors { try t.decode(ids) })
            })
        case "save":
            let t = try trained(op: "save")
            return .native(NativeFunction(name: "save", parameters: [Param("path")], doc: "tokenizer.save(path) writes the tokenizer as JSON (atomically).") { args in
                try translatingErrors { try t.save(to: try args.string("path")) }
                return .nil
            })
        default: throw noMember(name)
        }
    }
}

public final class DatasetValue: NativeObject {
    public let dataset: Dataset
    public init(_ dataset: Dataset) { self.dataset = dataset }

    public override var typeName: String { "dataset" }
    public override var description: String { dataset.description }
    public override var summary: String {
        "dataset: \(dataset.blockCount) blocks of \(dataset.blockLength) tokens, vocab \(dataset.vocabSize)"
    }
    public override var memberNames: [String] { DatasetValue.members }
    public override var completableMembers: Set<String> { ["tokenizer"] }
    static let members = ["batch", "block", "blocks", "context", "decode", "encode", "save_bins", "tokenizer", "tokens",
                          "train_blocks", "train_ids", "val", "val_blocks", "val_ids", "vocab"]
    public override var helpText: String {
        """
        dataset: a token stream cut into blocks of context + 1 tokens (block i is one training sequence: inputs and \
        targets shifted by one), with stable block ids and a train/validation split by whole blocks. Members: vocab, \
        context, tokens (count), blocks, train_blocks, val_blocks (counts), train_ids, val_ids (tensors of block ids), \
        val (the validation fraction), tokenizer; block(i) is a tensor of context + 1 ids, batch(ids) a [B, context + 1] \
        tensor; encode(text) and decode(ids) use the tokenizer; save_bins(folder) writes nanoGPT's train.bin/val.bin.
        """
    }

    public override func length() throws -> Int? { dataset.blockCount }

    public override func getMember(_ name: String) throws -> Value {
        let d = dataset
        switch name {
        case "vocab": return .number(Double(d.vocabSize))
        case "context": return .number(Double(d.contextLength))
        case "tokens": return .number(Double(d.tokenCount))
        case "blocks": return .number(Double(d.blockCount))
        case "train_blocks": return .number(Double(d.trainIDs.count))
        case "val_blocks": return .number(Double(d.valIDs.count))
        case "train_ids": return try wrapTensor(Tensor(d.trainIDs.map { Float($0) }))
        case "val_ids": return try wrapTensor(Tensor(d.valIDs.map { Float($0) }))
        case "val": return .number(d.info.valFraction)
        case "tokenizer": return d.tokenizer.map { .object(TokenizerValue($0)) } ?? .nil
        case "block":
            return .native(NativeFunction(name: "block", parameters: [Param("id")], doc: "data.block(i) is block i as a 1-d tensor of context + 1 token ids.") { args in
                let i = try args.int("id")
                guard i >= 0, i < d.blockCount else { throw RuntimeError("block: block id \(i) is outside 0..<\(d.blockCount)") }
                return try wrapTensor(try translatingErrors { try d.blockTensor(i) })
            })
        case "batch":
            return .native(NativeFunction(name: "batch", parameters: [Param("ids")], doc: "data.batch(ids) is the blocks with the given ids as a [B, context + 1] tensor (x = batch[:, :-1], y = batch[:, 1:]).") { args in
                let (ids, shape) = try idsArgument(args["ids"], op: "batch", name: "ids")
                guard shape.count <= 1 else { throw RuntimeError("batch: ids must be a 1-d list of block ids, got shape \(shape)") }
                for i in ids where i < 0 || Int(i) >= d.blockCount {
                    throw RuntimeError("batch: block id \(i) is outside 0..<\(d.blockCount)")
                }
                try checkElementCount(ids.count * d.blockLength, op: "batch")
                return try wrapTensor(try translatingErrors { try d.batchTensor(ids) })
            })
        case "encode":
            return .native(NativeFunction(name: "encode", parameters: [Param("text")], doc: "data.encode(text) is the text's token ids (a 1-d tensor) with the dataset's tokenizer.") { args in
                try wrapTensor(Tensor(try translatingErrors { try d.encode(try args.string("text")) }.map { Float($0) }))
            })
        case "decode":
            return .native(NativeFunction(name: "decode", parameters: [Param("ids")], doc: "data.decode(ids) is the text of a tensor or list of token ids with the dataset's tokenizer.") { args in
                let (ids, _) = try idsArgument(args["ids"], op: "decode", name: "ids")
                return .str(try translatingErrors { try d.decode(ids) })
            })
        case "save_bins":
            return .native(NativeFunction(name: "save_bins", parameters: [Param("folder")], doc: "data.save_bins(folder) writes nanoGPT's train.bin (and val.bin, and tokenizer.json) into folder.") { args in
                try translatingErrors { try d.writeBins(folder: try args.string("folder")) }
                return .nil
            })
        default: throw noMember(name)
        }
    }
}

// MARK: - Installing

extension ScriptLibrary {
    static func installDataBindings(into interp: Interpreter, host: LibraryHost) {
        interp.register("corpus", [Param("path")],
                        doc: "corpus(path) loads text: a file, a folder (every *.txt file under it, recursively, sorted by path, each one document) or a list of paths. The text must be valid UTF-8.") { args in
            switch args["path"] {
            case .string(let s): return .object(CorpusValue(host.noting(try translatingErrors { try Corpus.load(s.value) })))
            case .list(let l):
                let paths = try l.items.map { v -> String in
                    guard case .string(let s) = v else { throw RuntimeError("corpus: a list of paths must hold strings, got a \(typeName(v))") }
                    return s.value
                }
                return .object(CorpusValue(host.noting(try translatingErrors { try Corpus.load(paths: paths) })))
            default: throw args.fail("path", "a path or a list of paths")
            }
        }
        interp.register("text_corpus", [Param("text"), Param("name", default: .string("<text>"))],
                        doc: "text_corpus(text, name: \"<text>\") is a one-document corpus from a string (for experiments and tests).") { args in
            .object(CorpusValue(try translatingErrors { try Corpus(text: try args.string("text"), name: try args.string("name")) }))
        }
        interp.register("bpe", [Param("vocab", default: .number(2048)), Param("corpus", default: .nil)],
                        doc: "bpe(vocab: 2048) is a byte-level BPE tokenizer recipe for dataset(corpus, tokenizer: bpe(vocab: 512)), which trains it on the corpus; bpe(vocab: N, corpus: c) trains it at once. Encoding and decoding round-trip any text.") { args in
            let v = try args.int("vocab")
            guard v >= 256 else { throw RuntimeError("bpe: vocab must be at least 256 (the byte tokens), got \(v)") }
            if args.isNil("corpus") { return .object(TokenizerValue(.recipe(.bpe(vocab: v), "bpe(vocab: \(v))"))) }
            guard case .object(let c as CorpusValue) = args["corpus"] else { throw args.fail("corpus", "a corpus") }
            return .object(TokenizerValue(try translatingErrors { try BPETokenizer(training: c.corpus, vocab: v) }))
        }
        interp.register("chars", [Param("corpus", default: .nil)],
                        doc: "chars() is a character tokenizer recipe (one id per character of the corpus, plus byte fallback), trained by dataset(...); chars(corpus) trains it at once.") { args in
            if args.isNil("corpus") { return .object(TokenizerValue(.recipe(.chars(byteFallback: true), "chars()"))) }
            guard case .object(let c as CorpusValue) = args["corpus"] else { throw args.fail("corpus", "a corpus") }
            return .object(TokenizerValue(try translatingErrors { try CharTokenizer(training: c.corpus) }))
        }
        interp.register("load_tokenizer", [Param("path")], doc: "load_tokenizer(path) reads a tokenizer saved with tokenizer.save(path).") { args in
            host.dataFilesRead?([try args.string("path")])
            return .object(TokenizerValue(try translatingErrors { try loadTokenizer(path: try args.string("path")) }))
        }
        interp.register("dataset", [Param("source"), Param("tokenizer", default: .string("bytes")), Param("context", default: .nil),
                                    Param("val", default: .number(0.1)), Param("seed", default: .number(0)),
                                    Param("within_documents", default: .bool(false)), Param("val_data", default: .nil), Param("vocab", default: .nil)],
                        doc: """
                        dataset(source, tokenizer: "bytes", context: 128, val: 0.1, seed: 0, within_documents: false, val_data: nil, vocab: nil) \
                        cuts tokens into blocks of context + 1. source is a corpus, a path (file or folder of text; a nanoGPT train.bin, with val.bin \
                        beside it as the split; or a folder holding train.bin), a list of paths, or a tensor of token ids (1-d: a stream; 2-d [N, context + 1]: \
                        N blocks, context: then defaults to N's row length - 1; vocab: defaults to the largest id + 1). tokenizer is "bytes", "chars", "bpe", bpe(vocab: N) or a tokenizer; \
                        val is the fraction of blocks held out (chosen by seed), or val_data: a separate corpus; within_documents keeps blocks inside files.
                        """) { args in
            try makeDataset(args, host: host)
        }
        interp.register("load_bin", [Param("path")],
                        doc: "load_bin(path) reads a nanoGPT token file (flat little-endian uint16) as a 1-d tensor of ids.") { args in
            let path = try args.string("path")
            let store = try translatingErrors { try NanoGPT.openBin(path) }
            host.dataFilesRead?([path])
            try checkElementCount(store.count, op: "load_bin")
            return try wrapTensor(Tensor(store.ids(0..<store.count).map { Float($0) }))
        }
        interp.register("save_bin", [Param("tokens"), Param("path")],
                        doc: "save_bin(tokens, path) writes token ids (a tensor or list of whole numbers below 65536) as a nanoGPT .bin file.") { args in
            let (ids, _) = try idsArgument(args["tokens"], op: "save_bin", name: "tokens")
            try translatingErrors { try NanoGPT.writeBin(ids, to: try args.string("path")) }
            return .nil
        }
    }

    private static func tokenizerSpec(_ v: Value) throws -> TokenizerSpec {
        switch v {
        case .string(let s): return try translatingErrors { try TokenizerSpec.named(s.value) }
        case .object(let t as TokenizerValue): return t.spec
        default: throw RuntimeError("dataset: tokenizer must be \"bytes\", \"chars\", \"bpe\", bpe(vocab: N) or a tokenizer, got \(typeName(v))")
        }
    }

    private static func makeDataset(_ args: Arguments, host: LibraryHost) throws -> Value {
        let givenContext = try args.optionalInt("context")
        let context = givenContext ?? 128
        let val = try args.number("val")
        let seed = try seedArgument(args, "seed")
        let within = try args.bool("within_documents")
        let vocab = try args.optionalInt("vocab")
        var corpus: Corpus
        switch args["source"] {
        case .object(let t as TensorValue):
            var tok: (any Tokenizer)? = nil
            if case .object(let tv as TokenizerValue) = args["tokenizer"] { tok = try tv.trained(op: "dataset") }
            return .object(DatasetValue(try translatingErrors { try Dataset(tokens: t.tensor, context: t.tensor.rank == 2 ? givenContext : context, val: val, seed: seed, vocab: vocab, tokenizer: tok) }))
        case .object(let c as CorpusValue): corpus = c.corpus
        case .string(let s):
            let path = s.value
            if path.hasSuffix(".bin") {
                var valBin: String? = nil
                if path == "train.bin" || path.hasSuffix("/train.bin") {
                    let sibling = String(path.dropLast("train.bin".count)) + "val.bin"
                    if access(sibling, F_OK) == 0 { valBin = sibling }
                }
                var tok: (any Tokenizer)? = nil
                if case .object(let tv as TokenizerValue) = args["tokenizer"] { tok = try tv.trained(op: "dataset") }
                host.dataFilesRead?([path] + (valBin.map { [$0] } ?? []))
                return .object(DatasetValue(try translatingErrors { try Dataset(trainBin: path, valBin: valBin, context: context, vocab: vocab, tokenizer: tok) }))
            }
            let dir = path.hasSuffix("/") ? path : path + "/"
            if access(dir + "train.bin", F_OK) == 0 {
                host.dataFilesRead?(["train.bin", "val.bin", "tokenizer.json"].map { dir + $0 }.filter { access($0, F_OK) == 0 })
                return .object(DatasetValue(try translatingErrors { try Dataset(binFolder: path, context: context, vocab: vocab) }))
            }
            corpus = host.noting(try translatingErrors { try Corpus.load(path) })
        case .list(let l):
            let paths = try l.items.map { v -> String in
                guard case .string(let s) = v else { throw RuntimeError("dataset: a list of paths must hold strings, got a \(typeName(v))") }
                return s.value
            }
            corpus = host.noting(try translatingErrors { try Corpus.load(paths: paths) })
        default:
            throw args.fail("source", "a corpus, a path, a list of paths or a tensor of token ids")
        }
        var valCorpus: Corpus? = nil
        switch args["val_data"] {
        case .nil: break
        case .object(let c as CorpusValue): valCorpus = c.corpus
        case .string(let s): valCorpus = host.noting(try translatingErrors { try Corpus.load(s.value) })
        default: throw args.fail("val_data", "a corpus or a path")
        }
        let spec = try tokenizerSpec(args["tokenizer"])
        _ = vocab
        return .object(DatasetValue(try translatingErrors {
            try Dataset(corpus: corpus, tokenizer: spec, context: context, val: val, seed: seed, valCorpus: valCorpus, withinDocuments: within)
        }))
    }
}
