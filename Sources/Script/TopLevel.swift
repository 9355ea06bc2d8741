// TopLevel: a script's top level as a document sees it: groups of
// consecutive statements and the comment blocks between them, with their
// line ranges (for reports: `lfr-repl --report`).
// What stays true here: the pieces cover every line of the source that
// holds a statement or a comment outside a statement, in source order, and
// never overlap; a piece of code is whole lines and whole statements (two
// statements that share a line are in one piece), so running the pieces in
// turn in one interpreter runs every statement once, in order; a blank line
// or a comment ends a piece; a line inside a statement (a comment in a
// function body, a line of a multi-line string) belongs to the statement.

/// One piece of a script's top level.
public struct TopLevelPiece: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// Consecutive top-level statements (no blank or comment line between them).
        case code
        /// A block of `#` comment lines: `text` is the comment with its `#` markers removed.
        case comment
    }
    public var kind: Kind
    /// 1-based, inclusive.
    public var firstLine: Int
    public var lastLine: Int
    /// Code: the lines as written. Comment: one line per comment line, `#` and one space removed.
    public var text: String
}

public enum TopLevel {
    /// The pieces of `source` (named `file` in errors); throws the syntax
    /// error a plain run would report first. A `#!` first line is not a comment piece.
    public static func pieces(of text: String, file: String) throws -> [TopLevelPiece] {
        // A byte order mark is not part of the program (as in `compile`).
        let source = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lexer = Lexer(file: file, source: Interpreter.strippingShebang(source))
        let tokens: [Token]
        do { tokens = try lexer.tokenize() } catch {
            throw ScriptError(kind: .syntax, message: error.message, location: error.location,
                              sourceLine: sourceLine(source, error.location.line), isIncomplete: error.incomplete)
        }
        let spans = try Parser(file: file, source: source, tokens: tokens).statementLineSpans()

        // Which lines statements cover.
        var inStatement = [Bool](repeating: false, count: lines.count + 2)
        for s in spans { for l in s where l <= lines.count { inStatement[l] = true } }

        var pieces: [TopLevelPiece] = []
        func isComment(_ l: Int) -> Bool {
            guard !inStatement[l] else { return false }
            if l == 1 && lines[0].hasPrefix("#!") { return false }
            return lines[l - 1].drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("#")
        }
        var l = 1
        while l <= lines.count {
            if inStatement[l] {
                let first = l
                while l <= lines.count && inStatement[l] { l += 1 }
                pieces.append(TopLevelPiece(kind: .code, firstLine: first, lastLine: l - 1,
                                            text: lines[(first - 1)..<(l - 1)].joined(separator: "\n")))
            } else if isComment(l) {
                let first = l
                var text: [String] = []
                while l <= lines.count && isComment(l) {
                    var c = lines[l - 1].drop(while: { $0 == " " || $0 == "\t" }).dropFirst()
                    if c.hasPrefix(" ") { c = c.dropFirst() }
                    text.append(String(c))
                    l += 1
                }
                pieces.append(TopLevelPiece(kind: .comment, firstLine: first, lastLine: l - 1, text: text.joined(separator: "\n")))
            } else {
                l += 1
            }
        }
        return pieces
    }
}

extension Interpreter {
    /// Parses, resolves and compiles `source` without running it: throws the
    /// error a plain run of it would throw before running anything.
    public func checkCompiles(_ source: String, file: String) throws {
        _ = try compile(Interpreter.strippingShebang(source), file: file)
    }
}

extension Parser {
    /// The line range of each top-level statement (the same walk as `program()`).
    func statementLineSpans() throws(ScriptError) -> [ClosedRange<Int>] {
        var out: [ClosedRange<Int>] = []
        skipSeparators()
        while !check(.eof) {
            let first = peek.location.line
            _ = try statement()
            // The statement's last line: that of the newline, ';' or end of
            // input that ends it (a string token may span lines, so its own
            // location, its first line, is not enough).
            let last = tokens[current - 1]
            let end = last.kind == .newline || ![.newline, .semicolon, .eof].contains(peekKind)
                ? last.location.line : peek.location.line
            out.append(first...max(first, end))
            if !check(.eof) { try endOfStatement() }
            skipSeparators()
        }
        return out
    }
}
