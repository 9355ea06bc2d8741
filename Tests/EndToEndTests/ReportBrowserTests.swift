// ReportBrowserTests: report.html in a real browser. Headless Chromium
// (Debian's `chromium`, which scripts/test installs) renders the report of
// an example to a screenshot with no console error, and its DOM, as
// Chromium built it, has every plot and every table the run made.
// What stays true here: every Chromium run has a deadline and is killed
// after it (a browser that hangs fails the test, never CI); the tests are
// skipped, saying why, where no chromium is installed.
import Foundation
import Testing

enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs headless Chromium on `file` with `flags` (CI runs as root: --no-sandbox).
    static func run(_ flags: [String], file: String, sandbox: Sandbox) throws -> RunResult {
        let profile = sandbox.dir.appendingPathComponent("chromium-profile").path
        let args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-extensions", "--disable-background-networking",
                    "--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0"]
            + flags + ["file://" + file]
        return try runProcess(path!, args, env: sandbox.environment(["HOME": sandbox.dir.path]), cwd: sandbox.dir, timeout: 60)
    }

    /// The page's console messages (Chromium logs each as a `CONSOLE` line on
    /// stderr). A report has no scripts, so any message is an error: an
    /// exception, a refused load, a CSS or SVG parse error.
    static func consoleMessages(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") }
    }
}

/// A study with two plots, a histogram and a table, reported like the examples.
let browserScript = """
    # A report for the browser: *prose*, plots, a histogram and a table.

    let a = randn([400], seed: 2)
    plot([a.cumsum()], title: "random walk")
    hist(a, title: "draws")

    # A schedule prints as a table.
    print(lfr_paper())
    print(random_baseline())
    plot({"x": [1, 2, 3], "y": [3, 2, 1]}, title: "two lines <&>")
    """

@Suite("reports in a browser", .enabled(if: Chromium.path != nil, "chromium is not installed (scripts/test installs it)"))
struct ReportBrowserTests {
    func makeReport(_ box: Sandbox) throws -> String {
        try box.write("b.lfr", browserScript)
        let r = try runProcess(LfrBinary.path, ["--report", "rep", "b.lfr"], env: box.environment(), cwd: box.dir, timeout: 60)
        #expect(r.status == 0, "\(r.stderr)")
        return box.dir.appendingPathComponent("rep/report.html").path
    }

    @Test("report.html renders to a screenshot with no console error and loads nothing from outside")
    func screenshot() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let html = try makeReport(box)
        let page = try #require(box.read("rep/report.html"))
        #expect(!page.contains("<script"))
        #expect(!page.contains("src="), "nothing is loaded: plots are inline")
        #expect(page.contains("<meta name=\"viewport\""))
        #expect(page.contains("@media print"))
        for width in [1200, 390] {     // a desktop and a phone
            let png = box.dir.appendingPathComponent("shot-\(width).png").path
            let r = try Chromium.run(["--window-size=\(width),1600", "--hide-scrollbars", "--screenshot=\(png)"], file: html, sandbox: box)
            #expect(r.status == 0, "\(r.stderr)")
            let errors = Chromium.consoleMessages(r.stderr)
            #expect(errors.isEmpty, "\(errors)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
            #expect(bytes.count > 10_000, "a screenshot of a page with plots")
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }
    }

    @Test("the console check sees an error when a page has one (so a clean report is a real pass)")
    func consoleCheckCanFail() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let page = try box.write("bad.html", "<!DOCTYPE html><html><body><p>x</p><script>notDefined();</script></body></html>")
        let png = box.dir.appendingPathComponent("bad.png").path
        let r = try Chromium.run(["--screenshot=\(png)"], file: page, sandbox: box)
        #expect(Chromium.consoleMessages(r.stderr).contains { $0.contains("notDefined") }, "\(r.stderr)")
    }

    @Test("the DOM Chromium builds has every plot and table of the run")
    func domHasEveryPlotAndTable() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let html = try makeReport(box)
        let r = try Chromium.run(["--dump-dom"], file: html, sandbox: box)
        #expect(r.status == 0, "\(r.stderr)")
        let dom = r.stdout
        func count(_ s: String) -> Int { dom.components(separatedBy: s).count - 1 }
        // Three plots and a histogram, each an inline SVG in a figure.
        #expect(count("<figure class=\"plot\"") == 3)
        #expect(count("<svg") == 3)
        #expect(count("data-kind=\"hist\"") == 1)
        #expect(count("<polyline") >= 3)
        #expect(dom.contains("two lines &lt;&amp;&gt;"))
        // The two schedules' tables, as tables with their rows.
        #expect(count("<table class=\"data\">") == 2)
        #expect(dom.contains("<th>phase</th>") || dom.contains(">phase</th>"))
        // The prose, as HTML.
        #expect(dom.contains("<em>prose</em>"))
        // The plot files for the Markdown exist too.
        for n in 1...3 { #expect(box.read("rep/plot-\(n).svg") != nil) }
    }
}
