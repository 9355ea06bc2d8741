// Output: writing to the terminal: stdout/stderr, colour decisions, timing.
// What stays true here: stdout is flushed before anything goes to stderr or a
// prompt is shown, so the two streams never appear out of order; colour is
// used only when the stream is a terminal, NO_COLOR is unset, TERM is not
// "dumb" and --no-color was not given.
import ScriptLibrary
import Glibc

enum Output {
    /// Writes `text` to stdout (no newline added).
    static func out(_ text: String) {
        fputs(text, stdout)
    }

    /// Writes `text` plus a newline to stderr, after flushing stdout.
    static func err(_ text: String) {
        fflush(stdout)
        fputs(text + "\n", stderr)
        fflush(stderr)
    }

    /// True if colour escapes may be written to file descriptor `fd`.
    static func colorEnabled(fd: Int32, allowed: Bool) -> Bool {
        guard allowed, isatty(fd) == 1 else { return false }
        if let nc = getenv("NO_COLOR"), nc.pointee != 0 { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return true
    }

    static func dim(_ s: String, _ on: Bool) -> String { on ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
    static func bold(_ s: String, _ on: Bool) -> String { on ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    static func red(_ s: String, _ on: Bool) -> String { on ? "\u{1B}[1;31m\(s)\u{1B}[0m" : s }
}

/// Wall-clock and CPU time of the process, read together (for `:time`).
struct TimePoint {
    var wall: Double
    var cpu: Double
    static func now() -> TimePoint { TimePoint(wall: ProcessClock.seconds(), cpu: ProcessClock.cpuSeconds()) }
}

/// `1.23 s`, `45.6 ms`, `789 µs`: three significant digits.
func formatDuration(_ seconds: Double) -> String {
    func three(_ x: Double) -> String {
        if x >= 100 { return String(Int(x.rounded())) }
        let digits = x >= 10 ? 1 : 2
        var s = String(Int((x * pow(10, Double(digits))).rounded()))
        while s.count <= digits { s = "0" + s }
        s.insert(".", at: s.index(s.endIndex, offsetBy: -digits))
        return s
    }
    if seconds >= 1 { return three(seconds) + " s" }
    if seconds >= 1e-3 { return three(seconds * 1e3) + " ms" }
    return three(max(0, seconds) * 1e6) + " µs"
}

/// Reads all of standard input as UTF-8 text.
func readStandardInput() -> String {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, 65536) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}
