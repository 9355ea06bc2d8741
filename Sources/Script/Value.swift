// Value: the representation of every lfr value.
// What stays true here: `Value` is a small enum; nil, bool and number carry
// trivial payloads (no reference counting); each heap kind has exactly one
// case holding a `final class` (one retain per copy, no existentials). The
// `cell` case is internal: it boxes a local captured by a closure and never
// escapes to user code. Lists and dicts have reference semantics (like
// Python); strings are immutable from the language's point of view (the VM
// appends in place only when nobody else can observe the string).
// The mutable stored properties of these objects are `@exclusivity(unchecked)`:
// the VM and the builtins touch them millions of times a second, and no code
// that modifies one (append, sort, remove...) calls back into lfr code or
// otherwise reaches the same property while the modification is in flight.
// Keep it that way: compute first, then assign.

public enum Value {
    case `nil`
    case bool(Bool)
    case number(Double)
    case string(StringObject)
    case list(ListObject)
    case dict(DictObject)
    case range(RangeObject)
    case function(Closure)
    case native(NativeFunction)
    case object(NativeObject)
    case cell(Cell)           // internal: a captured local
    case slice(SliceObject)   // internal: a `start:stop:step` index item in flight

    public static func str(_ s: String) -> Value { .string(StringObject(s)) }
    public static func list(_ items: [Value]) -> Value { .list(ListObject(items)) }
}

/// An immutable-looking string; `value` is only mutated in place by the VM
/// when the object is uniquely referenced. Its length in characters and the
/// way to character i are worked out once, on first use, and forgotten
/// whenever `value` changes, so `s.len` and `s[i]` cost O(1) in a loop.
public final class StringObject {
    @exclusivity(unchecked) public var value: String { didSet { characters = nil } }
    @exclusivity(unchecked) private var characters: CharacterIndex?
    public init(_ value: String) { self.value = value }

    /// The one-character strings of the ASCII characters, shared (never
    /// uniquely referenced, so the VM never appends to one in place).
    static let ascii: [StringObject] = (0..<128).map { StringObject(String(UnicodeScalar(UInt8($0)))) }

    private var index: CharacterIndex {
        if let c = characters { return c }
        let c = CharacterIndex(value)
        characters = c
        return c
    }

    /// The number of characters (grapheme clusters, as `for ch in s` visits).
    public var count: Int { index.count }

    /// The String.Index of character `i` (0 <= i <= count).
    func position(_ i: Int) -> String.Index { index.position(i, in: value) }

    /// Character `i` (0 <= i < count) as a string value.
    func character(_ i: Int) -> Value {
        let c = index
        if c.isFlat {
            let u = value.utf8
            return .string(StringObject.ascii[Int(u[u.index(u.startIndex, offsetBy: i)])])
        }
        return .str(String(value[c.position(i, in: value)]))
    }

    /// Characters `start..<stop` (0 <= start <= stop <= count).
    func substring(_ start: Int, _ stop: Int) -> String {
        let c = index
        return String(value[c.position(start, in: value)..<c.position(stop, in: value)])
    }
}

/// Where the characters of a string are. A string of single-byte
/// characters (ASCII without "\r\n", which is one character) is flat:
/// character i is byte i. Otherwise every 64th character's index is kept,
/// and character i is at most 63 steps from one of them.
final class CharacterIndex {
    static let stride = 64
    let count: Int
    let isFlat: Bool
    private let crumbs: [String.Index]

    init(_ s: String) {
        var flat = true
        var previous: UInt8 = 0
        for b in s.utf8 {
            if b >= 0x80 || (b == 10 && previous == 13) { flat = false; break }
            previous = b
        }
        isFlat = flat
        if flat { count = s.utf8.count; crumbs = []; return }
        var marks: [String.Index] = []
        var n = 0
        var i = s.startIndex
        while i < s.endIndex {
            if n % CharacterIndex.stride == 0 { marks.append(i) }
            s.formIndex(after: &i)
            n += 1
        }
        count = n
        crumbs = marks
    }

    func position(_ i: Int, in s: String) -> String.Index {
        if isFlat { return s.utf8.index(s.utf8.startIndex, offsetBy: i) }
        if i >= count { return s.endIndex }
        return s.index(crumbs[i / CharacterIndex.stride], offsetBy: i % CharacterIndex.stride)
    }
}

/// A mutable list (reference semantics).
public final class ListObject {
    @exclusivity(unchecked) public var items: [Value]
    public init(_ items: [Value] = []) { self.items = items }
    deinit { if items.contains(where: \.holdsItems) { releaseIteratively(&items) } }
}

/// A key usable in a dict: strings, numbers, bools and nil.
public enum DictKey: Hashable {
    case string(String), number(Double), bool(Bool), none

    init?(_ v: Value) {
        switch v {
        case .string(let s): self = .string(s.value)
        case .number(let d): self = .number(d == 0 ? 0 : d)   // -0 and 0 are one key
        case .bool(let b): self = .bool(b)
        case .nil: self = .none
        default: return nil
        }
    }
}

/// An insertion-ordered dictionary (reference semantics).
public final class DictObject {
    @exclusivity(unchecked) public private(set) var keys: [Value] = []
    @exclusivity(unchecked) public fileprivate(set) var values: [Value] = []
    @exclusivity(unchecked) private var index: [DictKey: Int] = [:]

    public init() {}
    deinit { if values.contains(where: \.holdsItems) { releaseIteratively(&values) } }

    public var count: Int { keys.count }

    public func get(_ key: Value) throws -> Value? {
        guard let k = DictKey(key) else { throw RuntimeError("a \(typeName(key)) cannot be a dict key (use strings, numbers, bools)") }
        guard let i = index[k] else { return nil }
        return values[i]
    }

    public func get(_ key: String) -> Value? {
        guard let i = index[.string(key)] else { return nil }
        return values[i]
    }

    public func set(_ key: Value, _ value: Value) throws {
        guard let k = DictKey(key) else { throw RuntimeError("a \(typeName(key)) cannot be a dict key (use strings, numbers, bools)") }
        if let i = index[k] { values[i] = value; return }
        index[k] = keys.count
        keys.append(key)
        values.append(value)
    }

    public func set(_ key: String, _ value: Value) {
        if let i = index[.string(key)] { values[i] = value; return }
        index[.string(key)] = keys.count
        keys.append(.str(key))
        values.append(value)
    }

    /// Removes `key`; returns its value, or nil if absent. O(n): keeps insertion order.
    public func remove(_ key: Value) throws -> Value? {
        guard let k = DictKey(key) else { throw RuntimeError("a \(typeName(key)) cannot be a dict key") }
        guard let i = index[k] else { return nil }
        let v = values[i]
        keys.remove(at: i); values.remove(at: i)
        index = [:]
        for (j, key) in keys.enumerated() { if let dk = DictKey(key) { index[dk] = j } }
        return v
    }
}

extension Value {
    /// A list or dict: a value whose release may release more values.
    var holdsItems: Bool {
        switch self {
        case .list, .dict: return true
        default: return false
        }
    }
}

/// Releases `items` without recursion: the items of every list or dict that
/// dies here are moved onto a work list before it goes, so a chain of any
/// length (`n = {next: n}` three million times, a list nested that deep) is
/// freed in a loop instead of one native stack frame per level.
@inline(never)
func releaseIteratively(_ items: inout [Value]) {
    var pending = items
    items = []
    while !pending.isEmpty {
        // the object is moved out of its value (the binding's scope ends
        // before the check), so "unique" means: this was the last reference
        var v = pending.removeLast()
        var list: ListObject? = nil
        var dict: DictObject? = nil
        if case .list(let l) = v { list = l } else if case .dict(let d) = v { dict = d }
        v = .nil
        if list != nil, isKnownUniquelyReferenced(&list), let l = list, !l.items.isEmpty {
            pending.append(contentsOf: l.items)
            l.items = []
        } else if dict != nil, isKnownUniquelyReferenced(&dict), let d = dict, !d.values.isEmpty {
            pending.append(contentsOf: d.values)
            d.values = []
        }
    }
}

/// `range(start, stop, step)`: an arithmetic sequence of numbers, lazily.
/// Item i is `start + i * step` (never a running sum, so `range(0, 1, 0.1)`
/// has exactly the 10 items its length says); `count` is the number of i >= 0
/// whose item lies before `stop`.
public final class RangeObject {
    public let start: Double, stop: Double, step: Double
    public let count: Int
    /// Start and step are integers and every item up to stop + step is an
    /// exact Double: a running sum gives the same items (the VM's fast loop).
    let isExactIntegers: Bool

    public init(start: Double, stop: Double, step: Double) {
        self.start = start; self.stop = stop; self.step = step
        count = RangeObject.count(start, stop, step)
        let limit = 9007199254740992.0   // 2^53
        isExactIntegers = start == start.rounded() && step == step.rounded()
            && Swift.abs(start) + Swift.abs(step) < limit && Swift.abs(stop) + Swift.abs(step) < limit
    }

    public func element(_ i: Int) -> Double { start + Double(i) * step }

    private static func count(_ start: Double, _ stop: Double, _ step: Double) -> Int {
        guard step != 0, start.isFinite, stop.isFinite, step.isFinite else { return 0 }
        let estimate = ((stop - start) / step).rounded(.up)
        guard estimate > 0 else { return 0 }
        var n = estimate < 9.0e18 ? Int(estimate) : 9_000_000_000_000_000_000
        // the division can be an ulp off: settle on the exact count of items before stop
        func before(_ i: Int) -> Bool {
            let x = start + Double(i) * step
            return step > 0 ? x < stop : x > stop
        }
        var tries = 0
        while n > 0 && !before(n - 1) && tries < 64 { n -= 1; tries += 1 }
        tries = 0
        while n < 9_000_000_000_000_000_000 && before(n) && tries < 64 { n += 1; tries += 1 }
        return n
    }
}

/// A captured local (internal).
public final class Cell {
    @exclusivity(unchecked) var value: Value
    init(_ value: Value) { self.value = value }
}

/// A slice index item (internal while in flight; natives receive `IndexArgument`s).
public final class SliceObject {
    let start: Value, stop: Value, step: Value
    init(start: Value, stop: Value, step: Value) { self.start = start; self.stop = stop; self.step = step }
}

// MARK: - Type names, truthiness, equality

/// The name `type(v)` returns.
public func typeName(_ v: Value) -> String {
    switch v {
    case .nil: return "nil"
    case .bool: return "bool"
    case .number: return "number"
    case .string: return "string"
    case .list: return "list"
    case .dict: return "dict"
    case .range: return "range"
    case .function, .native: return "function"
    case .object(let o): return o.typeName
    case .cell: return "cell"
    case .slice: return "slice"
    }
}

extension Value {
    /// nil, false, 0, "" and empty lists/dicts/ranges are false; natives decide for themselves.
    public var isTruthy: Bool {
        switch self {
        case .nil: return false
        case .bool(let b): return b
        case .number(let d): return d != 0
        case .string(let s): return !s.value.isEmpty
        case .list(let l): return !l.items.isEmpty
        case .dict(let d): return d.count > 0
        case .range(let r): return r.count > 0
        case .object(let o): return o.isTruthy
        default: return true
        }
    }
}

/// Structural equality for data, identity for functions, `isEqual` for natives.
/// Containers are compared with an explicit work list, never by recursion, so
/// nesting of any depth is safe; a pair of containers met again while being
/// compared is taken as equal (the rest of the comparison decides), which is
/// what makes two self-containing values (`a.push(a)`) compare correctly.
public func valuesEqual(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.list(let x), .list(let y)):
        if x === y { return true }
        if x.items.count != y.items.count { return false }
        return containersEqual(a, b)
    case (.dict(let x), .dict(let y)):
        if x === y { return true }
        if x.count != y.count { return false }
        return containersEqual(a, b)
    default:
        return shallowEqual(a, b) ?? false
    }
}

/// Equality of two values when neither needs a look inside a container;
/// nil when both are lists or both dicts (the caller compares their items).
@inline(__always)
private func shallowEqual(_ a: Value, _ b: Value) -> Bool? {
    switch (a, b) {
    case (.nil, .nil): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y
    case (.string(let x), .string(let y)): return x === y || x.value == y.value
    case (.list(let x), .list(let y)):
        if x === y { return true }
        return x.items.count != y.items.count ? false : nil
    case (.dict(let x), .dict(let y)):
        if x === y { return true }
        return x.count != y.count ? false : nil
    case (.range(let x), .range(let y)): return x.start == y.start && x.stop == y.stop && x.step == y.step
    case (.function(let x), .function(let y)): return x === y
    case (.native(let x), .native(let y)): return x === y
    case (.object(let x), _): return x.isEqual(to: b)
    case (_, .object(let y)): return y.isEqual(to: a)
    default: return false
    }
}

private struct ContainerPair: Hashable {
    let left: ObjectIdentifier, right: ObjectIdentifier
}

/// Two lists or two dicts of the same size, item by item (see `valuesEqual`).
private func containersEqual(_ a: Value, _ b: Value) -> Bool {
    var work: [(Value, Value)] = [(a, b)]
    var met: Set<ContainerPair> = []
    while let (x, y) = work.popLast() {
        switch (x, y) {
        case (.list(let l), .list(let r)):
            guard met.insert(ContainerPair(left: ObjectIdentifier(l), right: ObjectIdentifier(r))).inserted else { continue }
            let n = l.items.count
            guard n == r.items.count else { return false }
            for i in 0..<n {
                switch shallowEqual(l.items[i], r.items[i]) {
                case .some(true): continue
                case .some(false): return false
                case .none: work.append((l.items[i], r.items[i]))
                }
            }
        case (.dict(let l), .dict(let r)):
            guard met.insert(ContainerPair(left: ObjectIdentifier(l), right: ObjectIdentifier(r))).inserted else { continue }
            guard l.count == r.count else { return false }
            for i in 0..<l.count {
                guard let v = try? r.get(l.keys[i]) else { return false }
                switch shallowEqual(l.values[i], v) {
                case .some(true): continue
                case .some(false): return false
                case .none: work.append((l.values[i], v))
                }
            }
        default:
            if !(shallowEqual(x, y) ?? false) { return false }
        }
    }
    return true
}

// MARK: - Printing

/// Formats a number the way lfr prints it: integers without `.0`.
public func formatNumber(_ d: Double) -> String {
    if abs(d) < 1e16 {
        let i = Int64(d)
        if Double(i) == d { return i == 0 ? "0" : formatInteger(i) }   // -0 prints as 0
    }
    if d.isNaN { return "nan" }
    if d.isInfinite { return d > 0 ? "inf" : "-inf" }
    return d.description
}

/// Decimal digits of an integer. 0..<1024 come from a table built on first
/// use (counters and indices are printed most); others are written straight
/// into the string's storage (`Int64.description` goes through generic code
/// that costs several times more; up to 15 bytes is a small string, no allocation).
func formatInteger(_ n: Int64) -> String {
    if n >= 0 && n < 1024 { return smallIntegerStrings[Int(n)] }
    return writeInteger(n)
}

private let smallIntegerStrings: [String] = (0..<1024).map { writeInteger(Int64($0)) }

private func writeInteger(_ n: Int64) -> String {
    var magnitude = n.magnitude
    var digits = 1
    var probe = magnitude
    while probe >= 10 { probe /= 10; digits &+= 1 }
    let length = digits + (n < 0 ? 1 : 0)
    return String(unsafeUninitializedCapacity: length) { buffer in
        var i = length
        repeat {
            i &-= 1
            buffer[i] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
            magnitude /= 10
        } while magnitude > 0
        if n < 0 { buffer[0] = 0x2D }   // "-"
        return length
    }
}

/// The string `str(v)` and `print(v)` produce: strings bare, containers with
/// quoted strings. Never shortened: `write_file(path, str(xs))` writes all of
/// `xs` (summarizing a long value is the prompt's business, not `str`'s).
public func displayString(_ v: Value) -> String {
    switch v {
    case .string(let s): return s.value
    case .number(let d): return formatNumber(d)
    case .nil: return "nil"
    case .bool(let b): return b ? "true" : "false"
    default: break
    }
    var out = ""
    writeRepr(v, into: &out)
    return out
}

/// The string the REPL shows for a result: strings quoted.
public func reprString(_ v: Value) -> String {
    var out = ""
    writeRepr(v, into: &out)
    return out
}

func quoteString(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if ch.value < 32 { out += "\\u{\(String(ch.value, radix: 16))}" } else { out.unicodeScalars.append(ch) }
        }
    }
    return out + "\""
}

/// One step of `writeRepr`'s work list.
private enum ReprStep {
    case value(Value)
    case text(StaticString)
    case key(Value)                 // a dict key: bare when it is a plain name
    case leave(ObjectIdentifier)    // a container is written: it may appear again
}

/// Writes the literal form of `v`. A work list instead of recursion (any
/// depth of nesting is fine, in time linear in the output); a container met
/// again inside itself is written `[...]` or `{...}`.
func writeRepr(_ v: Value, into out: inout String) {
    var work: [ReprStep] = [.value(v)]
    var open: Set<ObjectIdentifier> = []
    while let step = work.popLast() {
        switch step {
        case .text(let t): out += t.description
        case .leave(let id): open.remove(id)
        case .key(let k):
            if case .string(let s) = k, isPlainName(s.value) { out += s.value } else { work.append(.value(k)) }
        case .value(let v):
            switch v {
            case .nil: out += "nil"
            case .bool(let b): out += b ? "true" : "false"
            case .number(let d): out += formatNumber(d)
            case .string(let s): out += quoteString(s.value)
            case .list(let l):
                let id = ObjectIdentifier(l)
                if !open.insert(id).inserted { out += "[...]"; continue }
                out += "["
                work.append(.leave(id))
                work.append(.text("]"))
                // pushed in reverse: popped (written) in order
                for (i, x) in l.items.enumerated().reversed() {
                    work.append(.value(x))
                    if i > 0 { work.append(.text(", ")) }
                }
            case .dict(let d):
                let id = ObjectIdentifier(d)
                if !open.insert(id).inserted { out += "{...}"; continue }
                out += "{"
                work.append(.leave(id))
                work.append(.text("}"))
                for i in stride(from: d.count - 1, through: 0, by: -1) {
                    work.append(.value(d.values[i]))
                    work.append(.text(": "))
                    work.append(.key(d.keys[i]))
                    if i > 0 { work.append(.text(", ")) }
                }
            case .range(let r):
                out += "range(\(formatNumber(r.start)), \(formatNumber(r.stop))"
                if r.step != 1 { out += ", \(formatNumber(r.step))" }
                out += ")"
            case .function(let c): out += "<fn \(c.proto.name)>"
            case .native(let n): out += "<builtin \(n.name)>"
            case .object(let o): out += o.description
            case .cell(let c): work.append(.value(c.value))
            case .slice: out += "<slice>"
            }
        }
    }
}

func isPlainName(_ s: String) -> Bool {
    guard let f = s.utf8.first, isIdentStart(f), f < 0x80 else { return false }
    return s.utf8.allSatisfy { isIdentPart($0) && $0 < 0x80 } && keywordKind(Substring(s)) == nil
}
