// ProgressLine: the one-line training progress display and the terminal
// width it must fit.
// What stays true here: `ProgressLine.render(width:)` is a pure function of
// the fields and the width; the line it returns is never wider than `width`
// characters and never ends in the middle of a word: whole fields are dropped,
// least useful first (ETA, then tok/s, lr, tokens, validation, phase); step
// and loss are the last to go. A run name (`compare` runs several) is not part
// of the line: `ProgressDisplay` prints it on a line of its own when it
// changes, so the redrawn line stays short. On a terminal the line is redrawn
// in place with `\r\e[K`, which clears one row only, so it must be narrower
// than the terminal; `TerminalSize` asks the kernel (TIOCGWINSZ) each time,
// so a resized window (SIGWINCH) is followed at the next update.
import CReadline
import Glibc

/// The fields of one progress update (nil: not known, not shown).
struct ProgressLine: Equatable {
    /// The run this line belongs to (`compare`'s run name), shown on its own line.
    var runName: String? = nil
    var step: Int
    var totalSteps: Int? = nil
    /// "2/3 focus": the phase's position and name.
    var phase: String? = nil
    var tokens: Int? = nil
    var totalTokens: Int? = nil
    var loss: Double
    var valLoss: Double? = nil
    var valPpl: Double? = nil
    var lr: Double? = nil
    var tokensPerSecond: Double? = nil
    var secondsLeft: Double? = nil

    static let separator = " | "

    /// The fields as shown, each with its priority (higher survives longer).
    var fields: [(text: String, priority: Int)] {
        var out: [(String, Int)] = []
        if let phase { out.append(("phase " + phase, 3)) }
        out.append(("step " + grouped(step) + (totalSteps.map { "/" + grouped($0) } ?? ""), 9))
        if let tokens { out.append((grouped(tokens) + (totalTokens.map { "/" + grouped($0) } ?? "") + " tok", 5)) }
        out.append(("loss " + fixed(loss, 4), 8))
        if let valLoss { out.append(("val " + fixed(valLoss, 4), 4)) }
        if let valPpl { out.append(("val ppl " + fixed(valPpl, 3), 4)) }
        if let lr { out.append(("lr " + scientific(lr), 6)) }
        if let tokensPerSecond { out.append((grouped(Int(tokensPerSecond.rounded())) + " tok/s", 2)) }
        if let secondsLeft { out.append(("ETA " + shortDuration(secondsLeft), 1)) }
        return out
    }

    /// The line with every field, whatever its width (for logs).
    var fullText: String { fields.map(\.text).joined(separator: ProgressLine.separator) }

    /// The line fitted to `width` characters: fields dropped lowest priority
    /// first; if step alone is too wide, the words of the line that fit.
    func render(width: Int) -> String {
        var kept = fields
        func text() -> String { kept.map(\.text).joined(separator: ProgressLine.separator) }
        while kept.count > 1 && text().count > width {
            let lowest = kept.indices.min { kept[$0].priority < kept[$1].priority }!
            kept.remove(at: lowest)
        }
        let line = text()
        if line.count <= width { return line }
        return wholeWords(line, width: width)
    }
}

/// The longest prefix of `text` made of whole words that fits in `width` characters.
func wholeWords(_ text: String, width: Int) -> String {
    var out = ""
    for word in text.split(separator: " ") {
        let candidate = out.isEmpty ? String(word) : out + " " + word
        if candidate.count > width { break }
        out = candidate
    }
    return out
}

/// Writes progress updates: redrawn in place on a terminal, one line per
/// `logEvery` steps (and every milestone) otherwise.
final class ProgressDisplay {
    let isTerminal: Bool
    /// Steps between plain log lines (the run's log_every; set per update).
    var logEvery: Int
    /// Where text goes (the interpreter's output, so captured output stays in order).
    let write: (String) -> Void
    private var shownRun: String?
    /// True while a redrawn line is on screen without its newline.
    private var lineOpen = false

    init(isTerminal: Bool, logEvery: Int, write: @escaping (String) -> Void) {
        self.isTerminal = isTerminal
        self.logEvery = max(1, logEvery)
        self.write = write
    }

    /// Shows one update; `milestone` lines (end of a phase or the run) stay on screen.
    func update(_ p: ProgressLine, milestone: Bool, message: String? = nil) {
        let note = message.map { "  (\($0))" } ?? ""
        if !isTerminal {
            guard milestone || p.step % logEvery == 0 else { return }
            if let run = p.runName, run != shownRun { shownRun = run; write(run + "\n") }
            write(p.fullText + note + "\n")
            return
        }
        // One column less than the terminal: a line that fills the last column
        // leaves some terminals waiting to wrap, and \r then misses the row.
        let width = max(1, TerminalSize.columns() - 1)
        var out = ""
        if let run = p.runName, run != shownRun {
            if lineOpen { out += "\n" }
            shownRun = run
            out += wholeWords(run, width: width) + "\n"
            lineOpen = false
        }
        let line = p.render(width: width)
        out += "\r\u{1B}[K" + line
        if milestone {
            let withNote = line + note
            if withNote.count <= width { out += note }
            out += "\n"
        }
        lineOpen = !milestone
        write(out)
    }

    /// Ends a redrawn line left open (before other output, or when training stops).
    func finish() {
        if lineOpen { write("\n") }
        lineOpen = false
    }
}

/// The terminal's width, asked of the kernel at each use (one ioctl, far
/// cheaper than the line it measures), so it follows every resize.
enum TerminalSize {
    /// Columns of the terminal on stdout (else stderr), $COLUMNS, else 80.
    static func columns() -> Int {
        var n = Int(lfr_terminal_columns(1))
        if n <= 0 { n = Int(lfr_terminal_columns(2)) }
        if n <= 0, let env = getenv("COLUMNS"), let v = Int(String(cString: env)), v > 0 { n = v }
        return n > 0 ? n : 80
    }
}

// MARK: - Number formats (no Foundation: start-up stays fast)

/// 1234567 -> "1,234,567".
func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
}

/// `x` with exactly `digits` decimals: fixed(2.34567, 4) == "2.3457".
func fixed(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf") }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (x.magnitude * scale).rounded()
    guard scaled < 9e15 else { return String(x) }
    var s = String(Int(scaled))
    while s.count <= digits { s = "0" + s }
    if digits > 0 { s.insert(".", at: s.index(s.endIndex, offsetBy: -digits)) }
    return (x < 0 && scaled != 0 ? "-" : "") + s
}

/// Two significant digits, exponent form below 0.01: 3e-4 -> "3.0e-4", 0.05 -> "0.050".
func scientific(_ x: Double) -> String {
    guard x.isFinite, x != 0 else { return x == 0 ? "0" : fixed(x, 0) }
    if x.magnitude >= 0.01 && x.magnitude < 1000 {
        var digits = 1
        var m = x.magnitude
        while m < 1 { m *= 10; digits += 1 }
        return fixed(x, min(digits, 6))
    }
    var exponent = 0
    var m = x.magnitude
    while m >= 10 { m /= 10; exponent += 1 }
    while m < 1 { m *= 10; exponent -= 1 }
    if (m * 10).rounded() >= 100 { m /= 10; exponent += 1 }
    return (x < 0 ? "-" : "") + fixed(m, 1) + "e" + String(exponent)
}

/// 42 -> "42s", 187 -> "3m07s", 3900 -> "1h05m".
func shortDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let t = Int(seconds.rounded())
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    if t >= 3600 { return "\(t / 3600)h\(two((t % 3600) / 60))m" }
    if t >= 60 { return "\(t / 60)m\(two(t % 60))s" }
    return "\(t)s"
}
