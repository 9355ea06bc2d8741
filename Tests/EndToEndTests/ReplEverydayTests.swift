// ReplEverydayTests: the prompt for everyday work, through a real
// pseudo-terminal: help forms and wrapping (following SIGWINCH), summarized
// values, folded stacks, :time with `;`, :reset, bare exit, :history, :save
// (re-run as a script), transcript paste, Ctrl-C in a tensor loop.
import Foundation
import Testing

private func check(_ r: PtyResult, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.ok, "step \(r.failedStep.map(String.init) ?? "-"): \(r.reason)\n--- transcript ---\n\(r.output)",
            sourceLocation: sourceLocation)
}

@Suite("REPL for everyday work")
struct ReplEverydayTests {
    @Test("?name, name? and :help t.sum show help, wrapped to the terminal and re-wrapped after a resize")
    func helpForms() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("?len\r"),
            .expect("len\\("),
            .expect(prompt),
            .send("len?\r"),
            .expect("len\\("),
            .expect(prompt),
            .send("let t = ones([2, 3])\r"),
            .expect(prompt),
            .send(":help t.sum\r"),
            .expect("sum"),
            .expect(prompt),
            .send(":help train\r"),
            .expect(prompt),
            .resize(columns: 40),
            .sleep(0.2),
            .send(":help train\r"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box, columns: 60)
        check(r)
        #expect(!r.output.contains("no help"))
        // Each help block is wrapped: no line of the output is wider than the terminal.
        let lines = r.output.components(separatedBy: "\n")
        let blocks = r.output.components(separatedBy: ":help train")
        #expect(blocks.count == 3)
        let at60 = blocks[1].components(separatedBy: "\n").map(\.count).max() ?? 0
        let at40 = blocks[2].components(separatedBy: "\n").dropLast().map(\.count).max() ?? 0
        #expect(at60 <= 60 && at60 > 40, "widest line at 60 columns: \(at60)")
        let widest = blocks[2].components(separatedBy: "\n").dropLast().max { $0.count < $1.count } ?? ""
        #expect(at40 <= 40, "widest line after resizing to 40 columns: \(at40): '\(widest)'\n\(r.output)")
        #expect(lines.count > 10)
    }

    @Test("a long list and a long dict are summarized; a stack overflow folds its frames")
    func summaries() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("var xs = []; for i in range(100000) { xs.push(i) }; xs\r"),
            .expect("\\[0, 1, 2, \\.\\.\\. 99,994 more \\.\\.\\., 99997, 99998, 99999\\]\\n", timeout: 20),
            .expect(prompt),
            .send("len(str(xs)) > 500000\r"),      // str() stays complete
            .expect("\\ntrue\\n"),
            .expect(prompt),
            .send("fn deep(n) { deep(n + 1) }\r"),
            .expect(prompt),
            .send("deep(0)\r"),
            .expect("at deep \\(<repl:\\d+>:1\\) ×9,99\\d\\n"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
        #expect(!r.output.contains("99993, 99994"))
    }

    @Test(":time EXPR; prints no value; :reset says what it dropped; bare exit leaves")
    func timeResetExit() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send(":time 6 * 7;\r"),
            .expect("wall [0-9.]+ (s|ms|µs), cpu"),
            .expect(prompt),
            .send("let alpha = 1\r"),
            .expect(prompt),
            .send("let beta = 2\r"),
            .expect(prompt),
            .send(":reset\r"),
            .expect("dropped 2 bindings: alpha, beta\\n"),
            .expect(prompt),
            .send("exit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
        #expect(!r.output.contains("\n42\n"))
        #expect(r.exitCode == 0)
        let quit = try ptySession([.expect(prompt), .send("quit\r"), .waitExit(10)], sandbox: box)
        check(quit)
        #expect(quit.exitCode == 0)
    }

    @Test(":save writes the entries that ran as a script that gives the same results; :history lists entries")
    func saveAndHistory() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("fn sq(x) {\r"),
            .expect(continuation),
            .send("  x * x\r"),
            .expect(continuation),
            .send("}\r"),
            .expect(prompt),
            .send("let base = sq(7)\r"),
            .expect(prompt),
            .send("nope + 1\r"),                   // an error: not saved
            .expect("undefined name"),
            .expect(prompt),
            .send("print(\"result \\(base + 1)\")\r"),
            .expect("\\nresult 50\\n"),
            .expect(prompt),
            .send(":history 4\r"),
            .expect("let base = sq\\(7\\)\\n.*nope \\+ 1\\n.*print"),
            .expect(prompt),
            .send(":save session.lfr\r"),
            .expect("saved 3 entries to session.lfr"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
        let saved = box.read("session.lfr") ?? ""
        #expect(saved.contains("fn sq(x) {\n  x * x\n}\nlet base = sq(7)\n"))
        #expect(!saved.contains("nope"))
        let again = try lfr([box.dir.appendingPathComponent("session.lfr").path], sandbox: box)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "result 50\n")
    }

    @Test("a pasted transcript runs without its prompts and output lines")
    func transcriptPaste() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let transcript = "lfr> let a = 20\nlfr> fn twice(x) {\n...>   x * 2\n...> }\nlfr> twice(a)\n40"
        let r = try ptySession([
            .expect(prompt),
            .send("\u{1B}[200~" + transcript + "\u{1B}[201~"),
            .sleep(0.1),
            .send("\r"),
            .expect("\\n40\\n"),
            .expect(prompt),
            .send("twice(a) + 2\r"),
            .expect("\\n42\\n"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
        #expect(!r.output.contains("error"))
    }

    @Test("the history file is capped by entries and keeps multi-line entries whole")
    func historyCapByEntries() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        var old = ""
        for i in 0..<10_050 { old += "#1700000000\nfn f\(i)() {\n  \(i)\n}\n" }
        try box.write("history", old)
        let r = try ptySession([.expect(prompt), .send("1\r"), .expect(prompt), .send(":quit\r"), .waitExit(10)], sandbox: box)
        check(r)
        let text = box.read("history") ?? ""
        let stamps = text.split(separator: "\n").filter { $0.hasPrefix("#") }
        #expect(stamps.count == 10_000)
        // The first kept entry is whole: its stamp is followed by its first line.
        #expect(text.hasPrefix("#1700000000\nfn f"))
        #expect(!text.contains("fn f51() {"))
        #expect(text.contains("fn f52() {\n  52\n}\n"))
    }

    @Test("Ctrl-C stops a loop of matrix products at the prompt, and names the loop's line")
    func interruptTensorLoop() throws {
        // needs the VM interrupt fix (lang branch)
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("let big = randn([400, 400])\r"),
            .expect(prompt),
            .send("var n = 0\r"),
            .expect(prompt),
            .send("print(\"go\"); for k in range(100000) {\r"),
            .expect(continuation),
            .send("  let z = big @ big\r"),
            .expect(continuation),
            .send("  n += 1 }\r"),
            .expect("\\ngo"),
            .sleep(0.5),
            .interrupt,
            .expect("interrupted at <repl:\\d+>:(2|3):", timeout: 3),
            .expect(prompt, timeout: 3),
            .send("n > 0\r"),
            .expect("\\ntrue\\n"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
    }

    @Test("one Tab lists a long completion list cut with '… and N more'; Tab on a blank continuation line indents")
    func completionLists() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("var d = {}; for i in range(300) { d[\"key\\(i)\"] = i }\r"),
            .expect(prompt),
            .send("d.key\t"),
            .expect("… and [0-9,]+ more \\(type more letters\\)\\n"),
            .expect("lfr> d\\.key"),
            .send("299\r"),
            .expect("\\n299\\n"),
            .expect(prompt),
            .send("fn f() {\r"),
            .expect(continuation),
            .send("\t"),
            .sleep(0.2),
            .send("7\r"),
            .expect(continuation),
            .send("}\r"),
            .expect(prompt),
            .send("f()\r"),
            .expect("\\n7\\n"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
        #expect(r.output.contains("...>   7"))
        #expect(!r.output.contains("Display all"))
        let history = box.read("history") ?? ""
        #expect(history.contains("fn f() {\n  7\n}"))
    }

    @Test("Up with text typed recalls the last entry starting with it")
    func prefixHistorySearch() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("let aa = 11\r"),
            .expect(prompt),
            .send("let bb = 22\r"),
            .expect(prompt),
            .send("print(\"other\")\r"),
            .expect(prompt),
            .send("let a"),
            .sleep(0.1),
            .send("\u{1B}[A"),
            .sleep(0.2),
            .send("\r"),
            .expect(prompt),
            .send(":history 2\r"),
            .expect("\\d+  let aa = 11\\n\\s*\\d+  :history 2\\n"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
    }

    @Test(":reset asks before dropping a model; n keeps it, y drops it, -f does not ask")
    func resetAsks() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("let m = gpt(layers: 1, dim: 16, heads: 2, vocab: 50, context: 8)\r"),
            .expect(prompt),
            .send(":reset\r"),
            .expect("this drops m \\(model\\)\\n"),
            .expect("drop everything\\? \\[y/N\\] "),
            .send("n\r"),
            .expect("nothing dropped"),
            .expect(prompt),
            .send("type(m)\r"),
            .expect("\"model\""),
            .expect(prompt),
            .send(":reset\r"),
            .expect("\\[y/N\\] "),
            .send("y\r"),
            .expect("dropped 1 binding: m\\n"),
            .expect(prompt),
            .send("let m2 = gpt(layers: 1, dim: 16, heads: 2, vocab: 50, context: 8)\r"),
            .expect(prompt),
            .send(":reset -f\r"),
            .expect("dropped 1 binding: m2\\n"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        check(r)
    }
}
