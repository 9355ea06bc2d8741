// Diagnostics: the one public error type of the language and its renderer.
// What stays true here: every error that reaches a user is a ScriptError with
// a message and, whenever one is known, a location and the source line; the
// renderer prints `file:line:col: error: message`, the line, a caret, and the
// call stack (innermost first). Colour is off unless asked for.

/// One frame of an lfr call stack: the function and where it was executing.
public struct StackFrame: Sendable, Equatable {
    public var function: String
    public var location: SourceLocation
    public init(function: String, location: SourceLocation) {
        self.function = function; self.location = location
    }
}

/// An error in an lfr program: a syntax error, a runtime error, or an interrupt.
public struct ScriptError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case syntax, runtime, interrupted }
    public var kind: Kind
    public var message: String
    public var location: SourceLocation?
    /// The text of the source line at `location`, when known.
    public var sourceLine: String?
    /// Active calls when a runtime error happened, innermost first.
    public var stack: [StackFrame]
    /// True for syntax errors that more input could fix (open bracket or string).
    public var isIncomplete: Bool

    public init(kind: Kind, message: String, location: SourceLocation? = nil, sourceLine: String? = nil,
                stack: [StackFrame] = [], isIncomplete: Bool = false) {
        self.kind = kind; self.message = message; self.location = location
        self.sourceLine = sourceLine; self.stack = stack; self.isIncomplete = isIncomplete
    }

    public var description: String { rendered(color: false) }

    /// `file:line:col: error: message`, the source line with a caret, then the call stack.
    public func rendered(color: Bool = false) -> String {
        let red = color ? "\u{1B}[1;31m" : "", bold = color ? "\u{1B}[1m" : "",
            green = color ? "\u{1B}[1;32m" : "", reset = color ? "\u{1B}[0m" : ""
        var out = ""
        if let loc = location { out += "\(bold)\(loc.file):\(loc.line):\(loc.column):\(reset) " }
        out += "\(red)error:\(reset) \(bold)\(message)\(reset)"
        if let line = sourceLine, let loc = location {
            let (shown, caret) = ScriptError.window(line.replacing("\t", with: " "), column: loc.column)
            out += "\n    \(shown)\n    "
            out += String(repeating: " ", count: caret) + "\(green)^\(reset)"
        }
        if stack.count > 1 {
            out += "\ncall stack (innermost first):"
            let limit = 20
            for (i, f) in stack.enumerated() where i < limit || i >= stack.count - 3 {
                out += "\n  at \(f.function) (\(f.location.file):\(f.location.line))"
                if i == limit - 1 && stack.count > limit + 3 { out += "\n  ... \(stack.count - limit - 3) more frames ..." }
            }
        }
        return out
    }
}

extension ScriptError {
    /// At most `width` characters of a long source line around `column`
    /// (a generated 1 MB line is not printed whole), with "..." where it is
    /// cut; returns the text and the caret's offset in it.
    static func window(_ line: String, column: Int, width: Int = 120) -> (String, Int) {
        let scalars = Array(line.unicodeScalars)
        let at = max(0, column - 1)
        guard scalars.count > width else { return (line, at) }
        let start = max(0, min(at - width / 2, scalars.count - width))
        let end = min(scalars.count, start + width)
        var text = String(String.UnicodeScalarView(scalars[start..<end]))
        var caret = at - start
        if start > 0 { text = "..." + text; caret += 3 }
        if end < scalars.count { text += "..." }
        return (text, caret)
    }
}

/// Thrown by `exit(n)`: the host should stop and exit with `code`.
public struct ScriptExit: Error, Sendable {
    public var code: Int32
}

/// An error raised by native code (builtins, ScriptLibrary bindings) without
/// a location; the VM adds the location of the instruction that called it.
public struct RuntimeError: Error {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// Returns line `n` (1-based) of `source`, if it exists.
func sourceLine(_ source: String, _ n: Int) -> String? {
    var line = 1
    var start = source.startIndex
    var i = source.startIndex
    while i < source.endIndex {
        if source[i] == "\n" {
            if line == n { return String(source[start..<i]) }
            line += 1
            start = source.index(after: i)
        }
        i = source.index(after: i)
    }
    return line == n ? String(source[start...]) : nil
}
