// Lexer: turns lfr source text into tokens, each with its file:line:col.
// What stays true here: every token carries the location of its first
// character; newlines are tokens (statements end at them) but runs of them
// collapse into one; a string with `\(expr)` interpolation is lexed into
// `.stringPart` pieces and the raw source of each embedded expression, which
// the parser re-lexes at the right offset so locations stay exact.

/// A position in a source file (1-based line and column).
public struct SourceLocation: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file; self.line = line; self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}

enum TokenKind: UInt8, CaseIterable {
    // literals and names
    case number, string, interpString, identifier
    // keywords
    case kwLet, kwVar, kwFn, kwIf, kwElse, kwWhile, kwFor, kwIn, kwBreak, kwContinue,
         kwReturn, kwAnd, kwOr, kwNot, kwTrue, kwFalse, kwNil, kwImport
    // punctuation
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace,
         comma, dot, colon, semicolon, newline
    // operators
    case plus, minus, star, slash, slashSlash, percent, starStar, at,
         equal, equalEqual, bangEqual, less, lessEqual, greater, greaterEqual,
         plusEqual, minusEqual, starEqual, slashEqual, slashSlashEqual, percentEqual, arrow
    case eof
}

/// One piece of an interpolated string: literal text or embedded source.
enum StringPiece {
    case text(String)
    case code(String, SourceLocation)
}

struct Token {
    var kind: TokenKind
    var text: Substring          // the exact source text (names, numbers)
    var location: SourceLocation
    var number: Double = 0
    var stringValue: String = ""       // decoded literal for .string
    var pieces: [StringPiece] = []     // for .interpString
}

/// A lexing problem; `incomplete` marks input that more lines could finish
/// (an unterminated string), which the REPL uses for its `...>` prompt.
struct LexError: Error {
    var message: String
    var location: SourceLocation
    var incomplete: Bool
}

/// The keyword spelled `word`, or nil. A switch rather than a dictionary: a
/// dictionary keyed by Substring is a generic type the runtime instantiates
/// (and checks conformances for) at start-up, which costs more than the
/// lookups it would save in the small sources typed at a prompt.
func keywordKind(_ word: Substring) -> TokenKind? {
    switch word {
    case "let": return .kwLet
    case "var": return .kwVar
    case "fn": return .kwFn
    case "if": return .kwIf
    case "else": return .kwElse
    case "while": return .kwWhile
    case "for": return .kwFor
    case "in": return .kwIn
    case "break": return .kwBreak
    case "continue": return .kwContinue
    case "return": return .kwReturn
    case "and": return .kwAnd
    case "or": return .kwOr
    case "not": return .kwNot
    case "true": return .kwTrue
    case "false": return .kwFalse
    case "nil": return .kwNil
    case "import": return .kwImport
    default: return nil
    }
}

struct Lexer {
    let file: String
    let source: String
    let bytes: [UInt8]
    var pos = 0
    var line: Int
    var column: Int

    init(file: String, source: String, line: Int = 1, column: Int = 1) {
        self.file = file
        self.source = source
        self.bytes = Array(source.utf8)
        self.line = line
        self.column = column
    }

    private func peek(_ ahead: Int = 0) -> UInt8 {
        let i = pos + ahead
        return i < bytes.count ? bytes[i] : 0
    }

    private mutating func advance() -> UInt8 {
        let c = bytes[pos]
        pos += 1
        if c == 10 { line += 1; column = 1 }
        else if c & 0xC0 != 0x80 { column += 1 }   // count characters, not UTF-8 continuation bytes
        return c
    }

    private func here() -> SourceLocation { SourceLocation(file: file, line: line, column: column) }

    private func text(_ from: Int, _ to: Int) -> Substring {
        let u = source.utf8
        let a = u.index(u.startIndex, offsetBy: from), b = u.index(u.startIndex, offsetBy: to)
        return source[a..<b]
    }

    /// Lexes the whole input. Consecutive newlines collapse into one token.
    mutating func tokenize() throws(LexError) -> [Token] {
        var out: [Token] = []
        while true {
            let t = try next()
            if t.kind == .newline, let last = out.last, last.kind == .newline { continue }
            if t.kind == .newline && out.isEmpty { continue }
            out.append(t)
            if t.kind == .eof { return out }
        }
    }

    mutating func next() throws(LexError) -> Token {
        // skip blanks and comments
        while pos < bytes.count {
            let c = peek()
            if c == 32 || c == 9 || c == 13 { _ = advance() }
            else if c == 35 { while pos < bytes.count && peek() != 10 { _ = advance() } }
            else if c == 92 && peek(1) == 10 { _ = advance(); _ = advance() }  // backslash line continuation
            else { break }
        }
        let start = pos
        let loc = here()
        func tok(_ k: TokenKind) -> Token { Token(kind: k, text: text(start, pos), location: loc) }
        if pos >= bytes.count { return Token(kind: .eof, text: "", location: loc) }
        let c = advance()
        switch c {
        case 10: return tok(.newline)
        case 40: return tok(.leftParen)
        case 41: return tok(.rightParen)
        case 91: return tok(.leftBracket)
        case 93: return tok(.rightBracket)
        case 123: return tok(.leftBrace)
        case 125: return tok(.rightBrace)
        case 44: return tok(.comma)
        case 58: return tok(.colon)
        case 59: return tok(.semicolon)
        case 64: return tok(.at)
        case 37: if peek() == 61 { _ = advance(); return tok(.percentEqual) }; return tok(.percent)
        case 43: if peek() == 61 { _ = advance(); return tok(.plusEqual) }; return tok(.plus)
        case 45:
            if peek() == 61 { _ = advance(); return tok(.minusEqual) }
            if peek() == 62 { _ = advance(); return tok(.arrow) }
            return tok(.minus)
        case 42:
            if peek() == 42 { _ = advance(); return tok(.starStar) }
            if peek() == 61 { _ = advance(); return tok(.starEqual) }
            return tok(.star)
        case 47:
            if peek() == 47 {
                _ = advance()
                if peek() == 61 { _ = advance(); return tok(.slashSlashEqual) }
                return tok(.slashSlash)
            }
            if peek() == 61 { _ = advance(); return tok(.slashEqual) }
            return tok(.slash)
        case 61: if peek() == 61 { _ = advance(); return tok(.equalEqual) }; return tok(.equal)
        case 33:
            if peek() == 61 { _ = advance(); return tok(.bangEqual) }
            throw LexError(message: "unexpected character '!' (use 'not' for negation)", location: loc, incomplete: false)
        case 60: if peek() == 61 { _ = advance(); return tok(.lessEqual) }; return tok(.less)
        case 62: if peek() == 61 { _ = advance(); return tok(.greaterEqual) }; return tok(.greater)
        case 46:
            if isDigit(peek()) { return try lexNumber(start: start, loc: loc) }
            return tok(.dot)
        case 34: return try lexString(loc: loc)
        default:
            if isDigit(c) { return try lexNumber(start: start, loc: loc) }
            if isIdentStart(c) {
                while pos < bytes.count && isIdentPart(peek()) { _ = advance() }
                let word = text(start, pos)
                return Token(kind: keywordKind(word) ?? .identifier, text: word, location: loc)
            }
            if c == 38 && peek() == 38 { throw LexError(message: "unexpected '&&' (lfr spells it 'and')", location: loc, incomplete: false) }
            if c == 124 && peek() == 124 { throw LexError(message: "unexpected '||' (lfr spells it 'or')", location: loc, incomplete: false) }
            if c < 32 || c == 127 {
                // a control byte (NUL from a binary file, say) is named, not printed raw
                let hex = String(c, radix: 16, uppercase: true)
                throw LexError(message: "unexpected control character U+\(String(repeating: "0", count: 4 - hex.count) + hex) in source", location: loc, incomplete: false)
            }
            let ch = text(start, min(bytes.count, start + utf8Length(c)))
            throw LexError(message: "unexpected character '\(ch)'", location: loc, incomplete: false)
        }
    }

    private func utf8Length(_ c: UInt8) -> Int {
        if c < 0x80 { return 1 }
        if c >= 0xF0 { return 4 }
        if c >= 0xE0 { return 3 }
        return 2
    }

    private mutating func lexNumber(start: Int, loc: SourceLocation) throws(LexError) -> Token {
        while isDigit(peek()) || peek() == 95 { _ = advance() }
        if peek() == 46 && isDigit(peek(1)) {
            _ = advance()
            while isDigit(peek()) || peek() == 95 { _ = advance() }
        } else if bytes[start] != 46 && peek() == 46 && !isIdentStart(peek(1)) && peek(1) != 46 {
            _ = advance()   // "1." is a number
        }
        if peek() == 101 || peek() == 69 {
            let save = (pos, line, column)
            _ = advance()
            if peek() == 43 || peek() == 45 { _ = advance() }
            if isDigit(peek()) {
                while isDigit(peek()) { _ = advance() }
            } else {
                (pos, line, column) = save
            }
        }
        let raw = text(start, pos)
        let cleaned = String(raw.filter { $0 != "_" })
        guard let value = Double(cleaned) else {
            throw LexError(message: "malformed number '\(raw)'", location: loc, incomplete: false)
        }
        if isIdentStart(peek()) {
            throw LexError(message: "malformed number: '\(raw)' is followed by a letter", location: here(), incomplete: false)
        }
        var t = Token(kind: .number, text: raw, location: loc)
        t.number = value
        return t
    }

    /// string -> '"' chars '"' | '"""' chars '"""'; escapes \n \t \r \\ \" \0 \u{XXXX}; \( expr ) interpolates
    private mutating func lexString(loc: SourceLocation) throws(LexError) -> Token {
        let triple = peek() == 34 && peek(1) == 34
        if triple {
            _ = advance(); _ = advance()
            // a newline right after the opening quotes is not part of the string
            if peek() == 10 { _ = advance() }
        }
        var pieces: [StringPiece] = []
        var buf: [UInt8] = []
        var hasCode = false
        while true {
            if pos >= bytes.count {
                throw LexError(message: "unterminated string", location: loc, incomplete: true)
            }
            let c = peek()
            if c == 34 {
                if !triple { _ = advance(); break }
                if peek(1) == 34 && peek(2) == 34 { _ = advance(); _ = advance(); _ = advance(); break }
                buf.append(advance()); continue
            }
            if c == 10 && !triple {
                throw LexError(message: "unterminated string (use \"\"\" for a multi-line string)", location: loc, incomplete: false)
            }
            if c == 92 {
                let escLoc = here()
                _ = advance()
                if pos >= bytes.count { throw LexError(message: "unterminated string", location: loc, incomplete: true) }
                let e = advance()
                switch e {
                case 110: buf.append(10)
                case 116: buf.append(9)
                case 114: buf.append(13)
                case 48: buf.append(0)
                case 92: buf.append(92)
                case 34: buf.append(34)
                case 10: break   // backslash-newline: continue the string on the next line
                case 117:
                    guard peek() == 123 else {
                        throw LexError(message: "expected '{' after \\u", location: escLoc, incomplete: false)
                    }
                    _ = advance()
                    var v: UInt32 = 0
                    var digits = 0
                    while let h = hexValue(peek()), digits < 8 { v = v * 16 + UInt32(h); _ = advance(); digits += 1 }
                    guard peek() == 125, digits > 0, let scalar = Unicode.Scalar(v) else {
                        throw LexError(message: "malformed \\u{...} escape", location: escLoc, incomplete: false)
                    }
                    _ = advance()
                    buf.append(contentsOf: Array(String(Character(scalar)).utf8))
                case 40:
                    // interpolation: scan to the matching ')', respecting nested strings
                    hasCode = true
                    if !buf.isEmpty { pieces.append(.text(String(decoding: buf, as: UTF8.self))); buf = [] }
                    let codeLoc = here()
                    let codeStart = pos
                    var depth = 1
                    while true {
                        if pos >= bytes.count {
                            throw LexError(message: "unterminated interpolation '\\(' in string", location: escLoc, incomplete: true)
                        }
                        let d = peek()
                        if d == 40 { depth += 1 }
                        else if d == 41 { depth -= 1; if depth == 0 { break } }
                        else if d == 34 {
                            // nested simple string inside the interpolation
                            _ = advance()
                            while pos < bytes.count && peek() != 34 {
                                if peek() == 92 { _ = advance() }
                                if pos < bytes.count { _ = advance() }
                            }
                            if pos >= bytes.count { continue }
                        } else if d == 10 && !triple {
                            throw LexError(message: "unterminated interpolation '\\(' in string", location: escLoc, incomplete: false)
                        }
                        _ = advance()
                    }
                    let code = String(text(codeStart, pos))
                    _ = advance()   // ')'
                    pieces.append(.code(code, codeLoc))
                default:
                    let ch = String(decoding: [e], as: UTF8.self)
                    throw LexError(message: "unknown escape '\\\(ch)' in string", location: escLoc, incomplete: false)
                }
                continue
            }
            buf.append(advance())
        }
        let start = loc
        if hasCode {
            if !buf.isEmpty { pieces.append(.text(String(decoding: buf, as: UTF8.self))) }
            var t = Token(kind: .interpString, text: "", location: start)
            t.pieces = pieces
            return t
        }
        var t = Token(kind: .string, text: "", location: start)
        t.stringValue = String(decoding: buf, as: UTF8.self)
        return t
    }
}

@inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
@inline(__always) func isIdentStart(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 || c >= 0x80 }
@inline(__always) func isIdentPart(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }
func hexValue(_ c: UInt8) -> Int? {
    if c >= 48 && c <= 57 { return Int(c - 48) }
    if c >= 97 && c <= 102 { return Int(c - 87) }
    if c >= 65 && c <= 70 { return Int(c - 55) }
    return nil
}
