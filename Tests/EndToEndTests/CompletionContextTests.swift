// CompletionContextTests: what Tab completes, decided from the text before the cursor.
import Testing
@testable import lfr_repl

@Suite("completion context")
struct CompletionContextTests {
    @Test func names() {
        #expect(completionContext("pri") == .name(prefix: "pri", callee: nil))
        #expect(completionContext("let x = ") == .name(prefix: "", callee: nil))
        #expect(completionContext("x + y") == .name(prefix: "y", callee: nil))
    }

    @Test func members() {
        #expect(completionContext("model.") == .member(base: ["model"], prefix: ""))
        #expect(completionContext("print(cfg.l") == .member(base: ["cfg"], prefix: "l"))
        #expect(completionContext("a.b.c") == .member(base: ["a", "b"], prefix: "c"))
        #expect(completionContext("f(x).") == .nothing)
        #expect(completionContext("3.") == .nothing)
    }

    @Test func namedArguments() {
        #expect(completionContext("train(m, d, ba") == .name(prefix: "ba", callee: ["train"]))
        #expect(completionContext("model.generate(\"x\", t") == .name(prefix: "t", callee: ["model", "generate"]))
        // The innermost open bracket decides: inside a list there is no callee.
        #expect(completionContext("f([a") == .name(prefix: "a", callee: nil))
        #expect(completionContext("f(g(1), k") == .name(prefix: "k", callee: ["f"]))
        // Earlier lines of the entry count.
        #expect(completionContext("train(m,\n  d,\n  se") == .name(prefix: "se", callee: ["train"]))
    }

    @Test func stringsAndComments() {
        #expect(completionContext("load(\"data/sh") == .path("data/sh"))
        #expect(completionContext("\"done\" + x") == .name(prefix: "x", callee: nil))
        #expect(completionContext("\"a \\(b.c") == .member(base: ["b"], prefix: "c"))
        #expect(completionContext("\"a \\(b) rest") == .path("a \\(b) rest"))
        #expect(completionContext("x # comment wor") == .nothing)
        #expect(completionContext("\"\"\"multi\nline") == .path("multi\nline"))
    }

    @Test func commands() {
        #expect(completionContext(":lo") == .command(prefix: ":lo"))
        #expect(completionContext(":load data/x.l") == .path("data/x.l"))
        #expect(completionContext(":time fi") == .name(prefix: "fi", callee: nil))
        #expect(completionContext(":help pr") == .name(prefix: "pr", callee: nil))
        #expect(completionCandidates(.command(prefix: ":re"), source: nil).candidates == [":reload", ":reset", ":report"])
        // Every command :help lists completes, once.
        #expect(completionCandidates(.command(prefix: ":"), source: nil).candidates.filter { $0 == ":help" }.count == 1)
        #expect(completionCandidates(.command(prefix: ":ed"), source: nil).candidates == [":edit"])
    }

    @Test func wordBreaks() {
        #expect(!completionWordBreaks("load(\"a/b.").contains("."))
        #expect(completionWordBreaks("model.").contains("."))
    }

    @Test func namedArgumentsGiven() {
        #expect(givenNamedArguments("gpt(layers: 1, ") == ["layers"])
        #expect(givenNamedArguments("train(m, d, s, batch: 8, lr_schedule: \"a, b:\", ") == ["batch", "lr_schedule"])
        // Only the innermost open call counts, and labels inside nested brackets do not.
        #expect(givenNamedArguments("f(a: 1, g(b: 2, ") == ["b"])
        #expect(givenNamedArguments("f(a: {x: 1}, ") == ["a"])
        #expect(givenNamedArguments("f(a: 1)") == [])
        #expect(givenNamedArguments("[x, ") == [])
    }
}
