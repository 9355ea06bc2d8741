// ReplProgressTests: training progress at the prompt, through a real
// pseudo-terminal 60 columns wide: every redraw of the progress line fits the
// width (a wider one would wrap and leave a broken row behind on each redraw),
// and a run leaves its final line, not a trail of redraws.
import Foundation
import Testing

@Suite("progress at the prompt")
struct ReplProgressTests {
    @Test("at 60 columns every progress redraw fits, and a run leaves one line per phase")
    func progressAt60Columns() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let r = try ptySession([
            .expect(prompt),
            .send("let d = dataset(tensor(range(0, 20000)) % 17, context: 16, vocab: 17, val: 0.1)\r"),
            .expect(prompt),
            .send("let m = gpt(vocab: 17, context: 16, layers: 1, heads: 2, dim: 32)\r"),
            .expect(prompt),
            .send("let r = train(m, d, schedule([learn(steps: 300), focus(steps: 300), review(steps: 300)]), batch: 8, log_every: 5)\r"),
            .expect("finished", timeout: 120),
            .expect(prompt),
            .send("r.step\r"),
            .expect("900"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box, columns: 60)
        #expect(r.ok, "step \(r.failedStep.map(String.init) ?? "-"): \(r.reason)\n\(r.output)")
        // The bytes the terminal received while training: from the echo of the
        // train entry to the next prompt.
        guard let start = r.raw.range(of: "log_every: 5)"),
              let end = r.raw.range(of: "lfr> ", range: start.upperBound..<r.raw.endIndex) else {
            Issue.record("no training output in:\n\(r.raw)"); return
        }
        let training = String(r.raw[start.upperBound..<end.lowerBound])
        let escape = try Regex("\u{1b}\\[[0-9;?]*[ -/]*[@-~]")
        let visible = training.replacing(escape, with: "")
        // Every redraw (the text after each carriage return) fits in 60 columns.
        let redraws = visible.split(omittingEmptySubsequences: true) { $0 == "\r" || $0 == "\n" }.map(String.init)
        #expect(redraws.count > 20, "the line was redrawn only \(redraws.count) times:\n\(visible)")
        let widest = redraws.max { $0.count < $1.count } ?? ""
        #expect(widest.count <= 60, "a redraw is \(widest.count) columns wide: '\(widest)'")
        // Rows left on the screen: one per finished phase at most, the last one the
        // run's final line (the redraws in between overwrite each other).
        let rows = visible.split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.split(separator: "\r").last.map(String.init) ?? "" }
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(rows.count >= 1 && rows.count <= 3, "rows left after training: \(rows)")
        #expect(rows.last?.contains("finished") == true, "last row: \(rows.last ?? "-")")
        #expect(rows.last?.contains("step 900") == true)
    }
}
