// Bytecode: the instruction set and the compiled form of a function.
// What stays true here: an instruction is a one-byte opcode with three Int32
// operands; operands name registers of the current frame (R), constants (K),
// globals (G), upvalues (U) or nested prototypes (P). The list below is the
// one place where each opcode's effect is written down. Code and constants
// are copied into unsafe buffers once, when a prototype is finished, so the
// VM reads them without bounds or uniqueness checks.

enum Op: UInt8 {
    case loadK          // A B     R[A] = K[B]
    case loadNil        // A       R[A] = nil
    case loadBool       // A B     R[A] = (B != 0)
    case move           // A B     R[A] = R[B]
    case getGlobal      // A B     R[A] = G[B]            (error if G[B] was never defined)
    case setGlobal      // A B     G[B] = R[A]            (error if G[B] was never defined)
    case defGlobal      // A B     G[B] = R[A], marks G[B] defined
    case getUpval       // A B     R[A] = U[B].value
    case setUpval       // A B     U[B].value = R[A]
    case newCell        // A       R[A] = cell(R[A])
    case getCell        // A B     R[A] = R[B].value      (R[B] is a cell)
    case setCell        // A B     R[A].value = R[B]      (R[A] is a cell)
    case add, sub, mul, div, mod, pow, matmul   // A B C   R[A] = R[B] op R[C]   (add with A == B may append in place)
    case floorDiv       // A B C   R[A] = R[B] // R[C]    (floor division, Python's rules)
    case contains       // A B C   R[A] = R[B] in R[C]
    case addConsume     // A B C   R[A] = R[B] + R[C], R[B] a temporary left nil (a string in it may be appended to in place)
    case addConsumeK    // A B C   R[A] = R[B] + K[C], the same with a string constant on the right (`str(x) + ";"`)
    case eq, ne, lt, le, gt, ge                 // A B C   R[A] = R[B] op R[C]
    case neg            // A B     R[A] = -R[B]
    case not            // A B     R[A] = not R[B]
    case jump           // B       pc = B (forward)
    case loop           // B       pc = B (backward: polls interrupt and step budget)
    case jumpIfFalse    // A B     if not R[A] { pc = B }
    case jumpIfTrue     // A B     if R[A] { pc = B }
    case ltJump         // A B C   if not (R[A] < R[B]) { pc = C }   (fused compare and branch)
    case leJump         // A B C   if not (R[A] <= R[B]) { pc = C }
    case ltJumpK        // A B C   if not (R[A] < K[B]) { pc = C }
    case leJumpK        // A B C   if not (R[A] <= K[B]) { pc = C }
    case gtJumpK        // A B C   if not (R[A] > K[B]) { pc = C }
    case geJumpK        // A B C   if not (R[A] >= K[B]) { pc = C }
    case addK, subK, mulK, divK, modK           // A B C   R[A] = R[B] op K[C]  (K[C] a number)
    case kAdd, kMul     // A B C   R[A] = K[C] op R[B]  (`2 * x`: the number on the left, kept there for messages)
    case call           // A B C   R[A] = R[A](R[A+1] ... R[A+B]); C = call-site index (labels) or -1
    case invoke         // A B C   R[A] = R[A].name(R[A+1] ... R[A+B]); C = call-site index (name, labels)
    case ret            // A       return R[A]
    case closure        // A B C   R[A] = closure of P[B]; its defaults are R[C] ...
    case loadSelf       // A       R[A] = the running closure (a named function expression's own name)
    case newList        // A B C   R[A] = [R[B] ... R[B+C-1]]
    case newDict        // A B C   R[A] = {R[B]: R[B+1], ...}, C pairs
    case appendItems    // A B C   R[A].push(R[B]) ... R[A].push(R[B+C-1])   (long list literals, a chunk at a time)
    case addPairs       // A B C   R[A][R[B]] = R[B+1] ..., C pairs            (long dict literals)
    case unpack         // A B C   R[A] ... R[A+C-1] = the C items of R[B]    (error unless a list of C items)
    case getIndex       // A B C   R[A] = R[B][R[C]]
    case setIndex       // A B C   R[A][R[B]] = R[C]
    case getIndexN      // A B C   R[A] = R[B][R[B+1], ..., R[B+C]]
    case setIndexN      // A B C   R[A][R[A+1], ..., R[A+C]] = R[B]
    case makeSlice      // A B     R[A] = slice(R[B], R[B+1], R[B+2])
    case getMember      // A B C   R[A] = R[B].K[C]
    case setMember      // A B C   R[A].K[B] = R[C]
    case forPrep        // A B     start iterating R[A]; R[A+3] = first item, or pc = B if empty
    case forLoop        // A B     R[A+3] = next item and pc = B (backward), or fall through when done
    case concat         // A B C   R[A] = str(R[B]) + ... + str(R[B+C-1])
    case importModule   // A B C   import K[B] (C = 1: a path string, 0: a module name)
}

struct Instruction {
    var op: Op
    var a: Int32
    var b: Int32
    var c: Int32
    init(_ op: Op, _ a: Int = 0, _ b: Int = 0, _ c: Int = 0) {
        self.op = op; self.a = Int32(truncatingIfNeeded: a); self.b = Int32(truncatingIfNeeded: b); self.c = Int32(truncatingIfNeeded: c)
    }
}

/// The labels (and, for `invoke`, the method name) of one call site, plus a
/// cache of the builtin method it last resolved to.
final class CallSite {
    let name: String
    let labels: [String?]
    let hasLabels: Bool
    /// Receiver kind (see `Interpreter.invoke`) the cache is for; 0: nothing cached.
    @exclusivity(unchecked) private(set) var cachedKind = 0
    /// The cached method: `method` owns it, `methodRef` reads it without retaining.
    /// It always comes from the interpreter's method tables, which outlive any
    /// call, so a call in flight stays valid even if a re-entrant call through
    /// this site replaces the cache.
    @exclusivity(unchecked) private(set) var method: NativeFunction?
    @exclusivity(unchecked) private(set) var methodRef: Unmanaged<NativeFunction>?
    /// The cached method is the builtin `push` of lists (the VM appends directly).
    @exclusivity(unchecked) private(set) var isListPush = false

    init(name: String, labels: [String?]) {
        self.name = name; self.labels = labels; hasLabels = labels.contains { $0 != nil }
    }

    func cache(_ m: NativeFunction, kind: Int, isListPush: Bool) {
        method = m; methodRef = .passUnretained(m); cachedKind = kind; self.isListPush = isListPush
    }
}

/// Where an upvalue of a closure comes from when the closure is created.
struct UpvalueSource {
    var fromParentRegister: Bool   // true: the parent's register `index` (a cell); false: the parent's upvalue `index`
    var index: Int
}

/// A compiled function: code, constants, and what the VM needs to call it.
final class FunctionProto {
    let name: String
    let file: String
    var parameterNames: [String] = []
    var defaultCount = 0              // trailing parameters that have defaults
    var frameSize = 0                 // registers used
    var upvalues: [UpvalueSource] = []
    var protos: [FunctionProto] = []
    @exclusivity(unchecked) var callSites: [CallSite] = []   // read on every labelled call and method call
    var doc: String?
    var location: SourceLocation

    private(set) var code: UnsafeMutablePointer<Instruction>
    private(set) var codeCount = 0
    /// `callSites`, unretained (the array owns them), for the VM to read without reference counting.
    private(set) var siteRefs: UnsafeMutablePointer<Unmanaged<CallSite>>
    private(set) var constants: UnsafeMutablePointer<Value>
    private(set) var constantCount = 0
    private(set) var locations: [SourceLocation] = []

    init(name: String, file: String, location: SourceLocation) {
        self.name = name; self.file = file; self.location = location
        code = UnsafeMutablePointer.allocate(capacity: 1)
        constants = UnsafeMutablePointer.allocate(capacity: 1)
        siteRefs = UnsafeMutablePointer.allocate(capacity: 1)
    }

    func finish(code list: [Instruction], locations: [SourceLocation], constants consts: [Value]) {
        code.deallocate()
        constants.deallocate()
        code = UnsafeMutablePointer.allocate(capacity: max(1, list.count))
        code.initialize(from: list, count: list.count)
        codeCount = list.count
        constants = UnsafeMutablePointer.allocate(capacity: max(1, consts.count))
        constants.initialize(from: consts, count: consts.count)
        constantCount = consts.count
        self.locations = locations
        siteRefs.deallocate()
        siteRefs = UnsafeMutablePointer.allocate(capacity: max(1, callSites.count))
        siteRefs.initialize(from: callSites.map { .passUnretained($0) }, count: callSites.count)
    }

    var parameterCount: Int { parameterNames.count }

    func location(at pc: Int) -> SourceLocation {
        if pc >= 0 && pc < locations.count { return locations[pc] }
        return location
    }

    deinit {
        code.deinitialize(count: codeCount); code.deallocate()
        constants.deinitialize(count: constantCount); constants.deallocate()
        siteRefs.deallocate()
    }
}

/// A function value written in lfr: a prototype plus captured cells and default values.
public final class Closure {
    let proto: FunctionProto
    let upvalues: ContiguousArray<Cell>
    let defaults: [Value]
    // immutable copies of the prototype's hot fields (no exclusivity checks on `let`)
    let code: UnsafePointer<Instruction>
    let constants: UnsafePointer<Value>
    let callSites: UnsafePointer<Unmanaged<CallSite>>
    let parameterCount: Int
    let frameSize: Int
    init(proto: FunctionProto, upvalues: ContiguousArray<Cell>, defaults: [Value]) {
        self.proto = proto; self.upvalues = upvalues; self.defaults = defaults
        code = UnsafePointer(proto.code); constants = UnsafePointer(proto.constants)
        callSites = UnsafePointer(proto.siteRefs)
        parameterCount = proto.parameterNames.count; frameSize = proto.frameSize
    }
    public var name: String { proto.name }
    public var parameterNames: [String] { proto.parameterNames }
    public var doc: String? { proto.doc }
}
