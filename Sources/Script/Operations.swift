// Operations: the out-of-line slow paths of the VM — calls with labels or
// defaults, native calls, method dispatch, arithmetic on non-numbers,
// comparisons, indexing and slicing, members, iteration, imports.
// What stays true here: every user mistake becomes a thrown RuntimeError
// whose message names the operation and the types involved; integer
// conversions go through `exactInt`, so no index can overflow or trap.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) func floorMod(_ x: Double, _ y: Double) -> Double {
    // whole numbers in 0..<2^32 (the usual `i % 10`): an integer division instead of fmod
    if x >= 0 && x < 4294967296 && y >= 1 && y < 4294967296 {
        let xi = UInt32(x), yi = UInt32(y)
        if Double(xi) == x && Double(yi) == y { return Double(xi % yi) }
    }
    let r = fmod(x, y)
    return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r
}

/// `x // y` for numbers, as Python computes it: from fmod (the remainder
/// `%` uses), so `(x // y) * y + x % y` is x, and `1 // 0.1` is 9 (0.1 is a
/// little more than a tenth), where `floor(1 / 0.1)` would say 10. A zero
/// divisor gives what `/` gives (inf or nan), as lfr's division does.
func floorDivide(_ x: Double, _ y: Double) -> Double {
    if y == 0 { return (x / y).rounded(.down) }
    let m = fmod(x, y)
    var d = (x - m) / y
    if m != 0 && ((y < 0) != (m < 0)) { d -= 1 }
    if d == 0 { return copysign(0, x / y) }
    let f = d.rounded(.down)
    return d - f > 0.5 ? f + 1 : f
}

/// The end of an integer-must-be message: "must be an integer, got 4.5",
/// or for a whole number beyond exact integers, "is too large, got 4.6e+18".
func integerComplaint(_ d: Double) -> String {
    if d.isFinite && d == d.rounded() { return "is too large, got \(formatNumber(d)) (integers go up to 9e15)" }
    return "must be an integer, got \(formatNumber(d))"
}

extension Interpreter {
    // MARK: - Calls

    /// Calls `stack[a]` with `n` arguments at `stack[a+1...]`. For a closure,
    /// binds the arguments in place and pushes its frame (returns true: the
    /// caller must run it). For a native, calls it and stores the result in
    /// `stack[a]` (returns false).
    @inline(never)
    func callSlow(_ a: Int, _ n: Int, _ labels: [String?]?, name: String?) throws -> Bool {
        switch stack[a] {
        case .function(let f):
            let proto = f.proto
            if labels != nil || n != proto.parameterCount {
                try bindClosureArguments(f, a + 1, n, labels)
            }
            let newBase = a + 1
            if frameCount >= maxFrames || newBase + proto.frameSize >= stackCapacity { throw overflowError() }
            frames[frameCount] = Frame(pc: 0, base: newBase, isEntry: false, closure: .passUnretained(f))
            frameCount += 1
            return true
        case .native(let nf):
            stack[a] = try callNative(nf, stack + a + 1, n, labels)
            return false
        default:
            let what = name.map { "'\($0)'" } ?? "a \(typeName(stack[a]))"
            throw RuntimeError("cannot call \(what): it is a \(typeName(stack[a])), not a function")
        }
    }

    func bindClosureArguments(_ f: Closure, _ first: Int, _ n: Int, _ labels: [String?]?) throws {
        let proto = f.proto
        let count = proto.parameterCount
        var bound = [Value?](repeating: nil, count: count)
        for i in 0..<n {
            let label = labels?[i] ?? nil
            if let label {
                guard let p = proto.parameterNames.firstIndex(of: label) else {
                    throw RuntimeError("\(proto.name)() has no parameter named '\(label)'\(suggestion(label, proto.parameterNames)) (parameters: \(proto.parameterNames.joined(separator: ", ")))")
                }
                if bound[p] != nil { throw RuntimeError("\(proto.name)(): argument '\(label)' given twice") }
                bound[p] = stack[first + i]
            } else {
                if i >= count {
                    throw RuntimeError("\(proto.name)() takes \(count) argument\(count == 1 ? "" : "s") but \(n) were given")
                }
                bound[i] = stack[first + i]
            }
        }
        let firstDefault = count - proto.defaultCount
        for p in 0..<count where bound[p] == nil {
            if p >= firstDefault { bound[p] = f.defaults[p - firstDefault] }
            else { throw RuntimeError("\(proto.name)(): missing argument '\(proto.parameterNames[p])'") }
        }
        for p in 0..<count { stack[first + p] = bound[p]! }
    }

    /// Binds arguments to a native function's parameter specs and calls it.
    /// The caller keeps `nf` alive for the duration (it sits in a register or a call-site cache).
    func callNative(_ nf: NativeFunction, _ args: UnsafeMutablePointer<Value>, _ n: Int, _ labels: [String?]?) throws -> Value {
        if labels == nil && nf.simple {
            let count = nf.parameterCount
            if n == count {
                return try nf.body(Arguments(base: args, count: n, function: nf, interpreter: self))
            }
            // missing trailing arguments with defaults: fill them in the free registers after the arguments
            if n < count && n >= nf.requiredCount {
                let end = (args - stack) + count
                if end < stackCapacity {
                    nf.defaultValues.withUnsafeBufferPointer { defaults in
                        for p in n..<count { args[p] = defaults[p].unsafelyUnwrapped }
                    }
                    let savedTop = stackTop
                    stackTop = max(stackTop, end)
                    defer { stackTop = savedTop }
                    return try nf.body(Arguments(base: args, count: count, function: nf, interpreter: self))
                }
            }
        }
        return try callNativeBinding(nf, args, n, labels)
    }

    /// Labels, variadics, label-only parameters and wrong counts: binds into a fresh array.
    @inline(never)
    func callNativeBinding(_ nf: NativeFunction, _ args: UnsafeMutablePointer<Value>, _ n: Int, _ labels: [String?]?) throws -> Value {
        let ps = nf.parameters
        var bound = [Value?](repeating: nil, count: ps.count)
        var rest: [Value] = []
        let variadicIndex = ps.lastIndex(where: { $0.isVariadic })
        var position = 0
        for i in 0..<n {
            if let label = labels?[i] ?? nil {
                guard let p = ps.firstIndex(where: { $0.name == label && !$0.isVariadic }) else {
                    throw RuntimeError("\(nf.name)() has no parameter named '\(label)'\(suggestion(label, ps.filter { !$0.isVariadic }.map(\.name)))")
                }
                if bound[p] != nil { throw RuntimeError("\(nf.name)(): argument '\(label)' given twice") }
                bound[p] = args[i]
            } else {
                while position < ps.count && (ps[position].isLabelOnly || bound[position] != nil) && !ps[position].isVariadic { position += 1 }
                if position < ps.count && ps[position].isVariadic {
                    rest.append(args[i])
                } else if position < ps.count {
                    bound[position] = args[i]
                    position += 1
                } else {
                    let positional = ps.filter { !$0.isLabelOnly }.count
                    throw RuntimeError("\(nf.name)() takes at most \(positional) positional argument\(positional == 1 ? "" : "s") but more were given")
                }
            }
        }
        var values: [Value] = []
        values.reserveCapacity(ps.count + rest.count)
        for (p, spec) in ps.enumerated() {
            if spec.isVariadic { continue }
            if let v = bound[p] { values.append(v) }
            else if let d = nf.defaultValues[p] { values.append(d) }
            else { throw RuntimeError("\(nf.name)(): missing argument '\(spec.name)'") }
        }
        if variadicIndex != nil { values.append(contentsOf: rest) }
        let count = values.count
        return try values.withUnsafeMutableBufferPointer { buf in
            try nf.body(Arguments(base: buf.baseAddress ?? args, count: count, function: nf, interpreter: self))
        }
    }

    /// `receiver.name(args)`: builtin methods (the builtin function with the
    /// receiver as first argument), functions stored in dicts, native members.
    /// The call site caches the builtin method it found for the receiver's kind.
    @inline(never)
    func invoke(_ a: Int, _ n: Int, _ site: CallSite) throws -> Bool {
        let kind: Int
        switch stack[a] {
        case .list: kind = 1
        case .string: kind = 2
        case .dict(let d):
            if let v = d.get(site.name) {
                stack[a] = v
                return try callSlow(a, n, site.labels, name: site.name)
            }
            kind = 3
        case .object(let o):
            stack[a] = try o.getMember(site.name)
            return try callSlow(a, n, site.labels, name: site.name)
        case .range: kind = 4
        default:
            throw RuntimeError("\(typeName(stack[a])) has no method '\(site.name)'")
        }
        if site.cachedKind != kind { try lookupMethod(kind, site) }
        if site.isListPush && n == 1 && !site.hasLabels, let l = peek(stack + a, tag: valueTags.list, as: ListObject.self) {
            // xs.push(v), the commonest method call: append without binding arguments
            l._withUnsafeGuaranteedRef { $0.items.append(stack[a + 1]) }
            stack[a] = .nil
            return false
        }
        guard let method = site.methodRef else { return false }
        let labels: [String?]? = site.hasLabels ? [nil] + site.labels : nil
        let result = try method._withUnsafeGuaranteedRef { try callNative($0, stack + a, n + 1, labels) }
        stack[a] = result
        return false
    }

    /// Finds a builtin method in the table of a receiver kind (see `invoke`) and caches it in the site.
    @inline(never)
    func lookupMethod(_ kind: Int, _ site: CallSite) throws {
        let table: [String: NativeFunction]
        switch kind {
        case 1: table = listMethods
        case 2: table = stringMethods
        case 3: table = dictMethods
        default: table = rangeMethods
        }
        guard let m = table[site.name] else {
            let type = ["", "list", "string", "dict", "range"][kind]
            let spelled = ["append": "push", "length": "len", "size": "len", "indexOf": "index_of", "find": "index_of",
                           "startswith": "starts_with", "endswith": "ends_with", "toUpperCase": "upper", "toLowerCase": "lower"]
            if let other = spelled[site.name], other == "len" || table[other] != nil {
                let how = other == "len" ? "the member .len (or len(x))" : "'\(other)'"
                throw RuntimeError("\(type) has no method '\(site.name)' (lfr spells it \(how))")
            }
            throw RuntimeError("\(type) has no method '\(site.name)'\(suggestion(site.name, Array(table.keys)))")
        }
        site.cache(m, kind: kind, isListPush: kind == 1 && m === listMethods["push"] && m.name == "push")
    }

    func suggestion(_ name: String, _ candidates: [String]) -> String {
        let close = candidates.filter { editDistance($0, name) <= 2 }.sorted()
        return close.isEmpty ? "" : " (did you mean '\(close[0])'?)"
    }

    // MARK: - Arithmetic and comparison

    /// `add`, `addConsume` and `addConsumeK` on anything but two numbers
    /// (`k` is the constant table, for addConsumeK). Strings are read through
    /// `peek` (registers and constants keep them alive), so joining two
    /// strings costs no reference counting beyond the result.
    @inline(never)
    func addSlow(_ regs: UnsafeMutablePointer<Value>, _ ins: Instruction, _ k: UnsafePointer<Value>) throws {
        let a = Int(ins.a), b = Int(ins.b), c = Int(ins.c)
        let right = ins.op == .addConsumeK ? k + c : UnsafePointer(regs + c)
        let tag = valueTags.string
        if let rhs = peek(right, tag: tag, as: StringObject.self), let lhsPeek = peek(regs + b, tag: tag, as: StringObject.self) {
            if (a == b || ins.op != .add) && (b != c || ins.op == .addConsumeK) {
                // `s = s + piece`, or `str(x) + ";"` built in a temporary: the left
                // register dies here, so when it holds the only reference to its
                // string, append in place. Its reference is moved out first, so
                // the count is not inflated by the copy we work on.
                let taken = (regs + b).move()
                (regs + b).initialize(to: .nil)
                guard case .string(var lhs) = consume taken else { return }
                if isKnownUniquelyReferenced(&lhs) {
                    rhs._withUnsafeGuaranteedRef { lhs.value += $0.value }
                    regs[a] = .string(lhs)
                } else {
                    let joined = rhs._withUnsafeGuaranteedRef { lhs.value + $0.value }
                    regs[a] = .str(joined)
                }
                return
            }
            let joined = lhsPeek._withUnsafeGuaranteedRef { l in rhs._withUnsafeGuaranteedRef { l.value + $0.value } }
            regs[a] = .str(joined)
            return
        }
        regs[a] = try arith(.add, regs[b], right.pointee)
        if ins.op != .add && b != a { regs[b] = .nil }
    }

    @inline(never)
    func arith(_ op: BinaryOp, _ l: Value, _ r: Value) throws -> Value {
        switch (l, r) {
        case (.number(let x), .number(let y)):
            switch op {
            case .add: return .number(x + y)
            case .sub: return .number(x - y)
            case .mul: return .number(x * y)
            case .div: return .number(x / y)
            case .mod: return .number(floorMod(x, y))
            case .pow: return .number(pow(x, y))
            case .floorDiv: return .number(floorDivide(x, y))
            default: break
            }
        case (.string(let x), .string(let y)) where op == .add:
            return .str(x.value + y.value)
        case (.list(let x), .list(let y)) where op == .add:
            return .list(x.items + y.items)
        case (.string(let s), .number(let d)) where op == .mul, (.number(let d), .string(let s)) where op == .mul:
            guard let k = exactInt(d), k >= 0 else { throw RuntimeError("string repetition count must be a non-negative integer, got \(formatNumber(d))") }
            if s.value.utf8.count * k > 100_000_000 { throw RuntimeError("string repetition too large") }
            return .str(String(repeating: s.value, count: k))
        case (.list(let l), .number(let d)) where op == .mul, (.number(let d), .list(let l)) where op == .mul:
            guard let k = exactInt(d), k >= 0 else { throw RuntimeError("list repetition count must be a non-negative integer, got \(formatNumber(d))") }
            if l.items.count * k > 100_000_000 { throw RuntimeError("list repetition too large") }
            var out: [Value] = []
            for _ in 0..<k { out.append(contentsOf: l.items) }
            return .list(out)
        case (.object(let o), _):
            if let v = try o.binary(op, r, selfOnLeft: true) { return v }
        case (_, .object(let o)):
            if let v = try o.binary(op, l, selfOnLeft: false) { return v }
        default: break
        }
        var hint = ""
        if op == .add, case .string = l { hint = " (use \"\\(x)\" interpolation or str(x) to build strings)" }
        if op == .add, case .string = r { hint = " (use \"\\(x)\" interpolation or str(x) to build strings)" }
        throw RuntimeError("cannot apply '\(op.rawValue)' to \(typeName(l)) and \(typeName(r))\(hint)")
    }

    @inline(never)
    func compare(_ op: BinaryOp, _ l: Value, _ r: Value) throws -> Value {
        func result(_ c: Int) -> Value {
            switch op {
            case .lt: return .bool(c < 0)
            case .le: return .bool(c <= 0)
            case .gt: return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        }
        switch (l, r) {
        case (.number(let x), .number(let y)):
            switch op {
            case .lt: return .bool(x < y)
            case .le: return .bool(x <= y)
            case .gt: return .bool(x > y)
            default: return .bool(x >= y)
            }
        case (.string(let x), .string(let y)):
            return result(x.value < y.value ? -1 : (x.value == y.value ? 0 : 1))
        case (.list(let x), .list(let y)):
            return result(try compareLists(x, y, op))
        case (.object(let o), _):
            if let v = try o.binary(op, r, selfOnLeft: true) { return v }
        case (_, .object(let o)):
            if let v = try o.binary(op, l, selfOnLeft: false) { return v }
        default: break
        }
        throw RuntimeError("cannot compare \(typeName(l)) and \(typeName(r)) with '\(op.rawValue)'")
    }

    /// Lists order lexicographically, as in Python: the first pair of items
    /// that differ decides, else the shorter list is smaller. Descends into
    /// nested lists in a loop (any depth), and a pair of lists met again (a
    /// self-containing list) is an error rather than a loop without end.
    func compareLists(_ left: ListObject, _ right: ListObject, _ op: BinaryOp) throws -> Int {
        var l = left, r = right
        var met: Set<[ObjectIdentifier]> = []
        while true {
            if l === r { return 0 }
            guard met.insert([ObjectIdentifier(l), ObjectIdentifier(r)]).inserted else {
                throw RuntimeError("cannot order self-containing lists with '\(op.rawValue)'")
            }
            let n = min(l.items.count, r.items.count)
            var i = 0
            while i < n && valuesEqual(l.items[i], r.items[i]) { i += 1 }
            if i == n { return l.items.count < r.items.count ? -1 : (l.items.count == r.items.count ? 0 : 1) }
            let a = l.items[i], b = r.items[i]
            if case .list(let x) = a, case .list(let y) = b { l = x; r = y; continue }
            do {
                if try compare(.lt, a, b).isTruthy { return -1 }
                return try compare(.lt, b, a).isTruthy ? 1 : 0   // unordered (nan): neither
            } catch let e as RuntimeError {
                throw RuntimeError("\(e.message) (item \(i) of two lists)")
            }
        }
    }

    /// `item in container`: an equal item of a list (or tensor rows, or any
    /// iterable native value), a substring of a string, a key of a dict, a
    /// number of a range.
    func containsItem(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .list(let l): return l.items.contains { valuesEqual($0, item) }
        case .string(let s):
            guard case .string(let sub) = item else {
                throw RuntimeError("'in' a string needs a string on the left, got \(typeName(item))")
            }
            return sub.value.isEmpty || s.value.contains(sub.value)
        case .dict(let d):
            guard DictKey(item) != nil else { return false }
            return try d.get(item) != nil
        case .range(let r):
            guard case .number(let x) = item else { return false }
            let k = ((x - r.start) / r.step).rounded()
            return k >= 0 && k < Double(r.count) && r.element(Int(k)) == x
        case .object(let o):
            guard let n = try o.iterationCount() else { throw RuntimeError("cannot look for an item in a \(o.typeName)") }
            for i in 0..<n where valuesEqual(try o.iterationElement(i), item) { return true }
            return false
        default:
            throw RuntimeError("cannot look for an item in a \(typeName(container)) (use a list, string, dict, range or tensor)")
        }
    }

    /// `let [a, b] = v`: the items of a list of exactly `n` items into `n` registers.
    @inline(never)
    func unpack(_ into: UnsafeMutablePointer<Value>, _ v: Value, _ n: Int) throws {
        guard case .list(let l) = v else {
            throw RuntimeError("cannot unpack a \(typeName(v)) into \(n) name\(n == 1 ? "" : "s") (expected a list of \(n) item\(n == 1 ? "" : "s"))")
        }
        guard l.items.count == n else {
            throw RuntimeError("cannot unpack a list of \(l.items.count) item\(l.items.count == 1 ? "" : "s") into \(n) name\(n == 1 ? "" : "s")")
        }
        for i in 0..<n { into[i] = l.items[i] }
    }

    func negate(_ v: Value) throws -> Value {
        if case .number(let d) = v { return .number(-d) }
        if case .object(let o) = v { return try o.negate() }
        throw RuntimeError("cannot negate a \(typeName(v))")
    }

    // MARK: - Containers

    func makeDict(_ items: UnsafeMutablePointer<Value>, _ pairs: Int) throws -> DictObject {
        let d = DictObject()
        for i in 0..<pairs { try d.set(items[2 * i], items[2 * i + 1]) }
        return d
    }

    /// Resolves a (possibly negative) index into 0..<count.
    func normalizedIndex(_ v: Value, _ count: Int, _ what: String) throws -> Int {
        guard case .number(let d) = v else { throw RuntimeError("\(what) index must be a number, got \(typeName(v))") }
        guard let i = exactInt(d) else { throw RuntimeError("\(what) index \(integerComplaint(d))") }
        let j = i < 0 ? i + count : i
        guard j >= 0 && j < count else { throw RuntimeError("index \(i) out of range for \(what) of length \(count)") }
        return j
    }

    /// Python-style slice bounds: returns the selected indices.
    func sliceIndices(_ s: SliceObject, _ count: Int) throws -> [Int] {
        func opt(_ v: Value, _ name: String) throws -> Int? {
            switch v {
            case .nil: return nil
            case .number(let d):
                guard let i = exactInt(d) else { throw RuntimeError("slice \(name) \(integerComplaint(d))") }
                return i
            default: throw RuntimeError("slice \(name) must be a number, got \(typeName(v))")
            }
        }
        let step = try opt(s.step, "step") ?? 1
        if step == 0 { throw RuntimeError("slice step cannot be zero") }
        return sliceRange(start: try opt(s.start, "start"), stop: try opt(s.stop, "stop"), step: step, count: count)
    }

    /// A slice bound: nil, or an integer (negative counts from the end).
    func sliceBound(_ v: Value, _ name: String) throws -> Int? {
        switch v {
        case .nil: return nil
        case .number(let d):
            guard let i = exactInt(d) else { throw RuntimeError("slice \(name) \(integerComplaint(d))") }
            return i
        default: throw RuntimeError("slice \(name) must be a number, got \(typeName(v))")
        }
    }

    func getIndex(_ obj: Value, _ index: Value) throws -> Value {
        switch obj {
        case .list(let l):
            if case .slice(let s) = index { return .list(try sliceIndices(s, l.items.count).map { l.items[$0] }) }
            return l.items[try normalizedIndex(index, l.items.count, "list")]
        case .string(let s):
            // by character, through the string's cached index: O(1) for s[i]
            let count = s.count
            if case .slice(let sl) = index {
                if case .nil = sl.step {
                    let (a, b) = clampedSlice(try sliceBound(sl.start, "start"), try sliceBound(sl.stop, "stop"), count)
                    return .str(s.substring(a, b))
                }
                let chars = Array(s.value)
                return .str(String(try sliceIndices(sl, chars.count).map { chars[$0] }))
            }
            return s.character(try normalizedIndex(index, count, "string"))
        case .dict(let d):
            if let v = try d.get(index) { return v }
            throw RuntimeError("key \(reprString(index)) not found in dict")
        case .range(let r):
            if case .slice = index { throw RuntimeError("ranges cannot be sliced; use list(r) first") }
            return .number(r.element(try normalizedIndex(index, r.count, "range")))
        case .object(let o):
            return try o.getIndex([try indexArgument(index)])
        default:
            throw RuntimeError("cannot index a \(typeName(obj))")
        }
    }

    func indexArgument(_ v: Value) throws -> IndexArgument {
        switch v {
        case .number(let d):
            guard let i = exactInt(d) else { throw RuntimeError("index \(integerComplaint(d))") }
            return .int(i)
        case .slice(let s):
            func opt(_ v: Value) throws -> Int? {
                if case .nil = v { return nil }
                guard case .number(let d) = v, let i = exactInt(d) else { throw RuntimeError("slice bounds must be integers, got \(reprString(v))") }
                return i
            }
            return .slice(start: try opt(s.start), stop: try opt(s.stop), step: try opt(s.step))
        default:
            return .value(v)
        }
    }

    func setIndex(_ obj: Value, _ index: Value, _ value: Value) throws {
        switch obj {
        case .list(let l):
            if case .slice(let s) = index { return try assignSlice(l, s, value) }
            l.items[try normalizedIndex(index, l.items.count, "list")] = value
        case .dict(let d): try d.set(index, value)
        case .object(let o): try o.setIndex([try indexArgument(index)], value)
        case .string: throw RuntimeError("strings cannot be changed; build a new one")
        default: throw RuntimeError("cannot assign into a \(typeName(obj)) by index")
        }
    }

    /// `xs[a:b] = items` replaces the slice by the items (any number of them);
    /// `xs[a:b:k] = items` with a step other than 1 needs one item per slot.
    func assignSlice(_ l: ListObject, _ s: SliceObject, _ value: Value) throws {
        let new: [Value]
        switch value {
        case .list, .range, .string, .object: new = try iterate(value, "slice assignment")
        default: throw RuntimeError("a slice is assigned a list (or range, string, tensor), got \(typeName(value))")
        }
        let count = l.items.count
        if case .nil = s.step {} else if case .number(1) = s.step {} else {
            let slots = try sliceIndices(s, count)
            guard slots.count == new.count else {
                throw RuntimeError("cannot assign \(new.count) item\(new.count == 1 ? "" : "s") to a slice of \(slots.count) with a step")
            }
            for (k, i) in slots.enumerated() { l.items[i] = new[k] }
            return
        }
        let (start, stop) = clampedSlice(try sliceBound(s.start, "start"), try sliceBound(s.stop, "stop"), count)
        l.items.replaceSubrange(start..<stop, with: new)
    }

    func getIndexN(_ obj: Value, _ items: UnsafeMutablePointer<Value>, _ n: Int) throws -> Value {
        if n == 1 { return try getIndex(obj, items[0]) }
        if case .object(let o) = obj {
            var args: [IndexArgument] = []
            for i in 0..<n { args.append(try indexArgument(items[i])) }
            return try o.getIndex(args)
        }
        throw RuntimeError("a \(typeName(obj)) takes one index, not \(n)")
    }

    func setIndexN(_ obj: Value, _ items: UnsafeMutablePointer<Value>, _ n: Int, _ value: Value) throws {
        if n == 1 { return try setIndex(obj, items[0], value) }
        if case .object(let o) = obj {
            var args: [IndexArgument] = []
            for i in 0..<n { args.append(try indexArgument(items[i])) }
            return try o.setIndex(args, value)
        }
        throw RuntimeError("a \(typeName(obj)) takes one index, not \(n)")
    }

    // MARK: - Members

    func getMember(_ obj: Value, _ name: String) throws -> Value {
        switch obj {
        case .dict(let d):
            if let v = d.get(name) { return v }
            if name == "len" { return .number(Double(d.count)) }
            throw RuntimeError("dict has no key '\(name)'\(suggestion(name, d.keys.compactMap { if case .string(let s) = $0 { return s.value }; return nil }))")
        case .list(let l):
            if name == "len" { return .number(Double(l.items.count)) }
            if listMethods[name] != nil { throw RuntimeError("'\(name)' is a method of list: call it, as in xs.\(name)(...)") }
        case .string(let s):
            if name == "len" { return .number(Double(s.count)) }
            if stringMethods[name] != nil { throw RuntimeError("'\(name)' is a method of string: call it, as in s.\(name)(...)") }
        case .range(let r):
            switch name {
            case "start": return .number(r.start)
            case "stop": return .number(r.stop)
            case "step": return .number(r.step)
            case "len": return .number(Double(r.count))
            default: break
            }
        case .function(let c):
            switch name {
            case "name": return .str(c.proto.name)
            case "params": return .list(c.proto.parameterNames.map { .str($0) })
            case "doc": return c.proto.doc.map { .str($0) } ?? .nil
            default: break
            }
        case .native(let nf):
            switch name {
            case "name": return .str(nf.name)
            case "params": return .list(nf.parameters.map { .str($0.name) })
            case "doc": return .str(nf.doc)
            default: break
            }
        case .object(let o):
            return try o.getMember(name)
        default: break
        }
        if name == "length" || name == "size" || name == "count" {
            throw RuntimeError("\(typeName(obj)) has no member '\(name)' (lfr spells it .len)")
        }
        throw RuntimeError("\(typeName(obj)) has no member '\(name)'")
    }

    func setMember(_ obj: Value, _ name: String, _ value: Value) throws {
        switch obj {
        case .dict(let d): d.set(name, value)
        case .object(let o): try o.setMember(name, value)
        default: throw RuntimeError("cannot set member '\(name)' of a \(typeName(obj))")
        }
    }

    /// Member names for completion: cheap, no side effects.
    public func memberNames(of value: Value) -> [String] {
        switch value {
        case .dict(let d): return d.keys.compactMap { if case .string(let s) = $0 { return s.value }; return nil } + dictMethods.keys.sorted()
        case .list: return ["len"] + listMethods.keys.sorted()
        case .string: return ["len"] + stringMethods.keys.sorted()
        case .range: return ["start", "stop", "step", "len"]
        case .function, .native: return ["name", "params", "doc"]
        case .object(let o): return o.memberNames
        default: return []
        }
    }

    // MARK: - Iteration (registers: A state, A+1 index, A+2 limit, A+3 loop variable)

    /// Prepares a non-range iteration; false when there is nothing to visit.
    func forPrepSlow(_ r: UnsafeMutablePointer<Value>) throws -> Bool {
        var count: Int
        switch r[0] {
        case .list(let l): count = l.items.count
        case .range(let r): count = r.count   // by index: item i is start + i * step
        case .string(let s):
            let chars = s.value.map { Value.str(String($0)) }
            r[0] = .list(ListObject(chars)); count = chars.count
        case .dict(let d): count = d.count   // live, by position, like a list
        case .object(let o):
            guard let c = try o.iterationCount() else { throw RuntimeError("cannot iterate over a \(o.typeName)") }
            count = c
        default:
            throw RuntimeError("cannot iterate over a \(typeName(r[0])) (use a list, range, string, dict or tensor)")
        }
        if count == 0 { return false }
        r[1] = .number(0)
        r[2] = .nil
        r[3] = try element(r[0], 0)
        return true
    }

    func element(_ container: Value, _ i: Int) throws -> Value {
        switch container {
        case .list(let l): return l.items[i]
        case .range(let r): return .number(r.element(i))
        case .dict(let d): return d.keys[i]
        case .object(let o): return try o.iterationElement(i)
        default: return .nil
        }
    }

    /// Advances a non-range iteration; false when done. Lists and dicts are
    /// visited live, by position (appends are seen; a removal shifts later items).
    func forLoopSlow(_ r: UnsafeMutablePointer<Value>) throws -> Bool {
        guard case .number(let d) = r[1] else { return false }
        let next = Int(d) + 1
        let count: Int
        switch r[0] {
        case .list(let l): count = l.items.count
        case .range(let r): count = r.count
        case .dict(let d): count = d.count
        case .object(let o): count = try o.iterationCount() ?? 0
        default: return false
        }
        if next >= count { return false }
        r[1] = .number(Double(next))
        r[3] = try element(r[0], next)
        return true
    }

    // MARK: - Modules

    /// `import name` (name.lfr in the importing file's folder, then stdlib)
    /// or `import "path"` (relative to the importing file's folder). Each file runs once.
    func importModule(_ name: String, isPath: Bool, from file: String) throws {
        let dir = file.hasPrefix("<") ? "." : parentDirectory(file)
        var candidates: [String] = []
        if isPath {
            candidates.append(name.hasPrefix("/") ? name : dir + "/" + name)
        } else {
            candidates.append(dir + "/" + name + ".lfr")
            if let std = stdlibPath { candidates.append(std + "/" + name + ".lfr") }
        }
        guard let path = candidates.first(where: fileExists) else {
            throw RuntimeError("cannot find module '\(name)' (looked in \(candidates.joined(separator: ", ")))")
        }
        let key = canonicalPath(path)
        if importedFiles.contains(key) { return }
        importedFiles.insert(key)
        let text = try readTextFile(path)
        let proto = try compile(text, file: path)
        _ = try call(.function(Closure(proto: proto, upvalues: [], defaults: [])), [])
    }
}

/// The bounds `start..<stop` of a step-1 slice over `count` items, Python's
/// way: nil is the end, negative counts from the end, out of range clamps.
func clampedSlice(_ start: Int?, _ stop: Int?, _ count: Int) -> (Int, Int) {
    func clamp(_ v: Int?, _ dflt: Int) -> Int {
        guard var x = v else { return dflt }
        if x < 0 { x += count }
        return min(max(x, 0), count)
    }
    let a = clamp(start, 0)
    return (a, max(a, clamp(stop, count)))
}

/// Python slice semantics over `count` items.
public func sliceRange(start: Int?, stop: Int?, step: Int, count: Int) -> [Int] {
    func clamp(_ v: Int?, _ dflt: Int, _ lo: Int, _ hi: Int) -> Int {
        guard var x = v else { return dflt }
        if x < 0 { x += count }
        return min(max(x, lo), hi)
    }
    var out: [Int] = []
    if step > 0 {
        let s = clamp(start, 0, 0, count), e = clamp(stop, count, 0, count)
        var i = s
        while i < e { out.append(i); i += step }
    } else {
        let s = clamp(start, count - 1, -1, count - 1), e = clamp(stop, -1, -1, count - 1)
        var i = s
        while i > e { out.append(i); i += step }
    }
    return out
}

/// Levenshtein distance between two strings (for "did you mean" hints).
public func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var prev = Array(0...y.count)
    for i in 1...x.count {
        var cur = [i] + Array(repeating: 0, count: y.count)
        for j in 1...y.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        prev = cur
    }
    return prev[y.count]
}
