// ReplTests: the interactive prompt driven through a real pseudo-terminal:
// completion, multi-line entries typed and pasted, Ctrl-C, history, commands,
// errors. Each test runs its own lfr-repl with a temporary HOME and history.
import Foundation
import Testing

private func check(_ r: PtyResult, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.ok, "step \(r.failedStep.map(String.init) ?? "-"): \(r.reason)\n--- transcript ---\n\(r.output)",
            sourceLocation: sourceLocation)
}

@Suite("REPL through a pseudo-terminal")
struct ReplTests {
    @Test("Tab completes a member of a bound value, a global and a named argument")
    func completion() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("let config = {learning_rate: 0.1, steps: 3}\r"),
            .expect(prompt),
            .send("config.lea\t\r"),
            .expect("config\\.learning_rate\\s*\\n0\\.1\\n"),
            .expect(prompt),
            .send("conf\t\r"),
            .expect("config\\s*\\n\\{learning_rate: 0\\.1, steps: 3\\}"),
            .expect(prompt),
            .send("fn warm(step, total_steps: 100) { step / total_steps }\r"),
            .expect(prompt),
            .send("warm(50, tot\t200)\r"),
            .expect("warm\\(50, total_steps: 200\\)\\s*\\n0\\.25\\n"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
        #expect(r.exitCode == 0)
    }

    @Test("Tab completes file paths inside a string literal")
    func pathCompletion() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        try FileManager.default.createDirectory(at: box.dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        try box.write("data/shakespeare.txt", "to be\n")
        let r = try ptySession([
            .expect(prompt),
            .send("len(read_file(\"da\t"),
            .sleep(0.2),
            .send("sha\t\"))\r"),
            .expect("\\n6\\n"),
            .expect(prompt),
            .send("\u{4}"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
    }

    @Test("a multi-line function typed line by line continues on ...> and then runs")
    func multiLineTyped() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("fn fact(n) {\r"),
            .expect(continuation),
            .send("  if n <= 1 { 1 }\r"),
            .expect(continuation),
            .send("\r"),                       // an empty line inside the entry loses nothing
            .expect(continuation),
            .send("  else { n * fact(n - 1) }\r"),
            .expect(continuation),
            .send("}\r"),
            .expect(prompt),
            .send("fact(10)\r"),
            .expect("\\n3628800\\n"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
        // The history holds the function as one entry.
        let history = box.read("history") ?? ""
        #expect(history.contains("fn fact(n) {\n  if n <= 1 { 1 }\n\n  else { n * fact(n - 1) }\n}"))
        // A new session reads it back as one entry: Up three times (past `:quit`
        // and `fact(10)`) recalls the whole function.
        let again = try ptySession([
            .expect(prompt),
            .send("\u{1B}[A"),
            .sleep(0.1),
            .send("\u{1B}[A"),
            .sleep(0.1),
            .send("\u{1B}[A"),
            .sleep(0.1),
            .send("\r"),
            .expect(prompt),
            .send("fact(5)\r"),
            .expect("\\n120\\n"),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(again)
        #expect(!again.output.contains("undefined name"))
    }

    @Test("a pasted multi-line block (bracketed paste) runs as one unit")
    func multiLinePasted() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let block = "var total = 0\nfor i in range(5) {\n  total = total + i\n}\nprint(\"sum \\(total)\")"
        let r = try ptySession([
            .expect(prompt),
            .send("\u{1B}[200~" + block + "\u{1B}[201~"),
            .sleep(0.1),
            .send("\r"),
            .expect("\\nsum 10\\n"),
            .expect(prompt),
            .send("total\r"),
            .expect("\\n10\\n"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
        // One unit: the block ran once and produced no continuation prompt.
        #expect(!r.output.contains("...>"))
        #expect(r.output.components(separatedBy: "sum 10").count == 2)
    }

    @Test("Ctrl-C stops `while true {}`; the session survives with its bindings")
    func interruptRunningCode() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("let kept = 41\r"),
            .expect(prompt),
            // Ctrl-C once the loop is known to be running (on a slow machine
            // a fixed sleep may end before evaluation starts).
            .send("print(\"looping\"); while true {}\r"),
            .expect("\\nlooping"),
            .sleep(0.05),
            .interrupt,
            .expect("interrupted", timeout: 5),
            .expect(prompt, timeout: 5),
            .send("kept + 1\r"),
            .expect("\\n42\\n"),
            .expect(prompt),
            .interrupt,                       // Ctrl-C at an empty prompt: harmless
            .expect(prompt),
            .send("let half = \"typed but\""),
            .expect("typed but"),             // as a person does: Ctrl-C once the text shows
            .interrupt,                       // Ctrl-C clears the line
            .expect(prompt),
            .send("kept\r"),
            .expect("\\n41\\n"),
            .expect(prompt),
            // The Ctrl-C at the prompt must not stop the next code that runs.
            .send("var i = 0; while i < 1000 { i = i + 1 }; i\r"),
            .expect("\\n1000\\n"),
            .expect(prompt),                  // Ctrl-D once readline reads again
            .send("\u{4}"),                   // Ctrl-D leaves
            .waitExit(10),
        ], sandbox: box)
        check(r)
        #expect(r.exitCode == 0)
    }

    @Test("Ctrl-C inside an unfinished entry drops it and returns to the main prompt")
    func interruptContinuation() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("let broken = [1,\r"),
            .expect(continuation),
            .interrupt,
            .expect(prompt),
            .send("1 + 1\r"),
            .expect("\\n2\\n"),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
    }

    @Test("every entry is in the history file as soon as it is accepted, without consecutive duplicates")
    func historyAppended() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let marker = "history-marker-\(Int.random(in: 1000...9999))"
        let r = try ptySession([
            .expect(prompt),
            .send("let h = \"\(marker)\"\r"),
            .expect(prompt),
            .send("h\r"),
            .expect(prompt),
            .send("h\r"),
            .expect(prompt),
            .sleep(0.1),
            // The session is still running: check the file now, then kill it.
        ], sandbox: box)
        check(r)
        let history = box.read("history") ?? ""
        #expect(history.contains("let h = \"\(marker)\""))
        let entries = history.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(entries == ["let h = \"\(marker)\"", "h"], "\(entries)")

        // A new session sees the old entries: Ctrl-R finds the `let`, then h is bound again.
        let again = try ptySession([
            .expect(prompt),
            .send("\u{12}let h"),
            .expect("reverse-i-search"),
            .send("\r"),
            .expect(prompt),
            .send("h\r"),
            .expect("\\n\"\(marker)\"\\n"),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(again)
    }

    @Test("the history file is capped when a session starts")
    func historyCapped() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        var old = ""
        for i in 0..<10_300 { old += "#1700000000\nold_entry_\(i)\n" }
        try box.write("history", old)
        let r = try ptySession([
            .expect(prompt),
            .send("1\r"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
        let lines = (box.read("history") ?? "").split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count <= 10_001)
        #expect(lines.count >= 9_000)
        #expect(lines.suffix(2) == ["1", ":quit"])
        #expect(!lines.contains("old_entry_0"))
    }

    @Test(":time prints the value with wall and CPU time; :type and :vars describe values")
    func timeTypeVars() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send(":time 6 * 7\r"),
            .expect("\\n42\\nwall [0-9.]+ (s|ms|µs), cpu [0-9.]+ (s|ms|µs)\\n"),
            .expect(prompt),
            .send(":type [1, 2]\r"),
            .expect("\\nlist\\n"),
            .expect(prompt),
            .send("let names = [\"a\", \"b\"]\r"),
            .expect(prompt),
            .send("let big = zeros([512, 1024])\r"),
            .expect(prompt),
            .send(":vars\r"),
            .expect("big\\s+tensor\\s+tensor shape=\\[512, 1024\\]\\s+\\(2\\.0 MiB\\)"),
            .expect("names\\s+list\\s+\\[\"a\", \"b\"\\]"),
            .expect(prompt),
            .send(":reset\r"),
            .expect(prompt),
            .send("names\r"),
            .expect("undefined name 'names'"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
    }

    @Test(":help NAME shows the doc string; :help the overview")
    func help() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send(":help len\r"),
            .expect("len\\(.*\\)"),
            .expect(prompt),
            .send(":help\r"),
            .expect(":load FILE"),
            .expect(prompt),
            .send(":help no_such_name_here\r"),
            .expect("no help for 'no_such_name_here'"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
    }

    @Test("an error is shown with its caret, and the next command works")
    func errorThenWork() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("let v = 10\r"),
            .expect(prompt),
            .send("v + undefined_name\r"),
            .expect("<repl:2>:1:5: error: .*undefined_name.*\\n\\s+v \\+ undefined_name\\n\\s+\\^"),
            .expect(prompt),
            .send("v * 2\r"),
            .expect("\\n20\\n"),
            .expect(prompt),
            .send("v;\r"),                    // a trailing ; prints nothing
            .expect(prompt),
            .send("_ + 1\r"),                 // _ is the last value
            .expect("\\n11\\n"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
        #expect(!r.output.contains("\nlfr> 10\n"))
    }

    @Test("exit(n) at the prompt ends the session with n; the start-up file runs first")
    func exitAndInitFile() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        try box.write(".lfr_init.lfr", "let from_init = \"init ran\"\n")
        let r = try ptySession([
            .expect(prompt),
            .send("from_init\r"),
            .expect("\"init ran\""),
            .expect(prompt),
            .send("exit(4)\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
        #expect(r.exitCode == 4)
    }

    @Test("-i runs the file, then stays at the prompt with its bindings")
    func interactiveAfterFile() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let path = try box.write("setup.lfr", "let answer = 42\nprint(\"loaded\")\n")
        let r = try ptySession([
            .expect("loaded"),
            .expect(prompt),
            .send("answer\r"),
            .expect("\\n42\\n"),
            .send(":load setup.lfr\r"),
            .expect("loaded"),
            .expect(prompt),
            .send(":reload\r"),
            .expect("loaded"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], args: ["-i", path], sandbox: box)
        check(r)
    }

    @Test("errors are red on a terminal, plain with NO_COLOR")
    func colour() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let steps: [PtyStep] = [
            .expect(prompt),
            .send("1 + nope\r"),
            .expect("undefined name 'nope'"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ]
        let coloured = try ptySession(steps, sandbox: box)
        check(coloured)
        #expect(coloured.raw.contains("\u{1B}[1;31merror:"))
        let plain = try ptySession(steps, sandbox: box, env: ["NO_COLOR": "1"])
        check(plain)
        #expect(!plain.raw.contains("\u{1B}[1;31m"))
        #expect(plain.raw.contains("error: undefined name 'nope'"))
    }

    @Test("~/.inputrc is read, with `$if lfr` sections")
    func inputrc() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        try box.write(".inputrc", "$if lfr\n\"\\C-o\": \"40 + 2\"\n$endif\n")
        let r = try ptySession([
            .expect(prompt),
            .send("\u{0F}\r"),
            .expect("\\n42\\n"),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
    }
}
