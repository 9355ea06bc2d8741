// Resolver: the pass between parsing and code generation that binds every
// name to its declaration.
// What stays true here: after it runs, each identifier node points at the
// Declaration it uses (nil means a global looked up by name), every local
// that a nested function uses is marked captured (it will live in a cell),
// and misplaced `break`/`continue`/`return` are reported as syntax errors,
// as is a closure that names a local declared later in an enclosing function
// (it would otherwise read a global of that name, or fail as undefined).

/// One block's names, plus the names that closures inside it used before
/// any declaration was in sight (a later local of that name is an error).
private struct Scope {
    var names: [String: Declaration] = [:]
    var function: FunctionNode? = nil
    var usedEarly: [String: SourceLocation] = [:]
}

struct Resolver {
    let file: String
    let source: String
    private var scopes: [Scope] = []
    private var currentFunction: FunctionNode? = nil
    private var loopDepth = 0

    init(file: String, source: String) { self.file = file; self.source = source }

    private func error(_ message: String, _ loc: SourceLocation) -> ScriptError {
        ScriptError(kind: .syntax, message: message, location: loc, sourceLine: sourceLine(source, loc.line))
    }

    /// Resolves a whole chunk; its top-level declarations are globals.
    mutating func resolveChunk(_ stmts: [Stmt]) throws(ScriptError) {
        scopes = [Scope()]
        for s in stmts { try statement(s, topLevel: true) }
    }

    private mutating func declare(_ name: String, constant: Bool, at loc: SourceLocation, global: Bool) throws(ScriptError) -> Declaration {
        if !global, let use = scopes[scopes.count - 1].usedEarly[name] {
            throw error("'\(name)' is used in a function at \(use.line):\(use.column) before its declaration here (declare it before the function that uses it)", loc)
        }
        let d = Declaration(name: name, isConstant: constant, location: loc, function: currentFunction, isGlobal: global)
        scopes[scopes.count - 1].names[name] = d
        return d
    }

    private func lookup(_ name: String) -> Declaration? {
        for scope in scopes.reversed() { if let d = scope.names[name] { return d } }
        return nil
    }

    /// A name not declared in sight, used in `currentFunction`: remembered in
    /// the enclosing blocks of outer functions (not the top level, whose
    /// later names are globals that exist by the time a closure runs).
    private mutating func noteEarlyUse(_ name: String, _ loc: SourceLocation) {
        var i = scopes.count - 1
        while i >= 1 {
            if scopes[i].function !== currentFunction && scopes[i].usedEarly[name] == nil {
                scopes[i].usedEarly[name] = loc
            }
            i -= 1
        }
    }

    private mutating func pushScope() { scopes.append(Scope(function: currentFunction)) }

    private mutating func block(_ stmts: [Stmt]) throws(ScriptError) {
        pushScope()
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
                s.declaration = try declare(name, constant: isConst, at: s.location, global: global)
                try expr(v)
            } else {
                if let v = value { try expr(v) }
                s.declaration = try declare(name, constant: isConst, at: s.location, global: global)
            }
        case .function(let f):
            s.declaration = try declare(f.name, constant: false, at: f.location, global: global)
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
        case .destructure(let isConst, let names, let value):
            try expr(value)
            s.patternDeclarations = try names.map { name throws(ScriptError) in
                try declare(name, constant: isConst, at: s.location, global: global)
            }
        case .forLoop(let name, let pattern, let iterable, let body):
            try expr(iterable)
            loopDepth += 1; defer { loopDepth -= 1 }
            pushScope()
            defer { scopes.removeLast() }
            s.declaration = try declare(name, constant: false, at: s.location, global: false)
            for p in pattern ?? [] { s.patternDeclarations.append(try declare(p, constant: false, at: s.location, global: false)) }
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
        pushScope()
        defer { scopes.removeLast(); currentFunction = savedFunction; loopDepth = savedLoops }
        for i in f.parameters.indices {
            f.parameters[i].declaration = try declare(f.parameters[i].name, constant: false, at: f.parameters[i].location, global: false)
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
            } else {
                noteEarlyUse(name, e.location)
            }
        case .list(let items): for i in items { try expr(i) }
        case .dict(let pairs): for (k, v) in pairs { try expr(k); try expr(v) }
        case .unary(_, let x): try expr(x)
        case .binary(_, let l, let r): try expr(l); try expr(r)
        case .membership(let l, let r, _): try expr(l); try expr(r)
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
                let saved = currentFunction
                currentFunction = f
                pushScope()
                defer { scopes.removeLast() }
                f.selfDeclaration = try declare(f.name, constant: true, at: f.location, global: false)
                currentFunction = saved
                try function(f)
            } else {
                try function(f)
            }
        case .ifExpr(let branches, let els):
            for (cond, then) in branches {
                try expr(cond)
                try block(then)
            }
            if let els { try block(els) }
        }
    }
}
