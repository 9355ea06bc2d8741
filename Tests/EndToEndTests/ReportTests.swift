// ReportTests: `lfr-repl --report DIR script.lfr` and `:report DIR`: the
// Markdown's structure (prose, code, output under the statement that
// printed it, values, errors in place, plots linked to their SVG files,
// tables as tables, the header's facts and hashes), a run that behaves as
// without --report, and the pieces the report is built from (SHA-256
// against sha256sum, text tables, SVG scaling).
import Foundation
import Testing
@testable import lfr_repl
import ScriptLibrary

/// The text between the first occurrence of `start` and the next `end` after it (nil if either is missing).
func between(_ text: String, _ start: String, _ end: String) -> String? {
    guard let a = text.range(of: start) else { return nil }
    guard let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return nil }
    return String(text[a.upperBound..<b.lowerBound])
}

func sha256sum(_ path: String) throws -> String {
    let r = try runProcess("/usr/bin/sha256sum", [path], env: ["PATH": "/usr/bin:/bin"])
    return String(r.stdout.prefix(64))
}

/// A script with prose, output, a value, a plot of each kind, a table and an error in its middle.
let reportScript = """
    #!/usr/bin/env lfr-repl
    # Intro with **bold** and `code`.
    #
    # - one
    # - two

    let xs = [3, 1, 2]
    xs.sort()
    print("sorted", xs)

    # A value, as the prompt shows it.
    len(xs) * 2

    # Plots.
    plot([1, 4, 9, 16], title: "squares")
    hist(randn([500], seed: 1), title: "normal draws")
    plot([1, 2, 3], to: "line.svg", title: "to a file")
    let c = corpus("words.txt")

    # A table.
    print(random_baseline())

    # Then an error.
    let y = nil
    print(y + 1)

    print("never")
    """

@Suite("reports")
struct ReportTests {
    @Test("--report: prose, code, output under its statement, values, plots, a table and the error in place")
    func markdownStructure() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let script = try box.write("study.lfr", reportScript)
        try box.write("words.txt", "to be or not to be\n")
        let plain = try lfr(["study.lfr", "a b"], sandbox: box)
        let r = try lfr(["--report", "out", "study.lfr", "a b"], sandbox: box)
        // The run is the plain run: same stdout, same error, same exit code.
        #expect(r.status == 1 && plain.status == 1)
        #expect(r.stdout == plain.stdout)
        #expect(r.stderr.hasPrefix(plain.stderr))
        #expect(r.stderr.contains("report written to out/report.html"))
        #expect(!r.stdout.contains("never"))

        let md = try #require(box.read("out/report.md"))
        // Header.
        #expect(md.hasPrefix("# Report: study.lfr\n"))
        #expect(md.contains("| status | failed (error at line 25) |"))
        #expect(md.contains("| lfr | \(LfrOptions.version) |"))
        #expect(md.contains(#/\| date \| 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC \|/#))
        #expect(md.contains(#/\| machine \| \d+ cores?/#))
        #expect(md.contains("| BLAS | "))
        #expect(md.contains("| wall time | "))
        #expect(md.contains("| arguments | 'a b' |"))
        #expect(md.contains("| script | study.lfr  sha256 \(try sha256sum(script)) |"))
        #expect(md.contains("| data | words.txt  sha256 \(try sha256sum(box.dir.appendingPathComponent("words.txt").path)) |"))
        // Prose, not code; the shebang is neither.
        #expect(md.contains("\nIntro with **bold** and `code`.\n\n- one\n- two\n"))
        #expect(!md.contains("#!/usr/bin/env"))
        // Output under the statement that printed it, before the next cell.
        let first = try #require(between(md, "print(\"sorted\", xs)\n```\n", "A value"))
        #expect(first.contains("```text\nsorted [1, 2, 3]\n```"))
        let value = try #require(between(md, "len(xs) * 2\n```\n", "Plots."))
        #expect(value.contains("```text\n=> 6\n```"))
        // Plots: linked in order, their files beside the report; the terminal drawing replaced.
        let plots = try #require(between(md, "plot([1, 4, 9, 16]", "A table."))
        #expect(plots.contains("![squares](plot-1.svg)"))
        #expect(plots.contains("![normal draws](plot-2.svg)"))
        #expect(plots.contains("![to a file](plot-3.svg)"))
        #expect(!plots.contains("│"), "the terminal histogram is not in the report")
        for n in 1...3 { #expect(box.read("out/plot-\(n).svg")?.hasPrefix("<svg") == true) }
        #expect(box.read("out/plot-2.svg")?.contains("<rect x=") == true)
        // A text table as a Markdown table.
        let table = try #require(between(md, "print(random_baseline())\n```\n", "Then an error."))
        #expect(table.contains("```text\nschedule random\n```\n\n| # | phase | rule | length |\n|---|---|---|---|\n| 1 | learn | all blocks | rest of budget |\n"), "\(table)")
        // The error where it happened, and nothing after it.
        let error = try #require(md.components(separatedBy: "print(y + 1)\n```\n").last)
        #expect(error.contains("**Error:**"))
        #expect(error.contains("study.lfr:25:"))
        #expect(error.contains("print(y + 1)"), "the error shows the script's own line")
        #expect(!md.contains("print(\"never\")"))
        #expect(!md.contains("never"))
    }

    @Test("a report of a completed run: status, values only where the prompt shows one, progress kept to each run's last line")
    func completedRunWithTraining() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        try box.write("train.lfr", """
            let data = dataset(text_corpus("abcdefgh " * 300), context: 16, val: 0.1)
            let m = gpt(layers: 1, heads: 2, dim: 16, context: 16, vocab: data.vocab, seed: 1)
            let c = compare([random_baseline(), lfr_paper()], model: m, data: data, tokens: 4096, batch: 8,
                            log_every: 1, eval_every: 8, eval_blocks: 8)
            c;
            nil
            """)
        let r = try runProcess(LfrBinary.path, ["--report", "r", "train.lfr"], env: box.environment(), cwd: box.dir, timeout: 120)
        #expect(r.status == 0, "\(r.stderr)")
        let md = try #require(box.read("r/report.md"))
        #expect(md.contains("| status | completed |"))
        // compare's table became a Markdown table, its plot an SVG.
        #expect(md.contains("| schedule | val ppl |"))
        #expect(md.contains("](plot-1.svg)"))
        #expect(box.read("r/plot-1.svg")?.contains("<polyline") == true)
        // Only the last progress line of each run, prefixed by the run's name.
        let steps = md.components(separatedBy: "\n").filter { $0.contains("| step ") && $0.contains(" | loss ") }
        #expect(steps.count == 2, "\(steps)")
        #expect(steps.allSatisfy { $0.contains("finished") || $0.contains("step ") })
        // `c;` shows nothing; `nil` shows nothing.
        #expect(!md.contains("=> "))
    }

    @Test("imports, a self-import and functions using later globals behave as in a plain run")
    func sameRunAsPlain() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        try box.write("lib.lfr", "fn helper(x) { x * 3 }\nlet K = 7\n")
        try box.write("main.lfr", """
            # uses a library
            import "lib.lfr"

            print(helper(K))

            import "main.lfr"
            print("once")

            fn later() { helper(1) + missing_global }

            let missing_global = 100
            print(later())
            """)
        let plain = try lfr(["main.lfr"], sandbox: box)
        let r = try lfr(["--report", "o", "main.lfr"], sandbox: box)
        #expect(plain.stdout == "21\nonce\n103\n")
        #expect(r.stdout == plain.stdout && r.status == 0)
        let md = try #require(box.read("o/report.md"))
        #expect(between(md, "print(later())\n```\n", "\n\n")?.contains("103") == true || md.contains("print(later())\n```\n\n```text\n103\n```"))
    }

    @Test("exit(n): the report says so and the exit code is n")
    func exitCode() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        try box.write("x.lfr", "print(1)\n\nexit(4)\n\nprint(2)\n")
        let r = try lfr(["--report", "o", "x.lfr"], sandbox: box)
        #expect(r.status == 4)
        #expect(r.stdout == "1\n")
        #expect(box.read("o/report.md")?.contains("| status | stopped by exit(4) |") == true)
    }

    @Test("a syntax error: nothing runs, as without --report, and the report shows the error")
    func syntaxError() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        try box.write("s.lfr", "print(1)\n\nlet k = 1\nk = 2\n")
        let plain = try lfr(["s.lfr"], sandbox: box)
        let r = try lfr(["--report", "o", "s.lfr"], sandbox: box)
        #expect(r.status == plain.status && r.status == 1)
        #expect(r.stdout == "" && plain.stdout == "")
        let md = try #require(box.read("o/report.md"))
        #expect(md.contains("| status | failed (error at line 4) |"))
        #expect(md.contains("**Error:**"))
    }

    @Test("Ctrl-C: the report says interrupted and shows where, exit 130")
    func interrupted() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        try box.write("loop.lfr", "print(\"started\")\n\nvar i = 0\nwhile true { i += 1 }\n")
        let r = try ptySession([
            .expect("started"),
            .sleep(0.3),
            .interrupt,
            .expect("report written"),
            .waitExit(20),
        ], args: ["--report", "o", "loop.lfr"], sandbox: box)
        #expect(r.ok, "\(r.reason)\n\(r.output)")
        #expect(r.exitCode == 130)
        let md = try #require(box.read("o/report.md"))
        #expect(md.contains("| status | interrupted (Ctrl-C) |"))
        #expect(md.contains("loop.lfr:4:"))
    }

    @Test(":report DIR at the prompt writes the session so far")
    func sessionReport() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("let a = 20 + 1\r"), .expect(prompt),
            .send("a * 2\r"), .expect("42"), .expect(prompt),
            .send("print(\"hello\")\r"), .expect(prompt),
            .send("nil + 1\r"), .expect("error"), .expect(prompt),
            .send("plot([1, 2, 4], title: \"p\")\r"), .expect(prompt),
            .send(":report sess\r"), .expect("report of 5 entries written to sess/report.html"), .expect(prompt),
            .send(":report\r"), .expect("usage: :report DIR"), .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box)
        #expect(r.ok, "\(r.reason)\n\(r.output)")
        let md = try #require(box.read("sess/report.md"))
        #expect(md.hasPrefix("# Report: lfr session\n"))
        #expect(md.contains("| status | session in progress |"))
        #expect(md.contains("| entries | 5  sha256 "))
        #expect(between(md, "a * 2\n```\n", "print(")?.contains("=> 42") == true)
        #expect(between(md, "print(\"hello\")\n```\n", "nil + 1")?.contains("hello") == true)
        #expect(between(md, "nil + 1\n```\n", "plot(")?.contains("**Error:**") == true)
        #expect(md.contains("![p](plot-1.svg)"))
        #expect(box.read("sess/report.html")?.contains("<svg") == true)
    }

    @Test("--report is for script files only")
    func usage() throws {
        for args in [["--report", "o", "-e", "1"], ["--report", "o", "-i", "x.lfr"], ["--report", "o", "-"]] {
            let r = try lfr(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains("--report"))
        }
    }

    // MARK: - The pieces

    @Test("SHA-256 agrees with sha256sum")
    func sha256() throws {
        #expect(SHA256.hex(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let box = try Sandbox(); defer { box.cleanup() }
        for size in [55, 56, 63, 64, 65, 1 << 20, (1 << 20) + 1000] {
            var bytes = [UInt8](repeating: 0, count: size)
            var x: UInt32 = 2463534242
            for i in bytes.indices { x ^= x << 13; x ^= x >> 17; x ^= x << 5; bytes[i] = UInt8(truncatingIfNeeded: x) }
            let url = box.dir.appendingPathComponent("f\(size)")
            try Data(bytes).write(to: url)
            #expect(SHA256.hex(ofFile: url.path) == (try sha256sum(url.path)), "\(size) bytes")
            #expect(SHA256.hex(of: bytes) == (try sha256sum(url.path)))
        }
        #expect(SHA256.hex(ofFile: "/no/such/file") == nil)
    }

    @Test("text tables are found by TextTable's shape, and other text is left alone")
    func tables() {
        let text = "before\nname   tokens  ppl\n-----  ------  ---\nlearn   1,024  3.5\nfocus      12  4\n-----  ------  ---\ntotal   1,036\n2 seeds, budget 1,036 tokens\n"
        let s = ReportText.segments(text)
        #expect(s.count == 3, "\(s)")
        #expect(s.first == .text("before\n"))
        guard s.count == 3, case .table(let t) = s[1] else { return }
        #expect(t.header == ["name", "tokens", "ppl"])
        #expect(t.rows == [["learn", "1,024", "3.5"], ["focus", "12", "4"], ["total", "1,036", ""]])
        #expect(t.rightAligned == [false, true, false])
        #expect(s[2] == .text("2 seeds, budget 1,036 tokens\n"))
        // Dashes that are not a rule, and text whose words cross the gaps, stay text.
        for plain in ["a\n--\nb\n", "x  y\n--  --\nlong words here\n", "-- --\n"] {
            #expect(ReportText.segments(plain).allSatisfy { if case .text = $0 { return true }; return false }, "\(plain)")
        }
        #expect(ReportText.segments("a\nb") == [.text("a\nb")])
    }

    @Test func markdownFencesAndHTMLEscaping() {
        #expect(ReportMarkdown.block("a ``` b", language: "text") == "````text\na ``` b\n````\n\n")
        #expect(ReportText.html("<script>&\"") == "&lt;script&gt;&amp;&quot;")
        #expect(ReportText.inlineHTML("**b** *e* `<x>` [l](https://x.org) [bad](javascript:x)")
                == "<strong>b</strong> <em>e</em> <code>&lt;x&gt;</code> <a href=\"https://x.org\">l</a> bad")
        let svg = ReportHTML.scalable("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"420\" font-size=\"12\">\n</svg>\n")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"420\" font-size=\"12\" viewBox=\"0 0 720 420\""))
    }
}

@Test("a report keeps the text of coloured output, not its escape sequences")
func reportStripsTerminalColour() {
    #expect(strippingTerminalEscapes("\u{1B}[1;31mred\u{1B}[0m and \u{1B}[38;5;33m*o*\u{1B}[0m") == "red and *o*")
    #expect(strippingTerminalEscapes("plain ü text") == "plain ü text")
    let record = ReportRecord(title: "t", arguments: [])
    record.beginCode("compare(...)")
    record.write("table\n\n\u{1B}[34m*\u{1B}[0m curve\n")
    record.addPlot(PlotArtifact(kind: .compare, title: "p", svg: "<svg/>", printed: "\u{1B}[34m*\u{1B}[0m curve\n"))
    // The coloured terminal drawing is found and replaced by the plot.
    #expect(record.cells.last?.items == [.output("table\n\n"), .plot(0)])
}
