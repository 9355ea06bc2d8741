// VM: the dispatch loop that runs bytecode.
// What stays true here: registers of the running frame are `stack[base...]`;
// the function being run sits just below its frame, at `stack[base - 1]`
// (so it stays alive, and that slot receives the return value); frames are
// plain structs in an unsafe buffer. Fast paths (numbers, plain calls, ranges,
// list indexing) are inline; everything else goes to out-of-line slow paths
// in Operations.swift. Backward jumps and every return from a native call
// poll the interrupt flag; calls and backward jumps count toward the step
// budget, checked every 1024 ticks. An error unwinds exactly the frames this
// run pushed, so the interpreter stays usable afterwards.
import Synchronization

struct Frame {
    var pc: Int
    var base: Int
    var isEntry: Bool
    /// The running closure, unretained: `stack[base - 1]` holds the strong reference.
    var closure: Unmanaged<Closure>
}

/// The tag bytes of the reference cases the VM reads without retaining
/// (`peek`), if `Value`'s in-memory layout is the one expected: payload
/// pointer in the first 8 bytes, a tag byte after it, one tag per case.
/// Verified once per interpreter; with any other layout the tags are 0xFF,
/// which no value carries, so every peek answers nil and the VM takes its
/// ordinary (retaining) paths.
struct ValueTags {
    let function: UInt8, native: UInt8, string: UInt8, list: UInt8

    static let unverified = ValueTags(function: 0xFF, native: 0xFF, string: 0xFF, list: 0xFF)

    static let current: ValueTags? = {
        guard MemoryLayout<Value>.size == 9 else { return nil }
        func tag(_ v: Value, payload: AnyObject?) -> UInt8? {
            var v = v
            let (ptr, tag) = withUnsafeBytes(of: &v) { raw in
                (raw.load(as: UInt.self), raw.load(fromByteOffset: 8, as: UInt8.self))
            }
            if let payload, ptr != UInt(bitPattern: Unmanaged.passUnretained(payload).toOpaque()) { return nil }
            return tag
        }
        let proto = FunctionProto(name: "probe", file: "", location: SourceLocation(file: "", line: 0, column: 0))
        let c = Closure(proto: proto, upvalues: [], defaults: [])
        let n = NativeFunction(name: "probe", parameters: [], doc: "") { _ in .nil }
        let s = StringObject("probe"), l = ListObject()
        guard let function = tag(.function(c), payload: c), let native = tag(.native(n), payload: n),
              let string = tag(.string(s), payload: s), let list = tag(.list(l), payload: l) else { return nil }
        // no other case may share one of these tags
        let others: [Value] = [.nil, .bool(true), .number(1), .dict(DictObject()),
                               .range(RangeObject(start: 0, stop: 1, step: 1)), .cell(Cell(.nil))]
        var seen: [UInt8] = []      // (an array: a Set is one more generic type to instantiate at start-up)
        for t in [function, native, string, list] {
            guard !seen.contains(t) else { return nil }
            seen.append(t)
        }
        for o in others {
            guard let t = tag(o, payload: nil), !seen.contains(t) else { return nil }
            seen.append(t)
        }
        return ValueTags(function: function, native: native, string: string, list: list)
    }()
}

/// The object of a value whose tag is `tag`, not retained: valid only while
/// the register (or whatever holds `p`) keeps its value.
@inline(__always)
func peek<T: AnyObject>(_ p: UnsafePointer<Value>, tag: UInt8, as type: T.Type) -> Unmanaged<T>? {
    guard MemoryLayout<Value>.size == 9 else { return nil }   // a constant: folded away
    let raw = UnsafeRawPointer(p)
    guard raw.load(fromByteOffset: 8, as: UInt8.self) == tag else { return nil }
    return Unmanaged<T>.fromOpaque(raw.load(as: UnsafeRawPointer.self))
}

extension Interpreter {
    /// Runs from the top frame (an entry frame pushed by the caller) until it returns.
    func run() throws -> Value {
        let entryIndex = frameCount - 1
        var fi = entryIndex
        var base = frames[fi].base
        var pc = frames[fi].pc
        var regs = stack + base
        guard case .function(let entryClosure) = stack[base - 1] else { throw RuntimeError("internal error: no function below frame") }
        // the running closure is kept alive by its slot below the frame
        var clU = Unmanaged.passUnretained(entryClosure)
        var code = entryClosure.code
        var k = entryClosure.constants
        var frameSize = entryClosure.frameSize
        let globals = globalValues
        let tags = valueTags
        var ticks = 0

        do {
            while true {
                let ins = code[pc]
                pc &+= 1
                switch ins.op {
                case .loadK:
                    regs[Int(ins.a)] = k[Int(ins.b)]
                case .loadNil:
                    regs[Int(ins.a)] = .nil
                case .loadBool:
                    regs[Int(ins.a)] = .bool(ins.b != 0)
                case .move:
                    regs[Int(ins.a)] = regs[Int(ins.b)]
                case .getGlobal:
                    let g = Int(ins.b)
                    if case .nil = globals[g], !globalDefined[g] { throw RuntimeError(undefinedMessage(g)) }
                    regs[Int(ins.a)] = globals[g]
                case .setGlobal:
                    let g = Int(ins.b)
                    if !globalDefined[g] {
                        throw RuntimeError("cannot assign to '\(globalNames[g])': it is not declared (declare it with 'var \(globalNames[g]) = ...')")
                    }
                    globals[g] = regs[Int(ins.a)]
                case .defGlobal:
                    let g = Int(ins.b)
                    globals[g] = regs[Int(ins.a)]
                    globalDefined[g] = true
                case .getUpval:
                    regs[Int(ins.a)] = clU._withUnsafeGuaranteedRef { $0.upvalues[Int(ins.b)].value }
                case .setUpval:
                    let v = regs[Int(ins.a)]
                    clU._withUnsafeGuaranteedRef { $0.upvalues[Int(ins.b)].value = v }
                case .newCell:
                    let a = Int(ins.a)
                    regs[a] = .cell(Cell(regs[a]))
                case .getCell:
                    if case .cell(let c) = regs[Int(ins.b)] { regs[Int(ins.a)] = c.value }
                case .setCell:
                    if case .cell(let c) = regs[Int(ins.a)] { c.value = regs[Int(ins.b)] }
                case .add:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = regs[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(x + y)
                    } else {
                        try addSlow(regs, ins, k)
                    }
                case .addConsume:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = regs[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(x + y)
                    } else {
                        try addSlow(regs, ins, k)
                    }
                case .addConsumeK:
                    try addSlow(regs, ins, k)
                case .sub:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = regs[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(x - y)
                    } else {
                        regs[Int(ins.a)] = try arith(.sub, regs[Int(ins.b)], regs[Int(ins.c)])
                    }
                case .mul:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = regs[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(x * y)
                    } else {
                        regs[Int(ins.a)] = try arith(.mul, regs[Int(ins.b)], regs[Int(ins.c)])
                    }
                case .div:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = regs[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(x / y)
                    } else {
                        regs[Int(ins.a)] = try arith(.div, regs[Int(ins.b)], regs[Int(ins.c)])
                    }
                case .mod:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = regs[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(floorMod(x, y))
                    } else {
                        regs[Int(ins.a)] = try arith(.mod, regs[Int(ins.b)], regs[Int(ins.c)])
                    }
                case .addK:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = k[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(x + y)
                    } else { regs[Int(ins.a)] = try arith(.add, regs[Int(ins.b)], k[Int(ins.c)]) }
                case .kAdd:
                    if case .number(let y) = regs[Int(ins.b)], case .number(let x) = k[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(x + y)
                    } else { regs[Int(ins.a)] = try arith(.add, k[Int(ins.c)], regs[Int(ins.b)]) }
                case .kMul:
                    if case .number(let y) = regs[Int(ins.b)], case .number(let x) = k[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(x * y)
                    } else { regs[Int(ins.a)] = try arith(.mul, k[Int(ins.c)], regs[Int(ins.b)]) }
                case .subK:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = k[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(x - y)
                    } else { regs[Int(ins.a)] = try arith(.sub, regs[Int(ins.b)], k[Int(ins.c)]) }
                case .mulK:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = k[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(x * y)
                    } else { regs[Int(ins.a)] = try arith(.mul, regs[Int(ins.b)], k[Int(ins.c)]) }
                case .divK:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = k[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(x / y)
                    } else { regs[Int(ins.a)] = try arith(.div, regs[Int(ins.b)], k[Int(ins.c)]) }
                case .modK:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = k[Int(ins.c)] {
                        regs[Int(ins.a)] = .number(floorMod(x, y))
                    } else { regs[Int(ins.a)] = try arith(.mod, regs[Int(ins.b)], k[Int(ins.c)]) }
                case .pow:
                    regs[Int(ins.a)] = try arith(.pow, regs[Int(ins.b)], regs[Int(ins.c)])
                case .floorDiv:
                    regs[Int(ins.a)] = try arith(.floorDiv, regs[Int(ins.b)], regs[Int(ins.c)])
                case .contains:
                    regs[Int(ins.a)] = .bool(try containsItem(regs[Int(ins.c)], regs[Int(ins.b)]))
                case .matmul:
                    regs[Int(ins.a)] = try arith(.matmul, regs[Int(ins.b)], regs[Int(ins.c)])
                    if interruptPending { try poll() }   // a matrix product can take seconds
                case .eq:
                    regs[Int(ins.a)] = .bool(valuesEqual(regs[Int(ins.b)], regs[Int(ins.c)]))
                case .ne:
                    regs[Int(ins.a)] = .bool(!valuesEqual(regs[Int(ins.b)], regs[Int(ins.c)]))
                case .lt:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = regs[Int(ins.c)] {
                        regs[Int(ins.a)] = .bool(x < y)
                    } else { regs[Int(ins.a)] = try compare(.lt, regs[Int(ins.b)], regs[Int(ins.c)]) }
                case .le:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = regs[Int(ins.c)] {
                        regs[Int(ins.a)] = .bool(x <= y)
                    } else { regs[Int(ins.a)] = try compare(.le, regs[Int(ins.b)], regs[Int(ins.c)]) }
                case .gt:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = regs[Int(ins.c)] {
                        regs[Int(ins.a)] = .bool(x > y)
                    } else { regs[Int(ins.a)] = try compare(.gt, regs[Int(ins.b)], regs[Int(ins.c)]) }
                case .ge:
                    if case .number(let x) = regs[Int(ins.b)], case .number(let y) = regs[Int(ins.c)] {
                        regs[Int(ins.a)] = .bool(x >= y)
                    } else { regs[Int(ins.a)] = try compare(.ge, regs[Int(ins.b)], regs[Int(ins.c)]) }
                case .neg:
                    if case .number(let x) = regs[Int(ins.b)] { regs[Int(ins.a)] = .number(-x) }
                    else { regs[Int(ins.a)] = try negate(regs[Int(ins.b)]) }
                case .not:
                    regs[Int(ins.a)] = .bool(!regs[Int(ins.b)].isTruthy)
                case .jump:
                    pc = Int(ins.b)
                case .loop:
                    // polled before the jump: an interrupt here is located at the loop
                    if interruptPending { try poll() }
                    ticks &+= 1
                    if ticks & 1023 == 0 { try countSteps() }
                    pc = Int(ins.b)
                case .jumpIfFalse:
                    switch regs[Int(ins.a)] {
                    case .bool(let b): if !b { pc = Int(ins.b) }
                    case let v: if !v.isTruthy { pc = Int(ins.b) }
                    }
                case .jumpIfTrue:
                    switch regs[Int(ins.a)] {
                    case .bool(let b): if b { pc = Int(ins.b) }
                    case let v: if v.isTruthy { pc = Int(ins.b) }
                    }
                case .ltJump:
                    if case .number(let x) = regs[Int(ins.a)], case .number(let y) = regs[Int(ins.b)] {
                        if !(x < y) { pc = Int(ins.c) }
                    } else if !(try compare(.lt, regs[Int(ins.a)], regs[Int(ins.b)]).isTruthy) { pc = Int(ins.c) }
                case .leJump:
                    if case .number(let x) = regs[Int(ins.a)], case .number(let y) = regs[Int(ins.b)] {
                        if !(x <= y) { pc = Int(ins.c) }
                    } else if !(try compare(.le, regs[Int(ins.a)], regs[Int(ins.b)]).isTruthy) { pc = Int(ins.c) }
                case .ltJumpK:
                    if case .number(let x) = regs[Int(ins.a)], case .number(let y) = k[Int(ins.b)] {
                        if !(x < y) { pc = Int(ins.c) }
                    } else if !(try compare(.lt, regs[Int(ins.a)], k[Int(ins.b)]).isTruthy) { pc = Int(ins.c) }
                case .leJumpK:
                    if case .number(let x) = regs[Int(ins.a)], case .number(let y) = k[Int(ins.b)] {
                        if !(x <= y) { pc = Int(ins.c) }
                    } else if !(try compare(.le, regs[Int(ins.a)], k[Int(ins.b)]).isTruthy) { pc = Int(ins.c) }
                case .gtJumpK:
                    if case .number(let x) = regs[Int(ins.a)], case .number(let y) = k[Int(ins.b)] {
                        if !(x > y) { pc = Int(ins.c) }
                    } else if !(try compare(.gt, regs[Int(ins.a)], k[Int(ins.b)]).isTruthy) { pc = Int(ins.c) }
                case .geJumpK:
                    if case .number(let x) = regs[Int(ins.a)], case .number(let y) = k[Int(ins.b)] {
                        if !(x >= y) { pc = Int(ins.c) }
                    } else if !(try compare(.ge, regs[Int(ins.a)], k[Int(ins.b)]).isTruthy) { pc = Int(ins.c) }
                case .call:
                    let a = Int(ins.a)
                    if ins.c < 0, let uf = peek(regs + a, tag: tags.function, as: Closure.self),
                       Int(ins.b) == uf._withUnsafeGuaranteedRef({ $0.parameterCount }) {
                        let newBase = base + a + 1
                        let calleeFrame = uf._withUnsafeGuaranteedRef { $0.frameSize }
                        if fi + 1 >= maxFrames || newBase + calleeFrame >= stackCapacity {
                            throw overflowError()
                        }
                        frames[fi].pc = pc
                        fi += 1
                        frames[fi] = Frame(pc: 0, base: newBase, isEntry: false, closure: uf)
                        base = newBase
                        regs = stack + base
                        clU = uf
                        code = uf._withUnsafeGuaranteedRef { $0.code }
                        k = uf._withUnsafeGuaranteedRef { $0.constants }
                        frameSize = calleeFrame
                        pc = 0
                        ticks &+= 1
                        if ticks & 1023 == 0 { try countSteps() }
                    } else if ins.c < 0, let nf = peek(regs + a, tag: tags.native, as: NativeFunction.self) {
                        // a builtin with positional arguments: no frame; the register keeps the
                        // function alive until the result replaces it
                        frames[fi].pc = pc
                        frameCount = fi + 1
                        stackTop = base + frameSize
                        let result = try nf._withUnsafeGuaranteedRef { try callNative($0, regs + a + 1, Int(ins.b), nil) }
                        regs[a] = result
                        // right after a native returns (it may have run for seconds)
                        if interruptPending { try poll() }
                        ticks &+= 1
                        if ticks & 1023 == 0 { try countSteps() }
                    } else {
                        frames[fi].pc = pc
                        frameCount = fi + 1
                        stackTop = base + frameSize
                        let labels = ins.c >= 0 ? clU._withUnsafeGuaranteedRef { $0.callSites[Int(ins.c)] }._withUnsafeGuaranteedRef { $0.labels } : nil
                        if try callSlow(base + a, Int(ins.b), labels, name: nil) {
                            // a closure frame was pushed: switch to it
                            fi = frameCount - 1
                            base = frames[fi].base
                            regs = stack + base
                            clU = frames[fi].closure
                            code = clU._withUnsafeGuaranteedRef { $0.code }
                            k = clU._withUnsafeGuaranteedRef { $0.constants }
                            frameSize = clU._withUnsafeGuaranteedRef { $0.frameSize }
                            pc = 0
                        } else if interruptPending { try poll() }   // a native returned
                        ticks &+= 1
                        if ticks & 1023 == 0 { try countSteps() }
                    }
                case .invoke:
                    let a = Int(ins.a)
                    frames[fi].pc = pc
                    frameCount = fi + 1
                    stackTop = base + frameSize
                    let site = clU._withUnsafeGuaranteedRef { $0.callSites[Int(ins.c)] }
                    if try site._withUnsafeGuaranteedRef({ try invoke(base + a, Int(ins.b), $0) }) {
                        fi = frameCount - 1
                        base = frames[fi].base
                        regs = stack + base
                        clU = frames[fi].closure
                        code = clU._withUnsafeGuaranteedRef { $0.code }
                        k = clU._withUnsafeGuaranteedRef { $0.constants }
                        frameSize = clU._withUnsafeGuaranteedRef { $0.frameSize }
                        pc = 0
                    } else if interruptPending { try poll() }   // a builtin or native method returned
                case .ret:
                    let v = regs[Int(ins.a)]
                    if frames[fi].isEntry {
                        frameCount = fi
                        return v
                    }
                    stack[base - 1] = v
                    fi -= 1
                    base = frames[fi].base
                    pc = frames[fi].pc
                    regs = stack + base
                    clU = frames[fi].closure
                    code = clU._withUnsafeGuaranteedRef { $0.code }
                    k = clU._withUnsafeGuaranteedRef { $0.constants }
                    frameSize = clU._withUnsafeGuaranteedRef { $0.frameSize }
                case .closure:
                    regs[Int(ins.a)] = .function(makeClosure(clU.takeUnretainedValue(), Int(ins.b), regs, Int(ins.c)))
                case .loadSelf:
                    regs[Int(ins.a)] = .function(clU.takeUnretainedValue())
                case .newList:
                    let b = Int(ins.b), n = Int(ins.c)
                    regs[Int(ins.a)] = .list(ListObject(Array(UnsafeBufferPointer(start: regs + b, count: n))))
                case .newDict:
                    regs[Int(ins.a)] = .dict(try makeDict(regs + Int(ins.b), Int(ins.c)))
                case .appendItems:
                    if case .list(let l) = regs[Int(ins.a)] {
                        l.items.append(contentsOf: UnsafeBufferPointer(start: regs + Int(ins.b), count: Int(ins.c)))
                    }
                case .addPairs:
                    if case .dict(let d) = regs[Int(ins.a)] {
                        let items = regs + Int(ins.b)
                        for i in 0..<Int(ins.c) { try d.set(items[2 * i], items[2 * i + 1]) }
                    }
                case .unpack:
                    try unpack(regs + Int(ins.a), regs[Int(ins.b)], Int(ins.c))
                case .getIndex:
                    // xs[i] with a whole i in range: the list is read in place (the register keeps it)
                    if let l = peek(regs + Int(ins.b), tag: tags.list, as: ListObject.self),
                       case .number(let d) = regs[Int(ins.c)], d >= 0, d < 9.0e15, Double(Int(d)) == d,
                       let item = l._withUnsafeGuaranteedRef({ Int(d) < $0.items.count ? $0.items[Int(d)] : nil }) {
                        regs[Int(ins.a)] = item
                    } else {
                        regs[Int(ins.a)] = try getIndex(regs[Int(ins.b)], regs[Int(ins.c)])
                    }
                case .setIndex:
                    if let l = peek(regs + Int(ins.a), tag: tags.list, as: ListObject.self),
                       case .number(let d) = regs[Int(ins.b)], d >= 0, d < 9.0e15, Double(Int(d)) == d,
                       l._withUnsafeGuaranteedRef({ Int(d) < $0.items.count }) {
                        let v = regs[Int(ins.c)]
                        l._withUnsafeGuaranteedRef { $0.items[Int(d)] = v }
                    } else {
                        try setIndex(regs[Int(ins.a)], regs[Int(ins.b)], regs[Int(ins.c)])
                    }
                case .getIndexN:
                    let b = Int(ins.b)
                    regs[Int(ins.a)] = try getIndexN(regs[b], regs + b + 1, Int(ins.c))
                case .setIndexN:
                    let a = Int(ins.a)
                    try setIndexN(regs[a], regs + a + 1, Int(ins.c), regs[Int(ins.b)])
                case .makeSlice:
                    let b = Int(ins.b)
                    regs[Int(ins.a)] = .slice(SliceObject(start: regs[b], stop: regs[b + 1], step: regs[b + 2]))
                case .getMember:
                    frames[fi].pc = pc
                    frameCount = fi + 1
                    stackTop = base + frameSize
                    guard case .string(let name) = k[Int(ins.c)] else { break }
                    regs[Int(ins.a)] = try getMember(regs[Int(ins.b)], name.value)
                case .setMember:
                    guard case .string(let name) = k[Int(ins.b)] else { break }
                    try setMember(regs[Int(ins.a)], name.value, regs[Int(ins.c)])
                case .forPrep:
                    let a = Int(ins.a)
                    if case .range(let r) = regs[a], r.isExactIntegers {
                        // a running sum is exact here: R[A] current, R[A+1] stop, R[A+2] step
                        if r.count == 0 { pc = Int(ins.b) } else {
                            regs[a] = .number(r.start)
                            regs[a + 1] = .number(r.stop)
                            regs[a + 2] = .number(r.step)
                            regs[a + 3] = .number(r.start)
                        }
                    } else if try !forPrepSlow(regs + a) {
                        pc = Int(ins.b)
                    }
                case .forLoop:
                    if interruptPending { try poll() }   // before the jump: located at the loop
                    let a = Int(ins.a)
                    if case .number(let current) = regs[a], case .number(let stop) = regs[a + 1],
                       case .number(let step) = regs[a + 2] {
                        let next = current + step
                        if step > 0 ? next < stop : next > stop {
                            regs[a] = .number(next)
                            regs[a + 3] = .number(next)
                            pc = Int(ins.b)
                        }
                    } else if try forLoopSlow(regs + a) {
                        pc = Int(ins.b)
                    }
                    ticks &+= 1
                    if ticks & 1023 == 0 { try countSteps() }
                case .concat:
                    var s = ""
                    let b = Int(ins.b)
                    for i in 0..<Int(ins.c) { s += displayString(regs[b + i]) }
                    regs[Int(ins.a)] = .str(s)
                case .importModule:
                    frames[fi].pc = pc
                    frameCount = fi + 1
                    stackTop = base + frameSize
                    guard case .string(let name) = k[Int(ins.b)] else { break }
                    try importModule(name.value, isPath: ins.c == 1, from: clU.takeUnretainedValue().proto.file)
                }
            }
        } catch {
            frames[fi].pc = pc
            let trace = stackTrace(from: fi, to: entryIndex)
            frameCount = entryIndex
            throw locate(error, trace: trace)
        }
    }

    /// The call stack of this run, innermost first.
    func stackTrace(from top: Int, to bottom: Int) -> [StackFrame] {
        var out: [StackFrame] = []
        var i = top
        while i >= bottom && i >= 0 {
            let f = frames[i]
            if case .function(let c) = stack[f.base - 1] {
                out.append(StackFrame(function: c.proto.name, location: c.proto.location(at: f.pc - 1)))
            }
            i -= 1
        }
        return out
    }

    /// Turns any error into a located ScriptError (or passes exits through).
    func locate(_ error: Error, trace: [StackFrame]) -> Error {
        if error is ScriptExit { return error }
        if var se = error as? ScriptError {
            se.stack += trace
            if se.location == nil, let first = trace.first {
                se.location = first.location
                se.sourceLine = sourceLine(of: first.location)
            }
            return se
        }
        let message: String
        if let r = error as? RuntimeError { message = r.message } else { message = "\(error)" }
        let loc = trace.first?.location
        return ScriptError(kind: .runtime, message: message, location: loc,
                           sourceLine: loc.flatMap { sourceLine(of: $0) }, stack: trace)
    }

    func overflowError() -> ScriptError {
        ScriptError(kind: .runtime, message: "stack overflow: recursion deeper than \(maxFrames)")
    }

    /// True when Ctrl-C (`ScriptInterrupt`) or `requestInterrupt()` asked this
    /// interpreter to stop: two relaxed loads, cheap enough for every loop
    /// back-edge and every return from a native call.
    @inline(__always)
    var interruptPending: Bool {
        ScriptInterrupt.isRequested || ownInterrupt.load(ordering: .relaxed)
    }

    /// Throws the "interrupted" error when one is pending (and clears the request).
    @inline(never)
    func poll() throws {
        if ScriptInterrupt.isRequested {
            ScriptInterrupt.clear()
            throw ScriptError(kind: .interrupted, message: "interrupted")
        }
        if ownInterrupt.load(ordering: .relaxed) {
            ownInterrupt.store(false, ordering: .relaxed)
            throw ScriptError(kind: .interrupted, message: "interrupted")
        }
    }

    /// Every 1024 backward jumps and calls: the step budget, and the interrupt
    /// once more (a loop of closure calls reaches no native return).
    @inline(never)
    func countSteps() throws {
        try poll()
        if let budget = stepBudget {
            stepsUsed += 1024
            if stepsUsed > budget { throw RuntimeError("step budget of \(budget) exhausted") }
        }
    }

    func undefinedMessage(_ g: Int) -> String {
        let name = globalNames[g]
        let hints = ["elif": " (lfr spells it 'else if')", "null": " (lfr spells it 'nil')", "None": " (lfr spells it 'nil')",
                     "True": " (lfr spells it 'true')", "False": " (lfr spells it 'false')"]
        if let hint = hints[name] { return "undefined name '\(name)'\(hint)" }
        let defined = globalNames.indices.filter { globalDefined[$0] && $0 != g }.map { globalNames[$0] }
        return "undefined name '\(name)'\(suggestion(name, defined))"
    }

    @inline(never)
    func makeClosure(_ parent: Closure, _ index: Int, _ regs: UnsafeMutablePointer<Value>, _ defaultBase: Int) -> Closure {
        let proto = parent.proto.protos[index]
        var ups = ContiguousArray<Cell>()
        ups.reserveCapacity(proto.upvalues.count)
        for u in proto.upvalues {
            if u.fromParentRegister {
                if case .cell(let c) = regs[u.index] { ups.append(c) } else { ups.append(Cell(regs[u.index])) }
            } else {
                ups.append(parent.upvalues[u.index])
            }
        }
        let defaults = Array(UnsafeBufferPointer(start: regs + defaultBase, count: proto.defaultCount))
        return Closure(proto: proto, upvalues: ups, defaults: defaults)
    }
}
