// TopLevelTests: a script's top level cut into statement groups and comment
// blocks (for reports), and the claim reports rest on: running the groups
// in turn in one interpreter does what running the whole script does.
import Testing
@testable import Script

@Suite("top-level pieces")
struct TopLevelTests {
    func kinds(_ pieces: [TopLevelPiece]) -> [String] {
        pieces.map { "\($0.kind == .code ? "code" : "comment") \($0.firstLine)-\($0.lastLine)" }
    }

    @Test func groupsAndComments() throws {
        let source = """
            #!/usr/bin/env lfr-repl
            # Title
            #
            # Some *prose*.

            let a = 1
            let b = 2   # trailing comment stays code

            # Between.
            fn f(x) {
              # inside a body: code
              x + 1
            }
            print(f(a)); print(b)
            """
        let p = try TopLevel.pieces(of: source, file: "t.lfr")
        #expect(kinds(p) == ["comment 2-4", "code 6-7", "comment 9-9", "code 10-14"])
        #expect(p[0].text == "Title\n\nSome *prose*.")
        #expect(p[1].text == "let a = 1\nlet b = 2   # trailing comment stays code")
        #expect(p[3].text.hasPrefix("fn f(x) {\n  # inside"))
    }

    @Test func multiLineStringsAndContinuations() throws {
        let source = "let s = \"\"\"\n# not a comment\n\n\"\"\"\nlet t = [1,\n\n  2]\n\nlet u = 1 +\n  2\n"
        let p = try TopLevel.pieces(of: source, file: "t.lfr")
        #expect(kinds(p) == ["code 1-7", "code 9-10"])
    }

    @Test func elseOnTheNextLineAndSemicolons() throws {
        let source = "if true {\n  1\n}\nelse {\n  2\n}\nlet a = 1; let b = 2\n\nb"
        let p = try TopLevel.pieces(of: source, file: "t.lfr")
        #expect(kinds(p) == ["code 1-7", "code 9-9"])
    }

    @Test func syntaxErrorsAreThePlainRunsErrors() throws {
        #expect(throws: ScriptError.self) { try TopLevel.pieces(of: "let a = (1 +\n", file: "t.lfr") }
        let i = try Interpreter(loadPrelude: false)
        // A resolver error (assigning to a constant) is found before anything runs.
        var printed = ""
        i.output = { printed += $0 }
        #expect(throws: ScriptError.self) { try i.checkCompiles("print(1)\nlet k = 1\nk = 2\n", file: "t.lfr") }
        #expect(printed == "")
    }

    /// Runs `source` whole and as pieces (padded to its line numbers); both must print the same.
    func bothWays(_ source: String) throws -> (whole: String, pieces: String) {
        let whole = try Interpreter(loadPrelude: true)
        var a = ""
        whole.output = { a += $0 }
        do { _ = try whole.evaluate(source, file: "s.lfr") } catch { a += "error: \((error as? ScriptError)?.message ?? "")\n" }
        let chunked = try Interpreter(loadPrelude: true)
        var b = ""
        chunked.output = { b += $0 }
        do {
            try chunked.checkCompiles(source, file: "s.lfr")
            for p in try TopLevel.pieces(of: source, file: "s.lfr") where p.kind == .code {
                _ = try chunked.evaluate(String(repeating: "\n", count: p.firstLine - 1) + p.text, file: "s.lfr")
            }
        } catch { b += "error: \((error as? ScriptError)?.message ?? "")\n" }
        return (a, b)
    }

    @Test("pieces run in turn behave as the whole script", arguments: [
        // a function calling one defined further down, and a global set later
        "fn a() { b() + k }\n\nfn b() { 1 }\n\nlet k = 10\nprint(a())\n",
        // closures over globals, a top-level loop, var reassigned across groups
        "var n = 0\n\nlet add = fn(x) { n += x }\n\nfor i in range(5) { add(i) }\n\nprint(n)\n",
        // an error in a later group stops the run there, after earlier output
        "print(\"before\")\n\nlet x = nil\n\nprint(x + 1)\n\nprint(\"never\")\n",
        // redefining a top-level let is an error found before anything runs
        "print(1)\n\nlet q = 1\n\nq = 2\n",
    ])
    func sameAsWhole(source: String) throws {
        let r = try bothWays(source)
        #expect(r.whole == r.pieces)
    }
}
