// Native: the extension point through which Swift code adds values and
// functions to the language (ScriptLibrary binds tensors, models, datasets,
// schedules and runs through it).
// What stays true here: every native function has one shape (name, parameter
// specs, doc string, a body that gets validated arguments and returns a Value
// or throws); argument binding (positional, labelled, defaults, variadic) is
// done here once, so bodies never see a missing or unknown argument. Native
// objects subclass `NativeObject` and override what they support; everything
// they do not override fails with a clear error naming their type.

/// One parameter of a native function.
public struct Param: Sendable {
    public var name: String
    /// Used when the argument is not given; nil means the argument is required.
    public var defaultValue: DefaultValue?
    /// Collects all remaining positional arguments (only the last parameter).
    public var isVariadic: Bool
    /// Can only be passed by label (`seed: 1`), never by position.
    public var isLabelOnly: Bool

    /// Sendable default values for parameter specs.
    public enum DefaultValue: Sendable {
        case `nil`, bool(Bool), number(Double), string(String)
        var value: Value {
            switch self {
            case .nil: return .nil
            case .bool(let b): return .bool(b)
            case .number(let d): return .number(d)
            case .string(let s): return .str(s)
            }
        }
    }

    public init(_ name: String, default defaultValue: DefaultValue? = nil, variadic: Bool = false, labelOnly: Bool = false) {
        self.name = name; self.defaultValue = defaultValue; self.isVariadic = variadic; self.isLabelOnly = labelOnly
    }
}

/// A function implemented in Swift.
public final class NativeFunction {
    public let name: String
    public let parameters: [Param]
    public let doc: String
    public let body: (Arguments) throws -> Value
    let simple: Bool   // no variadic, no label-only parameter: positional fast path applies
    let defaultValues: [Value?]
    let parameterCount: Int
    /// Fewest positional arguments a simple call may pass: every parameter from here on has a default.
    let requiredCount: Int

    public init(name: String, parameters: [Param], doc: String, body: @escaping (Arguments) throws -> Value) {
        self.name = name; self.parameters = parameters; self.doc = doc; self.body = body
        self.simple = !parameters.contains { $0.isVariadic || $0.isLabelOnly }
        self.defaultValues = parameters.map { $0.defaultValue?.value }
        self.parameterCount = parameters.count
        self.requiredCount = (parameters.lastIndex { $0.defaultValue == nil } ?? -1) + 1
    }

    /// `name(a, b: 1, rest...)`: the signature line used by help.
    public var signature: String {
        let ps = parameters.map { p -> String in
            if p.isVariadic { return p.name + "..." }
            if let d = p.defaultValue { return "\(p.name): \(reprString(d.value))" }
            return p.name
        }
        return "\(name)(\(ps.joined(separator: ", ")))"
    }
}

/// The validated arguments of one native call, in parameter order (variadic
/// arguments, if any, come last). Accessors throw errors that name the
/// function and the parameter. Valid only during the call (it points into
/// the interpreter's registers, and the caller keeps `function` alive).
public struct Arguments {
    let base: UnsafeMutablePointer<Value>
    public let count: Int
    public unowned(unsafe) let function: NativeFunction
    public unowned(unsafe) let interpreter: Interpreter

    public subscript(_ i: Int) -> Value { i < count ? base[i] : .nil }

    /// All arguments from position `from` on (the variadic part).
    public func rest(from: Int) -> [Value] {
        from >= count ? [] : Array(UnsafeBufferPointer(start: base + from, count: count - from))
    }

    func paramName(_ i: Int) -> String {
        let ps = function.parameters
        if i < ps.count { return ps[i].name }
        return ps.last?.name ?? "argument"
    }

    public func fail(_ i: Int, _ expected: String) -> RuntimeError {
        RuntimeError("\(function.name): argument '\(paramName(i))' must be \(expected), got \(typeName(self[i]))")
    }

    public func number(_ i: Int) throws -> Double {
        if case .number(let d) = self[i] { return d }
        throw fail(i, "a number")
    }

    /// An integral number that fits in Int (and is not NaN or infinite).
    public func int(_ i: Int) throws -> Int {
        let d = try number(i)
        guard let n = exactInt(d) else {
            throw RuntimeError("\(function.name): argument '\(paramName(i))' \(integerComplaint(d))")
        }
        return n
    }

    public func string(_ i: Int) throws -> String {
        if case .string(let s) = self[i] { return s.value }
        throw fail(i, "a string")
    }

    public func bool(_ i: Int) throws -> Bool {
        if case .bool(let b) = self[i] { return b }
        throw fail(i, "a bool")
    }

    public func list(_ i: Int) throws -> ListObject {
        if case .list(let l) = self[i] { return l }
        throw fail(i, "a list")
    }

    public func dict(_ i: Int) throws -> DictObject {
        if case .dict(let d) = self[i] { return d }
        throw fail(i, "a dict")
    }

    public func callable(_ i: Int) throws -> Value {
        switch self[i] {
        case .function, .native: return self[i]
        default: throw fail(i, "a function")
        }
    }

    public func isNil(_ i: Int) -> Bool { if case .nil = self[i] { return true }; return false }

    // MARK: By name
    // Bodies read their arguments by the names the function declares
    // (`a.int("batch")`), never by position; a name the function does not
    // declare is a bug in the binding, reported as an internal error.

    /// The position of the parameter called `name`.
    public func position(_ name: String) throws -> Int {
        if let i = function.parameters.firstIndex(where: { $0.name == name }) { return i }
        throw RuntimeError("internal error: \(function.name) has no parameter '\(name)'")
    }

    public subscript(_ name: String) -> Value {
        guard let i = function.parameters.firstIndex(where: { $0.name == name }) else { return .nil }
        return self[i]
    }
    public func number(_ name: String) throws -> Double { try number(position(name)) }
    public func int(_ name: String) throws -> Int { try int(position(name)) }
    public func string(_ name: String) throws -> String { try string(position(name)) }
    public func bool(_ name: String) throws -> Bool { try bool(position(name)) }
    public func list(_ name: String) throws -> ListObject { try list(position(name)) }
    public func dict(_ name: String) throws -> DictObject { try dict(position(name)) }
    public func callable(_ name: String) throws -> Value { try callable(position(name)) }
    public func isNil(_ name: String) -> Bool { if case .nil = self[name] { return true }; return false }
    public func fail(_ name: String, _ expected: String) -> RuntimeError {
        fail((try? position(name)) ?? count, expected)
    }
    /// The variadic arguments (the last parameter's).
    public func rest(_ name: String) -> [Value] { rest(from: (try? position(name)) ?? count) }

    /// nil when the argument is nil, else the checked value.
    public func optionalNumber(_ name: String) throws -> Double? { isNil(name) ? nil : try number(name) }
    public func optionalInt(_ name: String) throws -> Int? { isNil(name) ? nil : try int(name) }
    public func optionalString(_ name: String) throws -> String? { isNil(name) ? nil : try string(name) }
    public func optionalBool(_ name: String) throws -> Bool? { isNil(name) ? nil : try bool(name) }
}

/// Converts an integral Double to Int, or nil (NaN, infinite, fractional, too large).
public func exactInt(_ d: Double) -> Int? {
    // range first (NaN fails it), then an exact round trip: no libm call
    guard d >= -9.0e15, d <= 9.0e15 else { return nil }
    let i = Int(d)
    return Double(i) == d ? i : nil
}

/// One item of an index list `a[i, 1:3, :]`, as a native object receives it.
public enum IndexArgument {
    case int(Int)
    /// `start:stop:step`, each optional (`:` alone is all three nil).
    case slice(start: Int?, stop: Int?, step: Int?)
    /// Any other value (a list, a mask, a string key...).
    case value(Value)
}

/// Base class of values implemented in Swift (tensors, models, datasets...).
/// Override what the type supports; the defaults raise clear errors.
open class NativeObject {
    public init() {}

    /// The name `type(x)` returns.
    open var typeName: String { "object" }
    /// How `print(x)` and the REPL show it.
    open var description: String { "<\(typeName)>" }
    /// A one-line summary (for `:vars`).
    open var summary: String { description }
    /// The text `help(x)` prints.
    open var helpText: String { "A value of type \(typeName)." }
    /// Bytes of memory the value holds (shown by the REPL's `:vars`); nil
    /// when it does not say. Must be cheap and free of side effects.
    open var memoryBytes: Int? { nil }
    /// Member names for completion: must be cheap and free of side effects.
    open var memberNames: [String] { [] }
    /// The members completion may read to complete what follows them
    /// (`model.config.`, `run.stats.`): only those whose `getMember` is cheap
    /// and free of side effects (no computing, no I/O).
    open var completableMembers: Set<String> { [] }

    /// `x.name`; methods are returned as `.native` functions (bound to self).
    open func getMember(_ name: String) throws -> Value {
        throw noMember(name)
    }
    /// The one "no member" error of every native value, with a "did you
    /// mean" among its `memberNames` for a near miss.
    public func noMember(_ name: String) -> RuntimeError {
        let best = memberNames.map { ($0, editDistance($0, name)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }
        return RuntimeError("\(typeName) has no member '\(name)'" + (best.map { " (did you mean '\($0.0)'?)" } ?? ""))
    }
    /// `x.name = value`.
    open func setMember(_ name: String, _ value: Value) throws {
        throw RuntimeError("cannot set member '\(name)' of \(typeName)")
    }
    /// `x op other` (selfOnLeft) or `other op x`; return nil when unsupported.
    open func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws -> Value? { nil }
    /// `-x`.
    open func negate() throws -> Value { throw RuntimeError("cannot negate a \(typeName)") }
    /// `x[items]`.
    open func getIndex(_ items: [IndexArgument]) throws -> Value {
        throw RuntimeError("\(typeName) cannot be indexed")
    }
    /// `x[items] = value`.
    open func setIndex(_ items: [IndexArgument], _ value: Value) throws {
        throw RuntimeError("\(typeName) does not support item assignment")
    }
    /// Number of items `for v in x` visits; nil if not iterable.
    open func iterationCount() throws -> Int? { nil }
    /// Item `i` of the iteration (0 <= i < iterationCount).
    open func iterationElement(_ i: Int) throws -> Value { .nil }
    /// `len(x)`; nil if it has no length.
    open func length() throws -> Int? { try iterationCount() }
    /// `x == other` (identity by default).
    open func isEqual(to other: Value) -> Bool {
        if case .object(let o) = other { return o === self }
        return false
    }
    /// Truthiness in `if x`.
    open var isTruthy: Bool { true }
}
