// CompletionSourceTests: the interpreter side of Tab completion (ScriptHost):
// members, parameter names, names; and that none of it runs code.
import Testing
import Script
@testable import lfr_repl

/// A native value that counts how often its members are read.
private final class Probe: NativeObject {
    var memberReads = 0
    override var typeName: String { "probe" }
    override var memberNames: [String] { ["alpha", "beta"] }
    override func getMember(_ name: String) throws -> Value {
        memberReads += 1
        return .number(1)
    }
}

@Suite("completion source")
struct CompletionSourceTests {
    @Test("members of a native value come from memberNames, without reading any member")
    func nativeMembersWithoutSideEffects() throws {
        let host = try ScriptHost(arguments: [])
        let probe = Probe()
        host.setGlobal("p", .object(probe))
        try host.evaluate("let holder = {inner: p}", file: "<test>")
        #expect(completionCandidates(completionContext("p."), source: host).candidates == ["alpha", "beta"])
        #expect(completionCandidates(completionContext("holder.inner.a"), source: host).candidates == ["alpha"])
        // Going through a native value's member would need its getter: no candidates instead.
        #expect(completionCandidates(completionContext("p.alpha."), source: host).candidates.isEmpty)
        #expect(completionCandidates(completionContext("warmup(p.b"), source: host).candidates == ["beta"])
        #expect(probe.memberReads == 0)
    }

    @Test("members of members: through the members a value declares completable, and no others")
    func membersOfMembers() throws {
        let host = try ScriptHost(arguments: [])
        try host.evaluate("""
            let d = dataset(text_corpus("hello world hello world hello world"), tokenizer: "chars", context: 4)
            let m = gpt(vocab: d.vocab, context: 8, layers: 1, heads: 1, dim: 8)
            let run = train(m, d, learn(steps: 1), batch: 2)
            """, file: "<test>")
        #expect(completionCandidates(completionContext("m.config.la"), source: host).candidates == ["layers"])
        #expect(completionCandidates(completionContext("d.tokenizer.vo"), source: host).candidates == ["vocab"])
        #expect(completionCandidates(completionContext("run.stats.first"), source: host).candidates == ["first_loss"])
        #expect(completionCandidates(completionContext("run.model.config.hea"), source: host).candidates == ["heads"])
        // Named arguments of methods.
        let generate = completionCandidates(completionContext("m.generate(\"hi\", te"), source: host).candidates
        #expect(generate.first == "temperature: ")
        let save = completionCandidates(completionContext("run.model.save(\"m.safetensors\", "), source: host).candidates
        #expect(save.prefix(2) == ["path: ", "optimizer: "])
        // A member that is not declared completable is never read (run.val_loss is a number anyway).
        #expect(completionCandidates(completionContext("run.curve.x"), source: host).candidates.isEmpty)
    }

    @Test("dict keys and methods, list methods")
    func builtinMembers() throws {
        let host = try ScriptHost(arguments: [])
        try host.evaluate("let cfg = {lr: 1, layers: 2}\nlet xs = [1]", file: "<test>")
        let cfg = completionCandidates(completionContext("cfg.l"), source: host).candidates
        #expect(cfg.contains("lr") && cfg.contains("layers"))
        #expect(completionCandidates(completionContext("xs.pu"), source: host).candidates == ["push"])
    }

    @Test("named arguments of lfr functions and builtins come first, as `name: `")
    func namedArguments() throws {
        let host = try ScriptHost(arguments: [])
        try host.evaluate("fn train(model, data, batch: 16, seed: 1) { batch }", file: "<test>")
        let c = completionCandidates(completionContext("train(m, d, "), source: host).candidates
        #expect(Array(c.prefix(4)) == ["model: ", "data: ", "batch: ", "seed: "])
        #expect(completionCandidates(completionContext("train(m, d, se"), source: host).candidates.first == "seed: ")
        let range = completionCandidates(completionContext("range(1, st"), source: host).candidates
        #expect(range.contains("stop: ") && range.contains("step: "))
        // A label already given is not offered again; the others still come first.
        let text = "train(m, d, batch: 8, "
        let rest = completionCandidates(completionContext(text), source: host, given: givenNamedArguments(text)).candidates
        #expect(Array(rest.prefix(3)) == ["model: ", "data: ", "seed: "])
        #expect(!rest.contains("batch: "))
    }

    @Test("names: keywords and globals; names starting with _ only when asked for")
    func names() throws {
        let host = try ScriptHost(arguments: [])
        try host.evaluate("let _hidden = 1\nlet visible = 2", file: "<test>")
        let all = completionCandidates(completionContext(""), source: host).candidates
        #expect(all.contains("while") && all.contains("visible") && all.contains("print"))
        #expect(!all.contains("_hidden"))
        #expect(completionCandidates(completionContext("_hi"), source: host).candidates == ["_hidden"])
    }

    @Test(":vars lists only what the user bound, not builtins or the prelude")
    func userGlobals() throws {
        let host = try ScriptHost(arguments: [])
        #expect(host.userGlobals().isEmpty)
        try host.evaluate("let a = 1\nfn f() { 2 }", file: "<test>")
        host.setGlobal("_", .number(3))
        #expect(host.userGlobals().map(\.name) == ["a", "f"])
        #expect(host.summary(.str(String(repeating: "x", count: 500)), limit: 20).count == 20)
    }
}
