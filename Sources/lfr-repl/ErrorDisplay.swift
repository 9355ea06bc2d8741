// ErrorDisplay: how lfr-repl shows an error of the language or an interrupt
// (at the prompt and in batch mode alike).
// What stays true here: the first lines (location, message, source line and
// caret) are the language's own rendering; the call stack is shown here, with
// runs of identical frames folded into one line (`at deep (x.lfr:1) ×9,997`),
// so a stack overflow takes a few lines, and at most `frameLimit` lines
// before the outermost frames.
import Script

enum ErrorDisplay {
    static let frameLimit = 20

    /// A frame and how many times it repeats in a row.
    struct FoldedFrame: Equatable {
        var frame: StackFrame
        var count: Int
    }

    /// Consecutive identical frames (same function, file and line) as one.
    static func fold(_ stack: [StackFrame]) -> [FoldedFrame] {
        var out: [FoldedFrame] = []
        for f in stack {
            if let last = out.last, last.frame.function == f.function,
               last.frame.location.file == f.location.file, last.frame.location.line == f.location.line {
                out[out.count - 1].count += 1
            } else {
                out.append(FoldedFrame(frame: f, count: 1))
            }
        }
        return out
    }

    /// The `call stack` lines (empty for fewer than two frames).
    static func stackLines(_ stack: [StackFrame]) -> [String] {
        guard stack.count > 1 else { return [] }
        let folded = fold(stack)
        var lines = ["call stack (innermost first):"]
        for (i, f) in folded.enumerated() where i < frameLimit || i >= folded.count - 3 {
            var line = "  at \(f.frame.function) (\(f.frame.location.file):\(f.frame.location.line))"
            if f.count > 1 { line += " ×" + grouped(f.count) }
            lines.append(line)
            if i == frameLimit - 1 && folded.count > frameLimit + 3 {
                let hidden = folded[frameLimit..<(folded.count - 3)].reduce(0) { $0 + $1.count }
                lines.append("  ... \(grouped(hidden)) more frames ...")
            }
        }
        return lines
    }

    /// The full text of an error: the language's header, then the folded stack.
    static func render(_ error: ScriptError, color: Bool) -> String {
        var header = error
        header.stack = []
        var text: String
        if error.kind == .interrupted {
            text = Output.red("interrupted", color) + (error.location.map { " at \($0)" } ?? "")
            if let line = error.sourceLine, let loc = error.location {
                text += "\n    " + line.replacing("\t", with: " ")
                text += "\n    " + String(repeating: " ", count: max(0, loc.column - 1)) + "^"
            }
            if error.message != "interrupted" && !error.message.isEmpty { text += "\n" + error.message }
        } else {
            text = header.rendered(color: color)
        }
        let lines = stackLines(error.stack)
        if !lines.isEmpty { text += "\n" + lines.joined(separator: "\n") }
        return text
    }
}
