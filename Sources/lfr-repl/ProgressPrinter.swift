// ProgressPrinter: how lfr-repl shows training progress (the bindings hand
// it plain ProgressReports through the library host; see ScriptLibrary's
// Host.swift).
// What stays true here: on a terminal, progress is one line redrawn in
// place, and a line that closes a phase or the run stays; elsewhere (a file,
// a pipe, LFR_PLAIN_PROGRESS set) it is plain log lines, one every
// log_every steps and one per milestone, flushed as they happen. Whatever
// is printed next starts on a fresh line (`end()`).
import Glibc
import ScriptLibrary

final class ProgressPrinter {
    let isTerminal: Bool
    /// True while a redrawn line is on screen without its newline.
    private var lineOpen = false

    init() {
        isTerminal = isatty(STDOUT_FILENO) == 1 && getenv("LFR_PLAIN_PROGRESS") == nil
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", (t % 3600) / 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t)s"
    }

    /// `12,345`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    func line(_ p: ProgressReport) -> String {
        var parts = [p.label,
                     "phase \(p.phase)/\(p.phaseCount) \(p.phaseName)",
                     "step \(p.step)",
                     "\(ProgressPrinter.grouped(p.tokens))\(p.totalTokens.map { "/" + ProgressPrinter.grouped($0) } ?? "") tok",
                     String(format: "loss %.4f", p.loss)].compactMap { $0 }
        if let v = p.valPpl { parts.append(String(format: "val ppl %.3f", v)) }
        parts.append("\(ProgressPrinter.grouped(Int(p.tokensPerSecond.rounded()))) tok/s")
        if let eta = p.secondsLeft, isTerminal { parts.append("ETA " + ProgressPrinter.duration(eta)) }
        return parts.joined(separator: " | ")
    }

    func report(_ p: ProgressReport) {
        let suffix = p.message.map { "  (\($0))" } ?? ""
        if isTerminal {
            if p.isMilestone {
                Output.out("\r\u{1B}[K" + line(p) + suffix + "\n")
                lineOpen = false
            } else {
                Output.out("\r\u{1B}[K" + line(p))
                lineOpen = true
            }
            fflush(stdout)
        } else if p.isMilestone || p.step % p.logEvery == 0 {
            Output.out(line(p) + suffix + "\n")
            fflush(stdout)      // log lines reach a file or pipe as they happen
        }
    }

    /// Ends a redrawn line so that other output starts on a fresh line.
    func end() {
        if lineOpen { Output.out("\n"); lineOpen = false }
    }
}
