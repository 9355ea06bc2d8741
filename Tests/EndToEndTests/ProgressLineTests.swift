// ProgressLineTests: the progress line fitted to a terminal width, and the
// display that redraws it. The renderer lives in lfr-repl (the executable
// target); `@testable import lfr_repl` reaches it directly, as the completion
// tests do, so the pure function is tested without a terminal.
import Script
import Testing
@testable import lfr_repl

private let full = ProgressLine(step: 1200, totalSteps: 1500, phase: "2/3 focus", tokens: 1_228_800,
                                totalTokens: 1_536_000, loss: 2.345678, valPpl: 11.5, lr: 0.0003,
                                tokensPerSecond: 48_213.4, secondsLeft: 187)

@Suite("progress line")
struct ProgressLineTests {
    @Test("every field at a wide terminal")
    func wide() {
        #expect(full.render(width: 200) ==
                "phase 2/3 focus | step 1,200/1,500 | 1,228,800/1,536,000 tok | loss 2.3457 | val ppl 11.500 | lr 3.0e-4 | 48,213 tok/s | ETA 3m07s")
    }

    @Test("fits 40, 60, 80 and 120 columns, dropping ETA and tok/s first", arguments: [40, 60, 80, 120])
    func fits(width: Int) {
        let line = full.render(width: width)
        #expect(line.count <= width, "\(line.count) > \(width): \(line)")
        #expect(line.contains("step 1,200/1,500") && line.contains("loss 2.3457"))
        // Whole fields only: every field shown is one of the full line's fields.
        for part in line.components(separatedBy: " | ") {
            #expect(full.fields.map(\.text).contains(part), "broken field '\(part)'")
        }
        // A lower-priority field never survives a higher-priority one.
        if !line.contains("lr ") { #expect(!line.contains("tok/s") && !line.contains("ETA")) }
        if !line.contains("tok/s") { #expect(!line.contains("ETA")) }
    }

    @Test("what each width keeps")
    func widths() {
        #expect(full.render(width: 120) ==
                "phase 2/3 focus | step 1,200/1,500 | 1,228,800/1,536,000 tok | loss 2.3457 | val ppl 11.500 | lr 3.0e-4 | 48,213 tok/s")
        #expect(full.render(width: 100) ==
                "step 1,200/1,500 | 1,228,800/1,536,000 tok | loss 2.3457 | val ppl 11.500 | lr 3.0e-4")
        #expect(full.render(width: 80) == "step 1,200/1,500 | 1,228,800/1,536,000 tok | loss 2.3457 | lr 3.0e-4")
        #expect(full.render(width: 60) == "step 1,200/1,500 | loss 2.3457 | lr 3.0e-4")
        #expect(full.render(width: 40) == "step 1,200/1,500 | loss 2.3457")
        // Narrower than step alone: whole words, never a cut one.
        #expect(full.render(width: 12) == "step")
    }

    @Test("numbers: grouping, fixed decimals, lr, durations")
    func formats() {
        #expect(grouped(0) == "0" && grouped(999) == "999" && grouped(1000) == "1,000" && grouped(-1234567) == "-1,234,567")
        #expect(fixed(2.34567, 4) == "2.3457" && fixed(0.00004, 4) == "0.0000" && fixed(-1.5, 1) == "-1.5")
        #expect(scientific(3e-4) == "3.0e-4" && scientific(0.05) == "0.050" && scientific(1e-3) == "1.0e-3")
        #expect(shortDuration(42) == "42s" && shortDuration(187) == "3m07s" && shortDuration(3900) == "1h05m")
    }

    @Test("on a terminal: redrawn in place, a run name on its own line once, milestones kept")
    func display() {
        var written = ""
        let d = ProgressDisplay(isTerminal: true, logEvery: 10) { written += $0 }
        var p = full
        p.runName = "focus-0.5 (seed 1)"
        d.update(p, milestone: false)
        p.step = 1201
        d.update(p, milestone: false)
        p.step = 1500
        d.update(p, milestone: true, message: "phase done")
        p.runName = "baseline"
        p.step = 1
        d.update(p, milestone: false)
        d.finish()
        #expect(written.components(separatedBy: "focus-0.5 (seed 1)\n").count == 2)
        #expect(written.contains("\nbaseline\n"))
        #expect(written.components(separatedBy: "\r\u{1B}[K").count == 5)
        #expect(written.hasSuffix("\n"))
    }

    @Test("not a terminal: one full line every logEvery steps and at milestones")
    func log() {
        var written = ""
        let d = ProgressDisplay(isTerminal: false, logEvery: 10) { written += $0 }
        for step in 1...25 {
            var p = full
            p.step = step
            d.update(p, milestone: step == 25)
        }
        let lines = written.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.contains("ETA") && !$0.contains("\u{1B}") })
    }
}

@Suite("error display")
struct ErrorDisplayTests {
    @Test("identical frames fold into one line with a count")
    func folding() {
        let here = SourceLocation(file: "x.lfr", line: 1, column: 14)
        let main = SourceLocation(file: "x.lfr", line: 2, column: 1)
        let stack = Array(repeating: StackFrame(function: "deep", location: here), count: 9_997)
            + [StackFrame(function: "<main>", location: main)]
        #expect(ErrorDisplay.stackLines(stack) == ["call stack (innermost first):", "  at deep (x.lfr:1) ×9,997", "  at <main> (x.lfr:2)"])
    }
}
