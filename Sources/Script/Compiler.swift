// Compiler: turns a resolved AST into register bytecode (FunctionProto).
// What stays true here: locals live in registers [0, activeTop) of their
// frame, temporaries above them, allocated and freed in stack order; an
// expression compiled `into` a register writes that register last, after all
// of its operands have been read (so `x = x + 1` can target x directly);
// and/or/if, which write their target early, always go through a temporary
// when the target is a live local. Captured locals hold a cell in their
// register and are read with getCell/setCell.

final class FunctionState {
    let proto: FunctionProto
    let node: FunctionNode?
    let parent: FunctionState?
    var code: [Instruction] = []
    var locations: [SourceLocation] = []
    var constants: [Value] = []
    var numberConstants: [UInt64: Int] = [:]
    var stringConstants: [String: Int] = [:]
    var nextRegister = 0
    var activeTop = 0          // registers held by live locals (and loop state)
    var upvalueIndex: [ObjectIdentifier: Int] = [:]
    var loops: [LoopState] = []

    init(proto: FunctionProto, node: FunctionNode?, parent: FunctionState?) {
        self.proto = proto; self.node = node; self.parent = parent
    }
}

struct LoopState {
    var breakJumps: [Int] = []
    var continueJumps: [Int] = []
    var continueTarget: Int?       // known for while loops (backward jump)
    var registerTop: Int           // activeTop when the loop began
}

final class Compiler {
    static let maxRegisters = 30_000
    /// Items of a list literal (pairs of a dict literal) built per instruction.
    static let literalChunk = 64
    let file: String
    let source: String
    unowned let interpreter: Interpreter
    var fs: FunctionState!

    init(file: String, source: String, interpreter: Interpreter) {
        self.file = file; self.source = source; self.interpreter = interpreter
    }

    func error(_ message: String, _ loc: SourceLocation) -> ScriptError {
        ScriptError(kind: .syntax, message: message, location: loc, sourceLine: sourceLine(source, loc.line))
    }

    /// Compiles a chunk into a zero-parameter function that returns the value
    /// of its last expression statement (nil otherwise).
    func compileChunk(_ stmts: [Stmt]) throws(ScriptError) -> FunctionProto {
        let loc = SourceLocation(file: file, line: 1, column: 1)
        let proto = FunctionProto(name: "<main>", file: file, location: loc)
        fs = FunctionState(proto: proto, node: nil, parent: nil)
        let result = allocate(loc)
        try block(stmts, into: result, topLevel: true)
        emit(.ret, result, at: stmts.last?.location ?? loc)
        finish()
        return proto
    }

    private func finish() {
        fs.proto.finish(code: fs.code, locations: fs.locations, constants: fs.constants)
    }

    // MARK: - Emission helpers

    @discardableResult
    func emit(_ op: Op, _ a: Int = 0, _ b: Int = 0, _ c: Int = 0, at loc: SourceLocation) -> Int {
        fs.code.append(Instruction(op, a, b, c))
        fs.locations.append(loc)
        return fs.code.count - 1
    }

    func patch(_ at: Int, to target: Int) {
        switch fs.code[at].op {
        case .ltJump, .leJump, .ltJumpK, .leJumpK, .gtJumpK, .geJumpK: fs.code[at].c = Int32(target)
        default: fs.code[at].b = Int32(target)
        }
    }

    var here: Int { fs.code.count }

    func allocate(_ loc: SourceLocation) -> Int {
        let r = fs.nextRegister
        fs.nextRegister += 1
        if fs.nextRegister > fs.proto.frameSize { fs.proto.frameSize = fs.nextRegister }
        return r
    }

    func checkRegisters(_ loc: SourceLocation) throws(ScriptError) {
        if fs.nextRegister > Compiler.maxRegisters { throw error("function too large (more than \(Compiler.maxRegisters) registers for locals and temporaries; keep many values in a list or dict)", loc) }
    }

    func constant(_ v: Value) -> Int {
        switch v {
        case .number(let d):
            if let i = fs.numberConstants[d.bitPattern] { return i }
            fs.constants.append(v); fs.numberConstants[d.bitPattern] = fs.constants.count - 1
        case .string(let s):
            if let i = fs.stringConstants[s.value] { return i }
            fs.constants.append(v); fs.stringConstants[s.value] = fs.constants.count - 1
        default:
            fs.constants.append(v)
        }
        return fs.constants.count - 1
    }

    func global(_ name: String) throws(ScriptError) -> Int {
        if interpreter.globalIndex[name] == nil && interpreter.globalNames.count >= interpreter.globalCapacity {
            throw error("too many global names (at most \(interpreter.globalCapacity))", fs.proto.location)
        }
        return interpreter.globalSlot(name)
    }

    // MARK: - Blocks and statements

    /// Compiles statements in a new scope; the value of the last expression statement goes to `dest`.
    func block(_ stmts: [Stmt], into dest: Int?, topLevel: Bool = false) throws(ScriptError) {
        let savedNext = fs.nextRegister, savedTop = fs.activeTop
        fs.activeTop = max(fs.activeTop, fs.nextRegister)   // the target and anything below stay live
        for (i, s) in stmts.enumerated() {
            let isLast = i == stmts.count - 1
            if isLast, let dest, case .expression(let e) = s.kind {
                try expr(e, into: dest)
            } else {
                try statement(s, topLevel: topLevel)
                if isLast, let dest { emit(.loadNil, dest, at: s.location) }
            }
            fs.nextRegister = fs.activeTop
        }
        if stmts.isEmpty, let dest { emit(.loadNil, dest, at: fs.proto.location) }
        fs.nextRegister = savedNext
        fs.activeTop = savedTop
    }

    /// Declares a new local in the next register and makes it live.
    func declareLocal(_ d: Declaration, _ loc: SourceLocation) -> Int {
        // locals sit right above the live ones: temporaries are free between statements
        let r = allocate(loc)
        d.slot = r
        fs.activeTop = fs.nextRegister
        return r
    }

    func statement(_ s: Stmt, topLevel: Bool) throws(ScriptError) {
        let loc = s.location
        try checkRegisters(loc)
        switch s.kind {
        case .expression(let e):
            if case .ifExpr(let branches, let els) = e.kind {
                // an if statement: no value to keep
                var ends: [Int] = []
                for (i, (cond, then)) in branches.enumerated() {
                    let jNext = try conditionalJump(cond)
                    try block(then, into: nil)
                    if i < branches.count - 1 || els != nil { ends.append(emit(.jump, 0, 0, at: loc)) }
                    patch(jNext, to: here)
                }
                if let els { try block(els, into: nil) }
                for j in ends { patch(j, to: here) }
            } else {
                _ = try anyRegister(e)
            }
        case .declaration(let isConst, let name, let value):
            let d = s.declaration!
            if d.isGlobal {
                let t = allocate(loc)
                if let value { try expr(value, into: t) } else { emit(.loadNil, t, at: loc) }
                let g = try global(name)
                interpreter.globalIsConstant[g] = isConst
                emit(.defGlobal, t, g, at: loc)
            } else if let value, case .function(let f) = value.kind, d.isCaptured {
                // `let f = fn ...` whose body uses f: the cell exists before the closure
                let r = allocate(loc)
                emit(.loadNil, r, at: loc)
                emit(.newCell, r, at: loc)
                d.slot = r
                fs.activeTop = r + 1
                let t = allocate(loc)
                try closure(f, into: t)
                emit(.setCell, r, t, at: loc)
            } else {
                let r = allocate(loc)
                if let value { try expr(value, into: r) } else { emit(.loadNil, r, at: loc) }
                d.slot = r
                fs.activeTop = r + 1
                if d.isCaptured { emit(.newCell, r, at: loc) }
            }
        case .destructure(_, let names, let value):
            // the names' registers first, the list above them: unpack, then the names are live
            let first = fs.nextRegister
            for _ in names { _ = allocate(loc) }
            let t = allocate(loc)
            try expr(value, into: t)
            emit(.unpack, first, t, names.count, at: loc)
            let ds = s.patternDeclarations
            if ds.first?.isGlobal == true {
                for (i, d) in ds.enumerated() {
                    let g = try global(d.name)
                    interpreter.globalIsConstant[g] = d.isConstant
                    emit(.defGlobal, first + i, g, at: loc)
                }
            } else {
                for (i, d) in ds.enumerated() {
                    d.slot = first + i
                    if d.isCaptured { emit(.newCell, d.slot, at: loc) }
                }
                fs.activeTop = first + names.count
            }
        case .function(let f):
            let d = s.declaration!
            if d.isGlobal {
                let t = allocate(loc)
                try closure(f, into: t)
                let g = try global(f.name)
                interpreter.globalIsConstant[g] = false
                emit(.defGlobal, t, g, at: loc)
            } else {
                let r = declareLocal(d, loc)
                if d.isCaptured {
                    emit(.loadNil, r, at: loc)
                    emit(.newCell, r, at: loc)
                    let t = allocate(loc)
                    try closure(f, into: t)
                    emit(.setCell, r, t, at: loc)
                } else {
                    try closure(f, into: r)
                }
            }
        case .assign(let target, let op, let value):
            try assignment(target, op, value, loc)
        case .whileLoop(let cond, let body):
            // start: test cond; body; loop start
            let start = here
            fs.loops.append(LoopState(continueTarget: start, registerTop: fs.activeTop))
            let exit = try conditionalJump(cond)
            try block(body, into: nil)
            emit(.loop, 0, start, at: loc)
            let end = here
            patch(exit, to: end)
            let state = fs.loops.removeLast()
            for j in state.breakJumps { patch(j, to: end) }
        case .forLoop(_, _, let iterable, let body):
            // R[A] iterable/state, R[A+1], R[A+2] state, R[A+3] the loop variable
            let savedTop = fs.activeTop
            let a = allocate(loc)
            try expr(iterable, into: a)
            _ = allocate(loc); _ = allocate(loc)
            fs.activeTop = fs.nextRegister
            let varReg = declareLocal(s.declaration!, loc)
            let pattern = s.patternDeclarations
            let patternBase = fs.nextRegister
            for d in pattern { _ = declareLocal(d, loc) }
            let prep = emit(.forPrep, a, 0, at: iterable.location)
            let bodyStart = here
            if s.declaration!.isCaptured { emit(.newCell, varReg, at: loc) }
            if !pattern.isEmpty {
                emit(.unpack, patternBase, varReg, pattern.count, at: loc)
                for d in pattern where d.isCaptured { emit(.newCell, d.slot, at: loc) }
            }
            fs.loops.append(LoopState(continueTarget: nil, registerTop: fs.activeTop))
            try block(body, into: nil)
            let state = fs.loops.removeLast()
            let cont = here
            for j in state.continueJumps { patch(j, to: cont) }
            emit(.forLoop, a, bodyStart, at: loc)
            let end = here
            patch(prep, to: end)
            for j in state.breakJumps { patch(j, to: end) }
            fs.activeTop = savedTop
            fs.nextRegister = savedTop
        case .breakStmt:
            let j = emit(.jump, 0, 0, at: loc)
            fs.loops[fs.loops.count - 1].breakJumps.append(j)
        case .continueStmt:
            if let target = fs.loops[fs.loops.count - 1].continueTarget {
                emit(.loop, 0, target, at: loc)
            } else {
                let j = emit(.jump, 0, 0, at: loc)
                fs.loops[fs.loops.count - 1].continueJumps.append(j)
            }
        case .returnStmt(let value):
            if let value {
                emit(.ret, try anyRegister(value), at: loc)
            } else {
                let t = allocate(loc)
                emit(.loadNil, t, at: loc)
                emit(.ret, t, at: loc)
            }
        case .importStmt(let name, let isPath):
            emit(.importModule, 0, constant(.str(name)), isPath ? 1 : 0, at: loc)
        }
    }

    func assignment(_ target: Expr, _ op: BinaryOp?, _ value: Expr, _ loc: SourceLocation) throws(ScriptError) {
        switch target.kind {
        case .identifier(let name):
            if let d = target.declaration, !d.isGlobal {
                if d.function !== fs.node {
                    let u = upvalue(d)
                    let t = allocate(loc)
                    if let op {
                        emit(.getUpval, t, u, at: loc)
                        let v = try anyRegister(value)
                        emit(opcode(op), t, t, v, at: loc)
                    } else { try expr(value, into: t) }
                    emit(.setUpval, t, u, at: loc)
                } else if d.isCaptured {
                    let t = allocate(loc)
                    if let op {
                        emit(.getCell, t, d.slot, at: loc)
                        let v = try anyRegister(value)
                        emit(opcode(op), t, t, v, at: loc)
                    } else { try expr(value, into: t) }
                    emit(.setCell, d.slot, t, at: loc)
                } else if let op {
                    let v = try anyRegister(value)
                    emit(opcode(op), d.slot, d.slot, v, at: loc)
                } else {
                    try expr(value, into: d.slot)
                }
            } else {
                let g = try global(name)
                if interpreter.globalIsConstant[g] && target.declaration == nil {
                    throw error("cannot assign to '\(name)': it was declared with 'let' (use 'var' for a variable)", loc)
                }
                let t = allocate(loc)
                if let op {
                    emit(.getGlobal, t, g, at: target.location)
                    let v = try anyRegister(value)
                    emit(opcode(op), t, t, v, at: loc)
                } else { try expr(value, into: t) }
                emit(.setGlobal, t, g, at: target.location)
            }
        case .index(let obj, let items):
            if items.count == 1, case .single(let ie) = items[0] {
                let o = try anyRegister(obj)
                let i = try anyRegister(ie)
                let v: Int
                if let op {
                    v = allocate(loc)
                    emit(.getIndex, v, o, i, at: target.location)
                    let r = try anyRegister(value)
                    emit(opcode(op), v, v, r, at: loc)
                } else { v = try anyRegister(value) }
                emit(.setIndex, o, i, v, at: target.location)
            } else {
                let base = try indexOperands(obj, items)
                let v: Int
                if let op {
                    v = allocate(loc)
                    emit(.getIndexN, v, base, items.count, at: target.location)
                    let r = try anyRegister(value)
                    emit(opcode(op), v, v, r, at: loc)
                } else { v = try anyRegister(value) }
                emit(.setIndexN, base, v, items.count, at: target.location)
            }
        case .member(let obj, let name):
            let o = try anyRegister(obj)
            let k = constant(.str(name))
            let v: Int
            if let op {
                v = allocate(loc)
                emit(.getMember, v, o, k, at: target.location)
                let r = try anyRegister(value)
                emit(opcode(op), v, v, r, at: loc)
            } else { v = try anyRegister(value) }
            emit(.setMember, o, k, v, at: target.location)
        default:
            throw error("cannot assign to this expression", loc)
        }
    }

    // MARK: - Expressions

    func opcode(_ op: BinaryOp) -> Op {
        switch op {
        case .add: return .add
        case .sub: return .sub
        case .mul: return .mul
        case .div: return .div
        case .floorDiv: return .floorDiv
        case .mod: return .mod
        case .pow: return .pow
        case .matmul: return .matmul
        case .eq: return .eq
        case .ne: return .ne
        case .lt: return .lt
        case .le: return .le
        case .gt: return .gt
        case .ge: return .ge
        }
    }

    func constantOpcode(_ op: BinaryOp) -> Op? {
        switch op {
        case .add: return .addK
        case .sub: return .subK
        case .mul: return .mulK
        case .div: return .divK
        case .mod: return .modK
        default: return nil
        }
    }

    /// True when `e` names a local of this function that lives in its own register.
    func isPlainLocal(_ e: Expr) -> Bool {
        if case .identifier = e.kind, let d = e.declaration, !d.isGlobal, !d.isCaptured, d.function === fs.node { return true }
        return false
    }

    /// A register holding the value of `e`: a plain local's own register, or a new temporary.
    func anyRegister(_ e: Expr) throws(ScriptError) -> Int {
        if isPlainLocal(e), let d = e.declaration {
            return d.slot
        }
        let t = allocate(e.location)
        try expr(e, into: t)
        return t
    }

    /// Compiles the condition of an if/while; returns the jump to patch with the false target.
    func conditionalJump(_ cond: Expr) throws(ScriptError) -> Int {
        let saved = fs.nextRegister
        defer { fs.nextRegister = saved }
        if case .binary(let op, let l, let r) = cond.kind, op == .lt || op == .le || op == .gt || op == .ge {
            if case .number(let d) = r.kind {
                let a = try anyRegister(l)
                let k = constant(.number(d))
                switch op {
                case .lt: return emit(.ltJumpK, a, k, 0, at: cond.location)
                case .le: return emit(.leJumpK, a, k, 0, at: cond.location)
                case .gt: return emit(.gtJumpK, a, k, 0, at: cond.location)
                default: return emit(.geJumpK, a, k, 0, at: cond.location)
                }
            }
            let a = try anyRegister(l), b = try anyRegister(r)
            switch op {
            case .lt: return emit(.ltJump, a, b, 0, at: cond.location)
            case .le: return emit(.leJump, a, b, 0, at: cond.location)
            case .gt: return emit(.ltJump, b, a, 0, at: cond.location)
            default: return emit(.leJump, b, a, 0, at: cond.location)
            }
        }
        let c = try anyRegister(cond)
        return emit(.jumpIfFalse, c, 0, at: cond.location)
    }

    /// Compiles `e` so that its value ends up in register `dest`.
    func expr(_ e: Expr, into dest: Int) throws(ScriptError) {
        let loc = e.location
        let saved = fs.nextRegister
        defer { fs.nextRegister = saved }
        try checkRegisters(loc)
        switch e.kind {
        case .number(let d): emit(.loadK, dest, constant(.number(d)), at: loc)
        case .string(let s): emit(.loadK, dest, constant(.str(s)), at: loc)
        case .boolean(let b): emit(.loadBool, dest, b ? 1 : 0, at: loc)
        case .nilLiteral: emit(.loadNil, dest, at: loc)
        case .interpolation(let parts):
            let base = fs.nextRegister
            for p in parts { let r = allocate(loc); try expr(p, into: r) }
            emit(.concat, dest, base, parts.count, at: loc)
        case .identifier(let name):
            if let d = e.declaration, !d.isGlobal {
                if d.function !== fs.node { emit(.getUpval, dest, upvalue(d), at: loc) }
                else if d.isCaptured { emit(.getCell, dest, d.slot, at: loc) }
                else if d.slot != dest { emit(.move, dest, d.slot, at: loc) }
            } else {
                emit(.getGlobal, dest, try global(name), at: loc)
            }
        case .list(let items) where items.count <= Compiler.literalChunk:
            let base = fs.nextRegister
            for item in items { let r = allocate(loc); try expr(item, into: r) }
            emit(.newList, dest, base, items.count, at: loc)
        case .list(let items):
            // a long literal is built a chunk at a time, in a temporary (its
            // items may read the variable `dest` is), so it needs few registers
            let t = dest >= fs.activeTop ? dest : allocate(loc)
            let base = fs.nextRegister
            for start in stride(from: 0, to: items.count, by: Compiler.literalChunk) {
                let chunk = items[start..<min(items.count, start + Compiler.literalChunk)]
                for item in chunk { let r = allocate(loc); try expr(item, into: r) }
                emit(start == 0 ? .newList : .appendItems, t, base, chunk.count, at: loc)
                fs.nextRegister = base
            }
            if t != dest { emit(.move, dest, t, at: loc) }
        case .dict(let pairs):
            let t = pairs.count <= Compiler.literalChunk || dest >= fs.activeTop ? dest : allocate(loc)
            let base = fs.nextRegister
            for start in stride(from: 0, to: max(1, pairs.count), by: Compiler.literalChunk) {
                let chunk = pairs[start..<min(pairs.count, start + Compiler.literalChunk)]
                for (k, v) in chunk {
                    let rk = allocate(loc); try expr(k, into: rk)
                    let rv = allocate(loc); try expr(v, into: rv)
                }
                emit(start == 0 ? .newDict : .addPairs, t, base, chunk.count, at: loc)
                fs.nextRegister = base
            }
            if t != dest { emit(.move, dest, t, at: loc) }
        case .membership(let item, let container, let negated):
            let a = try anyRegister(item), b = try anyRegister(container)
            emit(.contains, dest, a, b, at: loc)
            if negated { emit(.not, dest, dest, at: loc) }
        case .unary(let op, let x):
            let r = try anyRegister(x)
            emit(op == "-" ? .neg : .not, dest, r, at: loc)
        case .binary(let op, let l, let r):
            if let kop = constantOpcode(op), case .number(let d) = r.kind {
                let a = try anyRegister(l)
                emit(kop, dest, a, constant(.number(d)), at: loc)
            } else if op == .add || op == .mul, case .number(let d) = l.kind {
                let b = try anyRegister(r)
                emit(op == .add ? .kAdd : .kMul, dest, b, constant(.number(d)), at: loc)
            } else if op == .add, !isPlainLocal(l), case .string(let text) = r.kind {
                let t = allocate(loc)
                try expr(l, into: t)
                emit(.addConsumeK, dest, t, constant(.str(text)), at: loc)
            } else if op == .add, !isPlainLocal(l) {
                // the left operand lives in a temporary that dies here: addConsume may
                // append to a string in it in place (`str(i) + ";"` allocates once)
                let t = allocate(loc)
                try expr(l, into: t)
                let b = try anyRegister(r)
                emit(.addConsume, dest, t, b, at: loc)
            } else {
                let a = try anyRegister(l), b = try anyRegister(r)
                emit(opcode(op), dest, a, b, at: loc)
            }
        case .logical(let isAnd, let l, let r):
            let t = dest >= fs.activeTop ? dest : allocate(loc)
            try expr(l, into: t)
            let j = emit(isAnd ? .jumpIfFalse : .jumpIfTrue, t, 0, at: loc)
            try expr(r, into: t)
            patch(j, to: here)
            if t != dest { emit(.move, dest, t, at: loc) }
        case .call(let callee, let args):
            // call in place when dest is the newest register (no move afterwards)
            let base = dest + 1 == fs.nextRegister && dest >= fs.activeTop ? dest : allocate(loc)
            try expr(callee, into: base)
            let site = try arguments(args, loc: loc, name: "")
            emit(.call, base, args.count, site, at: loc)
            if base != dest { emit(.move, dest, base, at: loc) }
        case .method(let obj, let name, let args):
            let base = dest + 1 == fs.nextRegister && dest >= fs.activeTop ? dest : allocate(loc)
            try expr(obj, into: base)
            var site = try arguments(args, loc: loc, name: name)
            if site < 0 {
                    fs.proto.callSites.append(CallSite(name: name, labels: Array(repeating: nil, count: args.count)))
                site = fs.proto.callSites.count - 1
            }
            emit(.invoke, base, args.count, site, at: loc)
            if base != dest { emit(.move, dest, base, at: loc) }
        case .member(let obj, let name):
            let o = try anyRegister(obj)
            emit(.getMember, dest, o, constant(.str(name)), at: loc)
        case .index(let obj, let items):
            if items.count == 1, case .single(let ie) = items[0] {
                let o = try anyRegister(obj), i = try anyRegister(ie)
                emit(.getIndex, dest, o, i, at: loc)
            } else {
                let base = try indexOperands(obj, items)
                emit(.getIndexN, dest, base, items.count, at: loc)
            }
        case .function(let f):
            try closure(f, into: dest)
        case .ifExpr(let branches, let els):
            let t = dest >= fs.activeTop ? dest : allocate(loc)
            var ends: [Int] = []
            for (cond, then) in branches {
                let jNext = try conditionalJump(cond)
                try block(then, into: t)
                ends.append(emit(.jump, 0, 0, at: loc))
                patch(jNext, to: here)
            }
            if let els { try block(els, into: t) } else { emit(.loadNil, t, at: loc) }
            for j in ends { patch(j, to: here) }
            if t != dest { emit(.move, dest, t, at: loc) }
        }
    }

    /// Puts the object and the index items in consecutive registers; returns the first.
    func indexOperands(_ obj: Expr, _ items: [IndexItem]) throws(ScriptError) -> Int {
        let base = allocate(obj.location)
        try expr(obj, into: base)
        for item in items {
            let r = allocate(obj.location)
            switch item {
            case .single(let x): try expr(x, into: r)
            case .slice(let a, let b, let c):
                let parts = fs.nextRegister
                for part in [a, b, c] {
                    let pr = allocate(obj.location)
                    if let part { try expr(part, into: pr) } else { emit(.loadNil, pr, at: obj.location) }
                }
                emit(.makeSlice, r, parts, at: obj.location)
                fs.nextRegister = r + 1
            }
        }
        return base
    }

    /// Compiles arguments into the registers after the callee; returns the call-site index or -1.
    func arguments(_ args: [Argument], loc: SourceLocation, name: String) throws(ScriptError) -> Int {
        for a in args {
            let r = allocate(a.value.location)
            try expr(a.value, into: r)
        }
        if args.contains(where: { $0.label != nil }) {
            fs.proto.callSites.append(CallSite(name: name, labels: args.map { $0.label }))
            return fs.proto.callSites.count - 1
        }
        return -1
    }

    /// The upvalue index of `d` in the current function, adding it (and in every enclosing function) if needed.
    func upvalue(_ d: Declaration) -> Int { upvalue(d, in: fs) }

    private func upvalue(_ d: Declaration, in state: FunctionState) -> Int {
        let id = ObjectIdentifier(d)
        if let i = state.upvalueIndex[id] { return i }
        let parent = state.parent!
        let source: UpvalueSource
        if d.function === parent.node {
            source = UpvalueSource(fromParentRegister: true, index: d.slot)
        } else {
            source = UpvalueSource(fromParentRegister: false, index: upvalue(d, in: parent))
        }
        state.proto.upvalues.append(source)
        state.upvalueIndex[id] = state.proto.upvalues.count - 1
        return state.proto.upvalues.count - 1
    }

    /// Compiles a nested function and emits the closure instruction into `dest`.
    func closure(_ f: FunctionNode, into dest: Int) throws(ScriptError) {
        let defaults = f.parameters.compactMap { $0.defaultValue }
        let defaultBase = fs.nextRegister
        for d in defaults { let r = allocate(d.location); try expr(d, into: r) }
        let proto = FunctionProto(name: f.boundName ?? f.name, file: file, location: f.location)
        proto.parameterNames = f.parameters.map { $0.name }
        proto.defaultCount = defaults.count
        proto.doc = f.doc
        let outer = fs!
        fs = FunctionState(proto: proto, node: f, parent: outer)
        for p in f.parameters { _ = declareLocal(p.declaration!, p.location) }
        for p in f.parameters where p.declaration!.isCaptured { emit(.newCell, p.declaration!.slot, at: p.location) }
        if let me = f.selfDeclaration {
            let r = declareLocal(me, f.location)
            emit(.loadSelf, r, at: f.location)
            if me.isCaptured { emit(.newCell, r, at: f.location) }
        }
        let result = allocate(f.location)
        try block(f.body, into: result)
        emit(.ret, result, at: f.body.last?.location ?? f.location)
        finish()
        fs = outer
        outer.proto.protos.append(proto)
        emit(.closure, dest, outer.proto.protos.count - 1, defaultBase, at: f.location)
    }
}
