// Parser: a Pratt parser from tokens to the AST.
// What stays true here: expression parsing is driven by one rule table (one
// row per token: prefix parser, infix parser, precedence); each parse
// function starts with the grammar rule it implements; every syntax error
// says what was expected and where, and marks errors at end of input as
// incomplete (the REPL then asks for more lines). Nesting is bounded so deep
// input gives an error, never a native stack overflow.

enum Precedence: Int, Comparable {
    case none, or, and, not, comparison, term, factor, unary, power, call
    static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }
}

struct ParseRule {
    var prefix: ((Parser) -> (Token) throws(ScriptError) -> Expr)?
    var infix: ((Parser) -> (Expr, Token) throws(ScriptError) -> Expr)?
    var precedence: Precedence
}

final class Parser {
    static let maxDepth = 200
    static let maxChain = 2000

    /// The rule table: one row per token kind.
    static let rules: [ParseRule] = {
        let table: [TokenKind: ParseRule] = [
            .number:       ParseRule(prefix: Parser.literal, infix: nil, precedence: .none),
            .string:       ParseRule(prefix: Parser.literal, infix: nil, precedence: .none),
            .interpString: ParseRule(prefix: Parser.interpolation, infix: nil, precedence: .none),
            .kwTrue:       ParseRule(prefix: Parser.literal, infix: nil, precedence: .none),
            .kwFalse:      ParseRule(prefix: Parser.literal, infix: nil, precedence: .none),
            .kwNil:        ParseRule(prefix: Parser.literal, infix: nil, precedence: .none),
            .identifier:   ParseRule(prefix: Parser.identifier, infix: nil, precedence: .none),
            .leftParen:    ParseRule(prefix: Parser.grouping, infix: Parser.call, precedence: .call),
            .leftBracket:  ParseRule(prefix: Parser.listLiteral, infix: Parser.index, precedence: .call),
            .leftBrace:    ParseRule(prefix: Parser.dictLiteral, infix: nil, precedence: .none),
            .dot:          ParseRule(prefix: nil, infix: Parser.member, precedence: .call),
            .minus:        ParseRule(prefix: Parser.unary, infix: Parser.binary, precedence: .term),
            .plus:         ParseRule(prefix: nil, infix: Parser.binary, precedence: .term),
            .star:         ParseRule(prefix: nil, infix: Parser.binary, precedence: .factor),
            .slash:        ParseRule(prefix: nil, infix: Parser.binary, precedence: .factor),
            .slashSlash:   ParseRule(prefix: nil, infix: Parser.binary, precedence: .factor),
            .percent:      ParseRule(prefix: nil, infix: Parser.binary, precedence: .factor),
            .at:           ParseRule(prefix: nil, infix: Parser.binary, precedence: .factor),
            .starStar:     ParseRule(prefix: nil, infix: Parser.binary, precedence: .power),
            .equalEqual:   ParseRule(prefix: nil, infix: Parser.binary, precedence: .comparison),
            .bangEqual:    ParseRule(prefix: nil, infix: Parser.binary, precedence: .comparison),
            .less:         ParseRule(prefix: nil, infix: Parser.binary, precedence: .comparison),
            .lessEqual:    ParseRule(prefix: nil, infix: Parser.binary, precedence: .comparison),
            .greater:      ParseRule(prefix: nil, infix: Parser.binary, precedence: .comparison),
            .greaterEqual: ParseRule(prefix: nil, infix: Parser.binary, precedence: .comparison),
            .kwAnd:        ParseRule(prefix: nil, infix: Parser.logical, precedence: .and),
            .kwOr:         ParseRule(prefix: nil, infix: Parser.logical, precedence: .or),
            .kwNot:        ParseRule(prefix: Parser.unary, infix: Parser.membership, precedence: .comparison),
            .kwIn:         ParseRule(prefix: nil, infix: Parser.membership, precedence: .comparison),
            .kwFn:         ParseRule(prefix: Parser.functionExpr, infix: nil, precedence: .none),
            .kwIf:         ParseRule(prefix: Parser.ifExpr, infix: nil, precedence: .none),
        ]
        return TokenKind.allCases.map { table[$0] ?? ParseRule(prefix: nil, infix: nil, precedence: .none) }
    }()

    let file: String
    let source: String
    var tokens: [Token]
    var current = 0
    var depth = 0
    var functionStack: [FunctionNode] = []

    init(file: String, source: String, tokens: [Token]) {
        self.file = file; self.source = source; self.tokens = tokens
    }

    /// Lexes and parses a whole chunk.
    static func parse(file: String, source: String) throws(ScriptError) -> [Stmt] {
        var lexer = Lexer(file: file, source: source)
        let tokens: [Token]
        do { tokens = try lexer.tokenize() } catch {
            throw ScriptError(kind: .syntax, message: error.message, location: error.location,
                              sourceLine: sourceLine(source, error.location.line), isIncomplete: error.incomplete)
        }
        let p = Parser(file: file, source: source, tokens: tokens)
        return try p.program()
    }

    // MARK: - Token helpers

    var peek: Token { tokens[current] }
    var peekKind: TokenKind { tokens[current].kind }

    @discardableResult
    func advance() -> Token {
        let t = tokens[current]
        if t.kind != .eof { current += 1 }
        return t
    }

    func check(_ k: TokenKind) -> Bool { peekKind == k }

    func match(_ k: TokenKind) -> Bool {
        if peekKind == k { advance(); return true }
        return false
    }

    func skipNewlines() { while peekKind == .newline { advance() } }

    /// True when the next non-newline token is `k` (newlines are then skipped).
    func matchAcrossNewlines(_ k: TokenKind) -> Bool {
        var i = current
        while tokens[i].kind == .newline { i += 1 }
        if tokens[i].kind == k { current = i; return true }
        return false
    }

    func error(_ message: String, at token: Token) -> ScriptError {
        let loc = token.location
        return ScriptError(kind: .syntax, message: message, location: loc,
                           sourceLine: sourceLine(source, loc.line), isIncomplete: token.kind == .eof)
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "end of input"
        case .newline: return "end of line"
        case .string, .interpString: return "a string"
        case .number: return "number '\(t.text)'"
        case .identifier: return "name '\(t.text)'"
        default: return "'\(t.text)'"
        }
    }

    func expect(_ k: TokenKind, _ what: String) throws(ScriptError) -> Token {
        if peekKind == k { return advance() }
        throw error("expected \(what), found \(describe(peek))", at: peek)
    }

    /// Expects the closing bracket `k` of an opener at `open`.
    func expectClose(_ k: TokenKind, _ close: String, open: Token) throws(ScriptError) {
        if peekKind == k { advance(); return }
        throw error("expected '\(close)' to close '\(open.text)' opened at \(open.location.line):\(open.location.column), found \(describe(peek))", at: peek)
    }

    func enter(_ at: Token) throws(ScriptError) {
        depth += 1
        if depth > Parser.maxDepth { throw error("nested too deeply (more than \(Parser.maxDepth) levels)", at: at) }
    }
    func leave() { depth -= 1 }

    // MARK: - Statements

    /// program -> { statement ( NEWLINE | ';' ) } EOF
    func program() throws(ScriptError) -> [Stmt] {
        var out: [Stmt] = []
        skipSeparators()
        while !check(.eof) {
            out.append(try statement())
            if !check(.eof) { try endOfStatement() }
            skipSeparators()
        }
        return out
    }

    func skipSeparators() { while peekKind == .newline || peekKind == .semicolon { advance() } }

    func endOfStatement() throws(ScriptError) {
        if peekKind == .newline || peekKind == .semicolon || peekKind == .rightBrace || peekKind == .eof { return }
        if peek.kind == .identifier && peek.text == "elif" {
            throw error("expected end of line or ';' after statement, found name 'elif' (lfr spells it 'else if')", at: peek)
        }
        throw error("expected end of line or ';' after statement, found \(describe(peek))", at: peek)
    }

    /// block -> '{' { statement ( NEWLINE | ';' ) } '}'
    func block() throws(ScriptError) -> [Stmt] {
        let open = try expect(.leftBrace, "'{'")
        try enter(open); defer { leave() }
        var out: [Stmt] = []
        skipSeparators()
        while !check(.rightBrace) {
            if check(.eof) { try expectClose(.rightBrace, "}", open: open) }
            out.append(try statement())
            try endOfStatement()
            skipSeparators()
        }
        advance()
        return out
    }

    /// statement -> letDecl | fnDecl | whileStmt | forStmt | 'break' | 'continue'
    ///            | returnStmt | importStmt | expression [ assignOp expression ]
    func statement() throws(ScriptError) -> Stmt {
        let t = peek
        switch t.kind {
        case .kwLet, .kwVar: return try declaration()
        case .kwFn where tokens[current + 1].kind == .identifier:
            advance()
            let fnNode = try functionRest(named: true, fnToken: t)
            return Stmt(.function(fnNode), t.location)
        case .kwWhile:
            // whileStmt -> 'while' expression block
            advance()
            let cond = try expression()
            let body = try block()
            return Stmt(.whileLoop(cond, body), t.location)
        case .kwFor:
            // forStmt -> 'for' ( NAME | namePattern ) 'in' expression block
            advance()
            var pattern: [String]? = nil
            let name: Token
            if check(.leftBracket) {
                name = peek
                pattern = try namePattern()
            } else {
                name = try expect(.identifier, "a loop variable name (or a pattern [a, b]) after 'for'")
            }
            _ = try expect(.kwIn, "'in' after the loop variable")
            let iter = try expression()
            let body = try block()
            let loopName = pattern == nil ? String(name.text) : "(\(pattern!.joined(separator: ", ")))"
            return Stmt(.forLoop(name: loopName, pattern: pattern, iterable: iter, body: body), name.location)
        case .kwBreak: advance(); return Stmt(.breakStmt, t.location)
        case .kwContinue: advance(); return Stmt(.continueStmt, t.location)
        case .kwReturn:
            // returnStmt -> 'return' [ expression ]
            advance()
            if [.newline, .semicolon, .rightBrace, .eof].contains(peekKind) { return Stmt(.returnStmt(nil), t.location) }
            return Stmt(.returnStmt(try expression()), t.location)
        case .kwImport:
            // importStmt -> 'import' ( STRING | NAME { '.' NAME } )
            advance()
            if check(.string) { let s = advance(); return Stmt(.importStmt(s.stringValue, isPath: true), t.location) }
            var name = String(try expect(.identifier, "a module name or a path string after 'import'").text)
            while match(.dot) { name += "/" + String(try expect(.identifier, "a name after '.'").text) }
            return Stmt(.importStmt(name, isPath: false), t.location)
        default:
            let e = try expression()
            let opTok = peek
            var op: BinaryOp? = nil
            switch opTok.kind {
            case .equal: op = nil
            case .plusEqual: op = .add
            case .minusEqual: op = .sub
            case .starEqual: op = .mul
            case .slashEqual: op = .div
            case .slashSlashEqual: op = .floorDiv
            case .percentEqual: op = .mod
            default: return Stmt(.expression(e), t.location)
            }
            advance()
            switch e.kind {
            case .identifier, .index, .member: break
            default: throw error("cannot assign to this expression (only names, a[i] and a.b can be assigned)", at: opTok)
            }
            skipNewlines()
            let value = try expression()
            return Stmt(.assign(target: e, op: op, value: value), opTok.location)
        }
    }

    /// letDecl -> ( 'let' | 'var' ) NAME [ '=' expression ]   (let needs the value)
    ///          | ( 'let' | 'var' ) namePattern '=' expression
    func declaration() throws(ScriptError) -> Stmt {
        let kw = advance()
        let isConst = kw.kind == .kwLet
        if check(.leftBracket) {
            let open = peek
            let names = try namePattern()
            _ = try expect(.equal, "'=' and a list after '\(kw.text) [\(names.joined(separator: ", "))]'")
            skipNewlines()
            return Stmt(.destructure(isConstant: isConst, names: names, try expression()), open.location)
        }
        let name = try expect(.identifier, "a name after '\(kw.text)'")
        var value: Expr? = nil
        if match(.equal) {
            skipNewlines()
            value = try expression()
            if let v = value, case .function(let node) = v.kind, node.name == "<anonymous>" { node.boundName = String(name.text) }
        } else if isConst {
            throw error("expected '=' and a value after 'let \(name.text)' (use 'var' for a variable without a value)", at: peek)
        }
        return Stmt(.declaration(isConstant: isConst, name: String(name.text), value), name.location)
    }

    /// namePattern -> '[' NAME { ',' NAME } [','] ']'   (distinct names)
    func namePattern() throws(ScriptError) -> [String] {
        let open = try expect(.leftBracket, "'['")
        var names: [String] = []
        skipNewlines()
        while !check(.rightBracket) {
            let n = try expect(.identifier, "a name in the pattern")
            if names.contains(String(n.text)) { throw error("duplicate name '\(n.text)' in the pattern", at: n) }
            names.append(String(n.text))
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        try expectClose(.rightBracket, "]", open: open)
        if names.isEmpty { throw error("expected at least one name inside '[]'", at: open) }
        if names.count > 200 { throw error("too many names in the pattern (at most 200)", at: open) }
        return names
    }

    /// fnRest -> [ NAME ] '(' [ param { ',' param } [','] ] ')' block ;  param -> NAME [ (':' | '=') expression ]
    func functionRest(named: Bool, fnToken: Token) throws(ScriptError) -> FunctionNode {
        var name = "<anonymous>"
        var loc = fnToken.location
        if named {
            let n = try expect(.identifier, "a function name")
            name = String(n.text); loc = n.location
        }
        let open = try expect(.leftParen, "'(' to start the parameter list")
        var params: [Parameter] = []
        skipNewlines()
        var seenDefault = false
        while !check(.rightParen) {
            let p = try expect(.identifier, "a parameter name")
            if params.contains(where: { $0.name == String(p.text) }) {
                throw error("duplicate parameter '\(p.text)'", at: p)
            }
            var def: Expr? = nil
            if match(.colon) || match(.equal) {
                skipNewlines()
                def = try expression()
                seenDefault = true
            } else if seenDefault {
                throw error("parameter '\(p.text)' needs a default value because an earlier parameter has one", at: p)
            }
            params.append(Parameter(name: String(p.text), defaultValue: def, location: p.location))
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        try expectClose(.rightParen, ")", open: open)
        if params.count > 200 { throw error("too many parameters (at most 200)", at: open) }
        let node = FunctionNode(name: name, parameters: params, body: [], location: loc)
        node.parent = functionStack.last
        functionStack.append(node)
        defer { functionStack.removeLast() }
        let body = try block()
        node.body = body
        if body.count > 1, case .expression(let e) = body[0].kind, case .string(let s) = e.kind { node.doc = s }
        return node
    }

    // MARK: - Expressions

    /// expression -> Pratt loop over the rule table, starting at 'or'
    func expression() throws(ScriptError) -> Expr { try parse(.or) }

    func parse(_ prec: Precedence) throws(ScriptError) -> Expr {
        let t = advance()
        try enter(t); defer { leave() }
        guard let prefix = Parser.rules[Int(t.kind.rawValue)].prefix else {
            throw error("expected an expression, found \(describe(t))", at: t)
        }
        var left = try prefix(self)(t)
        var chain = 0
        while true {
            // a '.' at the start of the next line continues a method chain
            if peekKind == .newline {
                var i = current
                while tokens[i].kind == .newline { i += 1 }
                if tokens[i].kind == .dot { current = i } else { break }
            }
            let rule = Parser.rules[Int(peekKind.rawValue)]
            guard let infix = rule.infix, prec <= rule.precedence else { break }
            let op = advance()
            // the compiler recurses down the left spine: bound its length too
            chain += 1
            if chain > Parser.maxChain { throw error("expression too long (more than \(Parser.maxChain) operators or calls in a row)", at: op) }
            left = try infix(self)(left, op)
        }
        return left
    }

    /// literal -> NUMBER | STRING | 'true' | 'false' | 'nil'
    func literal(_ t: Token) throws(ScriptError) -> Expr {
        switch t.kind {
        case .number: return Expr(.number(t.number), t.location)
        case .string: return Expr(.string(t.stringValue), t.location)
        case .kwTrue: return Expr(.boolean(true), t.location)
        case .kwFalse: return Expr(.boolean(false), t.location)
        default: return Expr(.nilLiteral, t.location)
        }
    }

    /// interpolation -> STRING with '\(' expression ')' pieces
    func interpolation(_ t: Token) throws(ScriptError) -> Expr {
        var parts: [Expr] = []
        for piece in t.pieces {
            switch piece {
            case .text(let s): parts.append(Expr(.string(s), t.location))
            case .code(let code, let loc):
                var lx = Lexer(file: file, source: code, line: loc.line, column: loc.column)
                let toks: [Token]
                do { toks = try lx.tokenize() } catch {
                    throw ScriptError(kind: .syntax, message: error.message, location: error.location,
                                      sourceLine: sourceLine(source, error.location.line))
                }
                let sub = Parser(file: file, source: source, tokens: toks)
                sub.depth = depth
                sub.functionStack = functionStack
                sub.skipNewlines()
                if sub.check(.eof) { throw error("empty interpolation '\\()' in string", at: t) }
                let e = try sub.expression()
                sub.skipNewlines()
                if !sub.check(.eof) {
                    var bad = sub.peek
                    bad.kind = .identifier   // not end of input: not an incomplete string
                    throw sub.error("expected ')' to end the interpolation, found \(sub.describe(sub.peek))", at: bad)
                }
                parts.append(e)
            }
        }
        return Expr(.interpolation(parts), t.location)
    }

    func identifier(_ t: Token) throws(ScriptError) -> Expr { Expr(.identifier(String(t.text)), t.location) }

    /// grouping -> '(' expression ')'
    func grouping(_ t: Token) throws(ScriptError) -> Expr {
        skipNewlines()
        let e = try expression()
        skipNewlines()
        try expectClose(.rightParen, ")", open: t)
        return e
    }

    /// list -> '[' [ expression { ',' expression } [','] ] ']'
    func listLiteral(_ t: Token) throws(ScriptError) -> Expr {
        var items: [Expr] = []
        skipNewlines()
        while !check(.rightBracket) {
            if check(.eof) { try expectClose(.rightBracket, "]", open: t) }
            items.append(try expression())
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        try expectClose(.rightBracket, "]", open: t)
        return Expr(.list(items), t.location)
    }

    /// dict -> '{' [ key ':' expression { ',' key ':' expression } [','] ] '}' ;  key -> NAME | expression
    func dictLiteral(_ t: Token) throws(ScriptError) -> Expr {
        var pairs: [(Expr, Expr)] = []
        skipNewlines()
        while !check(.rightBrace) {
            if check(.eof) { try expectClose(.rightBrace, "}", open: t) }
            let key: Expr
            if isNameLike(peekKind) && tokens[current + 1].kind == .colon {
                // a bare name is a string key, keywords included: {if: 1, for: 2}
                let k = advance()
                key = Expr(.string(String(k.text)), k.location)
            } else {
                key = try expression()
            }
            _ = try expect(.colon, "':' after a dictionary key")
            skipNewlines()
            pairs.append((key, try expression()))
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        try expectClose(.rightBrace, "}", open: t)
        return Expr(.dict(pairs), t.location)
    }

    /// unary -> ( '-' | 'not' ) expression   ('-' binds tighter than '*', looser than '**')
    func unary(_ t: Token) throws(ScriptError) -> Expr {
        let operand = try parse(t.kind == .minus ? .unary : .not)
        return Expr(.unary(t.kind == .minus ? "-" : "not", operand), t.location)
    }

    /// binary -> expression OP expression   ('**' is right-associative)
    func binary(_ left: Expr, _ op: Token) throws(ScriptError) -> Expr {
        let rule = Parser.rules[Int(op.kind.rawValue)]
        skipNewlines()
        let next = op.kind == .starStar ? Precedence.unary : Precedence(rawValue: rule.precedence.rawValue + 1)!
        let right = try parse(next)
        let bop: BinaryOp
        switch op.kind {
        case .plus: bop = .add
        case .minus: bop = .sub
        case .star: bop = .mul
        case .slash: bop = .div
        case .slashSlash: bop = .floorDiv
        case .percent: bop = .mod
        case .starStar: bop = .pow
        case .at: bop = .matmul
        case .equalEqual: bop = .eq
        case .bangEqual: bop = .ne
        case .less: bop = .lt
        case .lessEqual: bop = .le
        case .greater: bop = .gt
        default: bop = .ge
        }
        return Expr(.binary(bop, left, right), op.location)
    }

    /// membership -> expression [ 'not' ] 'in' expression
    func membership(_ left: Expr, _ op: Token) throws(ScriptError) -> Expr {
        let negated = op.kind == .kwNot
        if negated { _ = try expect(.kwIn, "'in' after 'not' (as in x not in xs)") }
        skipNewlines()
        let right = try parse(.term)
        return Expr(.membership(left, right, negated: negated), op.location)
    }

    /// logical -> expression ( 'and' | 'or' ) expression   (short-circuit)
    func logical(_ left: Expr, _ op: Token) throws(ScriptError) -> Expr {
        skipNewlines()
        let right = try parse(op.kind == .kwAnd ? .not : .and)
        return Expr(.logical(isAnd: op.kind == .kwAnd, left, right), op.location)
    }

    /// call -> expression '(' [ arg { ',' arg } [','] ] ')' ;  arg -> [ NAME ':' ] expression
    func arguments(_ open: Token) throws(ScriptError) -> [Argument] {
        var args: [Argument] = []
        skipNewlines()
        while !check(.rightParen) {
            if check(.eof) { try expectClose(.rightParen, ")", open: open) }
            var label: String? = nil
            if check(.identifier) && tokens[current + 1].kind == .colon {
                let l = advance(); advance()
                label = String(l.text)
                if args.contains(where: { $0.label == label }) { throw error("argument '\(l.text)' given twice", at: l) }
                skipNewlines()
            } else if args.contains(where: { $0.label != nil }) {
                throw error("positional argument after a labelled one", at: peek)
            }
            args.append(Argument(label: label, value: try expression()))
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        try expectClose(.rightParen, ")", open: open)
        if args.count > 200 { throw error("too many arguments (at most 200)", at: open) }
        return args
    }

    func call(_ callee: Expr, _ open: Token) throws(ScriptError) -> Expr {
        let args = try arguments(open)
        if case .member(let obj, let name) = callee.kind {
            return Expr(.method(obj, name, args), callee.location)
        }
        // marked at the callee (its name), where a reader looks first
        return Expr(.call(callee, args), callee.location)
    }

    /// index -> expression '[' item { ',' item } ']' ;  item -> expression | [expr] ':' [expr] [ ':' [expr] ]
    func index(_ obj: Expr, _ open: Token) throws(ScriptError) -> Expr {
        var items: [IndexItem] = []
        skipNewlines()
        repeat {
            skipNewlines()
            var start: Expr? = nil
            if !check(.colon) { start = try expression() }
            if match(.colon) {
                var stop: Expr? = nil, step: Expr? = nil
                if ![.colon, .comma, .rightBracket].contains(peekKind) { stop = try expression() }
                if match(.colon) {
                    if ![.comma, .rightBracket].contains(peekKind) { step = try expression() }
                }
                items.append(.slice(start, stop, step))
            } else if let s = start {
                items.append(.single(s))
            }
            skipNewlines()
        } while match(.comma)
        try expectClose(.rightBracket, "]", open: open)
        if items.isEmpty { throw error("expected an index inside '[]'", at: open) }
        return Expr(.index(obj, items), open.location)
    }

    /// A name or a keyword: what may stand as a dict key or member name (`d.if`).
    func isNameLike(_ k: TokenKind) -> Bool {
        k == .identifier || (k.rawValue >= TokenKind.kwLet.rawValue && k.rawValue <= TokenKind.kwImport.rawValue)
    }

    /// member -> expression '.' ( NAME | keyword )
    func member(_ obj: Expr, _ dot: Token) throws(ScriptError) -> Expr {
        if isNameLike(peekKind) && peekKind != .identifier {
            let k = advance()
            return Expr(.member(obj, String(k.text)), k.location)
        }
        let name = try expect(.identifier, "a member name after '.'")
        return Expr(.member(obj, String(name.text)), name.location)
    }

    /// functionExpr -> 'fn' [ NAME ] '(' params ')' block
    func functionExpr(_ t: Token) throws(ScriptError) -> Expr {
        let named = check(.identifier)
        let node = try functionRest(named: named, fnToken: t)
        return Expr(.function(node), t.location)
    }

    /// ifExpr -> 'if' expression block { 'else' 'if' expression block } [ 'else' block ]
    /// (read in a loop: a chain of any length nests nothing)
    func ifExpr(_ t: Token) throws(ScriptError) -> Expr {
        try enter(t); defer { leave() }
        var branches: [(Expr, [Stmt])] = []
        var els: [Stmt]? = nil
        while true {
            let cond = try expression()
            branches.append((cond, try block()))
            guard matchAcrossNewlines(.kwElse) else { break }
            advance()
            if match(.kwIf) { continue }
            els = try block()
            break
        }
        return Expr(.ifExpr(branches, els), t.location)
    }
}
