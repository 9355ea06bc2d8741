// Conversions: the one place where language values become Swift values for
// the ML modules and back (tensors, shapes, axes, id lists, errors).
//
// What stays true here: every conversion validates before it allocates (a
// nested list's depth is bounded, so a list that contains itself is an
// error, not a stack overflow; a shape's element count is checked against
// the memory of the machine); every failure is a RuntimeError whose message
// starts with the function name; errors of the ML modules (TensorError,
// ModelError, DataError) reach users as RuntimeErrors carrying their own
// description, which names the op and the shapes.
import Script
import TensorCore

#if canImport(Glibc)
import Glibc
#endif

/// The process clock, for hosts that time entries without importing TensorCore.
public typealias ProcessClock = TensorCore.Clock

// MARK: - Tensors from values

/// A tensor from a language value: a tensor, a number (a 0-d tensor), a
/// bool (0 or 1), or a (nested) list of numbers, bools or tensors.
public func tensorArgument(_ v: Value, op: String) throws -> Tensor {
    switch v {
    case .object(let o as TensorValue): return o.tensor
    case .number(let d): return Tensor(scalar: Float(d))
    case .bool(let b): return Tensor(scalar: b ? 1 : 0)
    case .list(let l): return try tensorFromList(l, op: op)
    case .range(let r):
        let n = r.count
        try checkElementCount(n, op: op)
        return try Tensor(shape: [n]) { buf in for i in 0..<n { buf[i] = Float(r.element(i)) } }
    default:
        throw RuntimeError("\(op): expected a tensor, a number or a list of numbers, got \(typeName(v))")
    }
}

/// The flat values of a tensor, number or (nested) list, in row-major order.
public func floatsArgument(_ v: Value, op: String) throws -> [Float] {
    try tensorArgument(v, op: op).toArray()
}

/// True when the value is a bool, a list whose leaves are all bools, or a
/// mask tensor (one made by a comparison): such values index as masks.
func isMaskValue(_ v: Value) -> Bool {
    switch v {
    case .object(let o as TensorValue): return o.isMask
    case .bool: return true
    case .list(let l):
        guard !l.items.isEmpty else { return false }
        var depth = 0
        var probe: Value = .list(l)
        while case .list(let inner) = probe, let first = inner.items.first, depth < 64 { probe = first; depth += 1 }
        if case .bool = probe { return true }
        return false
    default: return false
    }
}

/// Deepest nesting accepted in a tensor literal (also stops lists that contain themselves).
let maxNestingDepth = 32

func tensorFromList(_ l: ListObject, op: String) throws -> Tensor {
    // Fast path: a flat list of numbers.
    let items = l.items
    var flat = [Float]()
    flat.reserveCapacity(items.count)
    var allNumbers = true
    for x in items {
        switch x {
        case .number(let d): flat.append(Float(d))
        case .bool(let b): flat.append(b ? 1 : 0)
        default: allNumbers = false
        }
        if !allNumbers { break }
    }
    if allNumbers { return Tensor(flat) }
    // Lists of tensors stack along a new first axis.
    if items.contains(where: { if case .object(let o) = $0, o is TensorValue { return true }; return false }) {
        let parts = try items.map { try tensorArgument($0, op: op) }
        return try translatingErrors { try Tensor.stack(parts, axis: 0) }
    }
    let nested = try nestedArray(.list(l), depth: 0, op: op)
    return try translatingErrors { try Tensor(nested: nested) }
}

private func nestedArray(_ v: Value, depth: Int, op: String) throws -> NestedArray {
    switch v {
    case .number(let d): return .number(d)
    case .bool(let b): return .number(b ? 1 : 0)
    case .list(let l):
        guard depth < maxNestingDepth else {
            throw RuntimeError("\(op): lists nested deeper than \(maxNestingDepth) levels (does a list contain itself?)")
        }
        return .list(try l.items.map { try nestedArray($0, depth: depth + 1, op: op) })
    case .object(let o as TensorValue):
        return try nestedArray(tensorToList(o.tensor), depth: depth, op: op)
    default:
        throw RuntimeError("\(op): a tensor literal holds numbers (or nested lists of numbers), found a \(typeName(v))")
    }
}

// MARK: - Values from tensors

/// Most axes a tensor value may have (deeper tensors would make printing
/// and tolist, which recurse over axes, too deep).
let maxRank = 64

/// The number a Float stands for, as the shortest decimal that reads back as
/// it (0.001 for Float(0.001), not 0.0010000000474974513): float32 results
/// and settings print at float32 precision, and reading the Double back as a
/// Float gives the same Float. Whole numbers (ids, counts) take the fast path.
@inline(__always) func asWritten(_ f: Float) -> Double {
    let d = Double(f)
    if !d.isFinite || d == d.rounded(.towardZero) { return d }
    return Double(f.description) ?? d
}

/// Wraps a tensor result: a tensor with no axes becomes a number.
func wrap(_ t: Tensor, mask: Bool = false) throws -> Value {
    if t.rank == 0 { return .number(asWritten(t.storage.pointer[t.offset])) }
    return try wrapTensor(t, mask: mask)
}

/// Always a tensor value (even 0-d), for functions documented to return tensors.
func wrapTensor(_ t: Tensor, mask: Bool = false) throws -> Value {
    guard t.rank <= maxRank else { throw RuntimeError("tensors have at most \(maxRank) axes; this one would have \(t.rank)") }
    return .object(TensorValue(t, isMask: mask))
}

/// Nested lists of numbers (a number for a 0-d tensor).
func tensorToList(_ t: Tensor) -> Value {
    if t.rank == 0 { return .number(asWritten(t.storage.pointer[t.offset])) }
    let values = t.toArray()
    let shape = t.shape
    func build(_ axis: Int, _ start: Int) -> Value {
        let n = shape[axis]
        if axis == shape.count - 1 {
            return .list((0..<n).map { .number(asWritten(values[start + $0])) })
        }
        let block = shape[(axis + 1)...].reduce(1, *)
        return .list((0..<n).map { build(axis + 1, start + $0 * block) })
    }
    return build(0, 0)
}

// MARK: - Shapes, axes, ids

/// A shape from a list of integers (or one integer for a 1-d shape).
func shapeArgument(_ v: Value, op: String, name: String = "shape") throws -> [Int] {
    switch v {
    case .number(let d):
        guard let n = exactInt(d) else { throw RuntimeError("\(op): \(name) must hold integers, got \(formatNumber(d))") }
        return [n]
    case .list(let l):
        return try l.items.map { item in
            guard case .number(let d) = item, let n = exactInt(d) else {
                throw RuntimeError("\(op): \(name) must be a list of integers, got \(reprString(item)) in it")
            }
            return n
        }
    case .object(let o as TensorValue) where o.tensor.rank <= 1:
        return try o.tensor.toArray().map { x in
            guard let n = exactInt(Double(x)) else { throw RuntimeError("\(op): \(name) must hold integers, got \(x)") }
            return n
        }
    default:
        throw RuntimeError("\(op): \(name) must be a list of integers like [2, 3], got \(typeName(v))")
    }
}

/// A shape that a new tensor may take: non-negative sizes whose element count fits memory.
func checkedNewShape(_ v: Value, op: String) throws -> [Int] {
    let shape = try shapeArgument(v, op: op)
    try checkNewShape(shape, op: op)
    return shape
}

func checkNewShape(_ shape: [Int], op: String) throws {
    if let bad = shape.first(where: { $0 < 0 }) {
        throw RuntimeError("\(op): sizes must be >= 0, got \(bad) in \(shape)")
    }
    guard let n = Tensor.elementCount(shape) else {
        throw RuntimeError("\(op): shape \(shape) has too many elements")
    }
    try checkElementCount(n, op: op, shape: shape)
}

/// Refuses tensors larger than half the machine's memory (they would be
/// killed by the kernel rather than fail cleanly).
func checkElementCount(_ n: Int, op: String, shape: [Int]? = nil) throws {
    if n > maxElements {
        let what = shape.map { "shape \($0) (\(n) elements)" } ?? "\(n) elements"
        throw RuntimeError("\(op): \(what) would need \(n / 262_144) MB, more than this machine can hold")
    }
}

/// Half the physical memory, in Float elements (computed once).
let maxElements: Int = {
    let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
    guard pages > 0, size > 0 else { return 1 << 30 }
    let bytes = Double(pages) * Double(size)
    return Int(min(bytes / 2 / 4, Double(Int.max / 8)))
}()

/// A Float from a number argument.
func float(_ args: Arguments, _ name: String) throws -> Float { Float(try args.number(name)) }

/// A non-negative integer argument that fits a UInt64 seed.
func seedArgument(_ args: Arguments, _ name: String) throws -> UInt64 {
    let s = try args.int(name)
    guard s >= 0 else { throw RuntimeError("\(args.function.name): \(name) must be >= 0, got \(s)") }
    return UInt64(s)
}

/// Token ids from a tensor or list: whole numbers in Int32 range, with the shape.
func idsArgument(_ v: Value, op: String, name: String) throws -> (ids: [Int32], shape: [Int]) {
    let t: Tensor
    do { t = try tensorArgument(v, op: op) } catch let e as RuntimeError {
        throw RuntimeError("\(op): \(name) must be token ids (a tensor or list of whole numbers): \(e.message)")
    }
    let ids: [Int32] = try t.withUnsafeBufferPointer { p in
        var out = [Int32](repeating: 0, count: p.count)
        for i in 0..<p.count {
            let x = p[i]
            guard x == x.rounded(), x >= -2_147_483_648, x <= 2_147_483_647 else {
                throw RuntimeError("\(op): \(name) must hold whole-number token ids, found \(x) at position \(i)")
            }
            out[i] = Int32(x)
        }
        return out
    }
    return (ids, t.shape)
}

// MARK: - Errors

/// Runs a call into an ML module, turning its errors into RuntimeErrors
/// that carry the module's message (op and shapes), which the interpreter
/// then locates at the call.
@inline(__always)
func translatingErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as RuntimeError { throw e } catch let e as ScriptError { throw e } catch {
        throw RuntimeError(String(describing: error))
    }
}
