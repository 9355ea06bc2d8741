// AST: the syntax tree the parser builds and the compiler walks once.
// What stays true here: every node carries the source location of the token
// that best names it (the operator of a binary expression, the '(' of a
// call); nodes are classes so the resolver can annotate identifiers with the
// declaration they refer to. The tree is compiled once and then dropped.

/// A declared name: a local, a parameter, a global.
final class Declaration {
    let name: String
    let isConstant: Bool
    let location: SourceLocation
    let function: FunctionNode?     // the function that owns it (nil: chunk top level)
    var isGlobal: Bool
    var isCaptured = false          // referenced from a nested function: lives in a cell
    var slot = -1                   // register, or global index
    init(name: String, isConstant: Bool, location: SourceLocation, function: FunctionNode?, isGlobal: Bool) {
        self.name = name; self.isConstant = isConstant; self.location = location
        self.function = function; self.isGlobal = isGlobal
    }
}

/// One parameter of a `fn`: `name` or `name: default`.
struct Parameter {
    var name: String
    var defaultValue: Expr?
    var location: SourceLocation
    var declaration: Declaration?
}

/// One argument at a call site: positional or labelled (`batch: 16`).
struct Argument {
    var label: String?
    var value: Expr
}

/// One item inside `a[...]`: an expression or a slice `start:stop:step`.
enum IndexItem {
    case single(Expr)
    case slice(Expr?, Expr?, Expr?)
}

/// A binary operator, as passed to `NativeObject.binary`.
public enum BinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", floorDiv = "//", mod = "%", pow = "**", matmul = "@"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
}

final class FunctionNode {
    var name: String
    var parameters: [Parameter]
    var body: [Stmt]
    var location: SourceLocation
    var doc: String?
    /// A named function expression (`fn fact(n) { ... fact(n - 1) }`): its
    /// own name, bound inside its body to the function itself.
    var selfDeclaration: Declaration?
    /// `let f = fn(x) { ... }`: the name messages and stack traces call it by.
    var boundName: String?
    weak var parent: FunctionNode?
    init(name: String, parameters: [Parameter], body: [Stmt], location: SourceLocation) {
        self.name = name; self.parameters = parameters; self.body = body; self.location = location
    }
}

final class Expr {
    enum Kind {
        case number(Double)
        case string(String)
        case interpolation([Expr])             // pieces, concatenated with str()
        case boolean(Bool)
        case nilLiteral
        case identifier(String)
        case list([Expr])
        case dict([(Expr, Expr)])
        case unary(String, Expr)               // "-" or "not"
        case binary(BinaryOp, Expr, Expr)
        case membership(Expr, Expr, negated: Bool)  // `x in xs`, `x not in xs`
        case logical(isAnd: Bool, Expr, Expr)
        case call(Expr, [Argument])
        case method(Expr, String, [Argument])  // a.f(x): one instruction, no bound-method object
        case member(Expr, String)
        case index(Expr, [IndexItem])
        case function(FunctionNode)
        /// `if c1 { } else if c2 { } ... else { }`: the chain is flat (any
        /// length without nesting); the final else may be absent.
        case ifExpr([(Expr, [Stmt])], [Stmt]?)
    }
    let kind: Kind
    let location: SourceLocation
    var declaration: Declaration?              // for .identifier, set by the resolver
    init(_ kind: Kind, _ location: SourceLocation) { self.kind = kind; self.location = location }
}

final class Stmt {
    enum Kind {
        case expression(Expr)
        case declaration(isConstant: Bool, name: String, Expr?)
        case destructure(isConstant: Bool, names: [String], Expr)   // `let [a, b] = pair`
        case function(FunctionNode)
        case assign(target: Expr, op: BinaryOp?, value: Expr)
        case whileLoop(Expr, [Stmt])
        case forLoop(name: String, pattern: [String]?, iterable: Expr, body: [Stmt])   // pattern: `for [k, v] in ...`
        case breakStmt
        case continueStmt
        case returnStmt(Expr?)
        case importStmt(String, isPath: Bool)
    }
    let kind: Kind
    let location: SourceLocation
    var declaration: Declaration?              // for declarations, functions, for-loop variables
    var patternDeclarations: [Declaration] = []   // the names of a destructuring `let [a, b]` or `for [k, v]`
    init(_ kind: Kind, _ location: SourceLocation) { self.kind = kind; self.location = location }
}
