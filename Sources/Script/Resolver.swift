// Resolver: the pass between parsing and code generation that binds every
// name to its declaration.
// What stays true here: after it runs, each identifier node points at the
// Declaration it uses (nil means a global looked up by name), every local
// that a nested function uses is marked captured (it will live in a cell),
// and misplaced `break`/`continue`/`return` are reported as syntax errors.

struct Resolver {
    let file: String
    let source: String
    private var scopes: [[String: Declaration]] = []
    private var currentFunction: FunctionNode? = nil
    private var loopDepth = 0

    init(file: String, source: String) { self.file = file; self.source = source }

    private func error(_ message: String, _ loc: SourceLocation) -> ScriptError {
        ScriptError(kind: .syntax, message: message, location: loc, sourceLine: sourceLine(source, loc.line))
    }

    /// Resolves a whole chunk; its top-level declarations are globals.
    mutating func resolveChunk(_ stmts: [Stmt]) throws(ScriptError) {
        scopes = [[:]]
        for s in stmts { try statement(s, topLevel: true) }
    }

    private mutating func declare(_ name: String, constant: Bool, at loc: SourceLocation, global: Bool) -> Declaration {
        let d = Declaration(name: name, isConstant: constant, location: loc, function: currentFunction, isGlobal: global)
        scopes[scopes.count - 1][name] = d
        return d
    }

    private func lookup(_ name: String) -> Declaration? {
        for scope in scopes.reversed() { if let d = scope[name] { return d } }
        return nil
    }

    private mutating func block(_ stmts: [Stmt]) throws(ScriptError) {
        scopes.append([:])
        defer { scopes.removeLast() }
        for s in stmts { try statement(s, topLevel: false) }
    }

    private mutating func statement(_ s: Stmt, topLevel: Bool) throws(ScriptError) {
        let global = topLevel && scopes.count == 1
        switch s.kind {
        case .expression(let e): try expr(e)
        case .declaration(let isConst, let name, let value):
            if let v = value, case .function = v.kind {
                // `let f = fn(n) { ... f(n - 1) }`: the lambda can call itself
                s.declaration = declare(name, constant: isConst, at: s.location, global: global)
                try expr(v)
            } else {
                if let v = value { try expr(v) }
                s.declaration = declare(name, constant: isConst, at: s.location, global: global)
            }
        case .function(let f):
            s.declaration = declare(f.name, constant: false, at: f.location, global: global)
            try function(f)
        case .assign(let target, _, let value):
            try expr(target)
            try expr(value)
            if case .identifier(let name) = target.kind, let d = target.declaration, d.isConstant {
                throw error("cannot assign to '\(name)': it was declared with 'let' at \(d.location.line):\(d.location.column) (use 'var' for a variable)", s.location)
            }
        case .whileLoop(let cond, let body):
            try expr(cond)
            loopDepth += 1; defer { loopDepth -= 1 }
            try block(body)
        case .forLoop(let name, let iterable, let body):
            try expr(iterable)
            loopDepth += 1; defer { loopDepth -= 1 }
            scopes.append([:])
            defer { scopes.removeLast() }
            s.declaration = declare(name, constant: false, at: s.location, global: false)
            for b in body { try statement(b, topLevel: false) }
        case .breakStmt:
            if loopDepth == 0 { throw error("'break' outside a loop", s.location) }
        case .continueStmt:
            if loopDepth == 0 { throw error("'continue' outside a loop", s.location) }
        case .returnStmt(let value):
            if currentFunction == nil { throw error("'return' outside a function", s.location) }
            if let v = value { try expr(v) }
        case .importStmt: break
        }
    }

    private mutating func function(_ f: FunctionNode) throws(ScriptError) {
        // defaults are evaluated where the function is defined
        for p in f.parameters { if let d = p.defaultValue { try expr(d) } }
        let savedFunction = currentFunction, savedLoops = loopDepth
        currentFunction = f
        loopDepth = 0
        scopes.append([:])
        defer { scopes.removeLast(); currentFunction = savedFunction; loopDepth = savedLoops }
        for i in f.parameters.indices {
            f.parameters[i].declaration = declare(f.parameters[i].name, constant: false, at: f.parameters[i].location, global: false)
        }
        for s in f.body { try statement(s, topLevel: false) }
    }

    private mutating func expr(_ e: Expr) throws(ScriptError) {
        switch e.kind {
        case .number, .string, .boolean, .nilLiteral: break
        case .interpolation(let parts): for p in parts { try expr(p) }
        case .identifier(let name):
            if let d = lookup(name) {
                e.declaration = d
                if !d.isGlobal && d.function !== currentFunction { d.isCaptured = true }
            }
        case .list(let items): for i in items { try expr(i) }
        case .dict(let pairs): for (k, v) in pairs { try expr(k); try expr(v) }
        case .unary(_, let x): try expr(x)
        case .binary(_, let l, let r): try expr(l); try expr(r)
        case .logical(_, let l, let r): try expr(l); try expr(r)
        case .call(let callee, let args): try expr(callee); for a in args { try expr(a.value) }
        case .method(let obj, _, let args): try expr(obj); for a in args { try expr(a.value) }
        case .member(let obj, _): try expr(obj)
        case .index(let obj, let items):
            try expr(obj)
            for item in items {
                switch item {
                case .single(let x): try expr(x)
                case .slice(let a, let b, let c):
                    if let a { try expr(a) }
                    if let b { try expr(b) }
                    if let c { try expr(c) }
                }
            }
        case .function(let f):
            if f.name != "<anonymous>" {
                // a named function expression sees its own name (a scope of its own,
                // around the parameters, so a parameter of that name wins)
                scopes.append([:])
                defer { scopes.removeLast() }
                let saved = currentFunction
                currentFunction = f
                f.selfDeclaration = declare(f.name, constant: true, at: f.location, global: false)
                currentFunction = saved
                try function(f)
            } else {
                try function(f)
            }
        case .ifExpr(let cond, let then, let els):
            try expr(cond)
            try block(then)
            if let els { try block(els) }
        }
    }
}
