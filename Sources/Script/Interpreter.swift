// Interpreter: the public face of the language for hosts (the REPL, the
// batch runner, ScriptLibrary, tests).
// What stays true here: one Interpreter owns one value stack, one frame
// stack and one global table, all fixed-capacity unsafe buffers allocated
// once (so pointers into them never move while code runs); top-level
// bindings of every evaluated chunk persist; after any error the frame
// stack is back where it was, so the next chunk runs normally. Not
// thread-safe: use one interpreter from one thread at a time.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CInterrupt
import Synchronization

/// The flag the REPL sets on Ctrl-C; running lfr code stops with an
/// "interrupted" error at the next loop back-edge or return from a native
/// call (so within a few microseconds of the current native call returning).
/// The outermost `evaluate` clears it when it ends, so a request that came
/// too late to stop one entry never stops the next.
/// It is the process's one interrupt flag (CInterrupt, also polled by the
/// numeric core's long loops): every interpreter polling it may be the one
/// that sees it (and clears it). To stop one interpreter among several, use
/// `Interpreter.requestInterrupt()`.
public enum ScriptInterrupt {
    /// Asks running code to stop (async-signal-safe).
    public static func request() { lfr_interrupt_request() }
    public static func clear() { lfr_interrupt_clear() }
    @inline(__always) public static var isRequested: Bool { lfr_interrupt_pending() != 0 }
}

public final class Interpreter {
    /// Deepest lfr recursion allowed; deeper gives "stack overflow: recursion deeper than N".
    public let maxFrames = 10_000
    let stackCapacity = 1 << 19
    let globalCapacity = 1 << 16
    /// Deepest nesting of Swift -> lfr calls (a native that calls back into lfr).
    let maxNativeDepth = 120

    let stack: UnsafeMutablePointer<Value>
    let frames: UnsafeMutablePointer<Frame>
    /// Tags of `Value`'s reference cases, for the VM's non-retaining peeks (see VM.swift).
    let valueTags = ValueTags.current ?? .unverified
    // Counters the VM updates around every call: plain Ints that are never
    // held across a call (no exclusivity bookkeeping needed).
    @exclusivity(unchecked) var frameCount = 0
    @exclusivity(unchecked) var stackTop = 0
    @exclusivity(unchecked) var nativeDepth = 0

    let globalValues: UnsafeMutablePointer<Value>
    let globalDefined: UnsafeMutablePointer<Bool>
    let globalIsConstant: UnsafeMutablePointer<Bool>
    var globalNames: [String] = []
    var globalIndex: [String: Int] = [:]

    var sources: [String: String] = [:]
    var importedFiles: Set<String> = []
    var chunkCounter = 0

    /// Script arguments (the `args` global).
    public let arguments: [String]
    /// Folder of the standard library (prelude.lfr and importable modules), if found.
    public let stdlibPath: String?
    /// Where `print` writes. Defaults to standard output.
    public var output: (String) -> Void = { s in fputs(s, stdout) }
    /// Stop with an error after about this many backward jumps and calls (fuzzing, tests).
    public var stepBudget: Int? = nil
    /// This interpreter's own stop request (see `requestInterrupt()`).
    let ownInterrupt = Atomic<Bool>(false)
    @exclusivity(unchecked) var stepsUsed = 0
    /// Print the bytecode of every compiled chunk to stderr (env LFR_DISASM=1).
    public var disassemble = getenv("LFR_DISASM") != nil
    var listMethods: [String: NativeFunction] = [:]
    var stringMethods: [String: NativeFunction] = [:]
    var dictMethods: [String: NativeFunction] = [:]
    var rangeMethods: [String: NativeFunction] = [:]
    /// Doc strings of the language's keywords, for help().
    var keywordHelp: [String: String] = [:]
    /// The topic `help()` lists natives defined from now on under (nil:
    /// "language"); a host sets it around each group of bindings it installs.
    public var helpTopic: String?
    /// Each topic's names, and the topics in the order they were first given.
    var helpTopicOfName: [String: String] = [:]
    var helpTopicOrder: [String] = []

    /// Asks code running in this interpreter (on any thread) to stop with an
    /// "interrupted" error at its next poll, as Ctrl-C does through the
    /// process-wide `ScriptInterrupt`, but without touching other interpreters.
    public func requestInterrupt() { ownInterrupt.store(true, ordering: .relaxed) }

    /// Creates an interpreter with its builtins and (unless disabled) the prelude.
    public init(arguments: [String] = [], stdlibPath: String? = nil, loadPrelude: Bool = true) throws {
        self.arguments = arguments
        self.stdlibPath = stdlibPath ?? Interpreter.findStdlib()
        stack = Interpreter.zeroedValues(stackCapacity)
        frames = .allocate(capacity: maxFrames + 2)
        globalValues = Interpreter.zeroedValues(globalCapacity)
        globalDefined = .allocate(capacity: globalCapacity)
        globalDefined.initialize(repeating: false, count: globalCapacity)
        globalIsConstant = .allocate(capacity: globalCapacity)
        globalIsConstant.initialize(repeating: false, count: globalCapacity)
        installBuiltins()
        if loadPrelude, let dir = self.stdlibPath {
            let path = dir + "/prelude.lfr"
            if let text = try? readTextFile(path) {
                importedFiles.insert(path)
                _ = try evaluate(text, file: path)
            }
        }
    }

    /// A buffer of `count` values that costs nothing until touched: calloc'd
    /// memory, whose all-zero bit pattern is a trivial value (checked once;
    /// otherwise the buffer is filled with nil the slow way).
    static func zeroedValues(_ count: Int) -> UnsafeMutablePointer<Value> {
        let raw = calloc(count, MemoryLayout<Value>.stride)!
        let p = raw.bindMemory(to: Value.self, capacity: count)
        if !zeroIsTrivial { p.initialize(repeating: .nil, count: count) }
        return p
    }

    static let zeroIsTrivial: Bool = {
        let raw = calloc(1, MemoryLayout<Value>.stride)!
        defer { free(raw) }
        switch raw.load(as: Value.self) {
        case .nil, .bool, .number: return true
        default: return false
        }
    }()

    /// Deinitializes and frees a `zeroedValues` buffer. On Linux, pages that
    /// were never touched (not resident, says mincore) still hold only the
    /// zero bit pattern, a trivial value, and are skipped: tearing down an
    /// interpreter then costs what its programs used, not a walk over half a
    /// million registers (3 ms of every `lfr-repl` run). A page swapped out
    /// at that moment is skipped too: its objects leak, nothing breaks.
    static func releaseValues(_ p: UnsafeMutablePointer<Value>, _ count: Int) {
        defer { free(p) }
        #if os(Linux)
        let stride = MemoryLayout<Value>.stride
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = Int(bitPattern: p), end = start + count * stride
        let first = start & ~(page - 1)
        var resident = [UInt8](repeating: 0, count: (end - first + page - 1) / page)
        if zeroIsTrivial, page > 0, page % stride == 0, start % stride == 0,
           mincore(UnsafeMutableRawPointer(bitPattern: first), end - first, &resident) == 0 {
            for (i, flag) in resident.enumerated() where flag & 1 != 0 {
                // the values whose bytes lie in this page (none straddles: strides divide pages)
                let lo = max(start, first + i * page), hi = min(end, first + (i + 1) * page)
                if hi > lo { (p + (lo - start) / stride).deinitialize(count: (hi - lo) / stride) }
            }
            return
        }
        #endif
        p.deinitialize(count: count)
    }

    deinit {
        Interpreter.releaseValues(stack, stackCapacity)
        frames.deallocate()
        Interpreter.releaseValues(globalValues, globalCapacity)
        globalDefined.deallocate(); globalIsConstant.deallocate()
    }

    // MARK: - Globals

    /// The slot of global `name`, creating it (undefined) if needed.
    func globalSlot(_ name: String) -> Int {
        if let i = globalIndex[name] { return i }
        let i = globalNames.count
        // the compiler checks capacity before asking for a new slot (a compile error, not a trap)
        globalValues[i] = .nil
        globalNames.append(name)
        globalIndex[name] = i
        return i
    }

    /// Names of all defined globals (for completion and `:vars`), sorted.
    public var globalNameList: [String] {
        globalNames.indices.filter { globalDefined[$0] }.map { globalNames[$0] }.sorted()
    }

    /// How many global slots exist (defined or only referenced so far). Slots
    /// are numbered in the order names first appear and are never removed, so
    /// a host can tell names bound after some moment from those before it.
    public var globalSlotCount: Int { globalNames.count }

    /// The slot number of a global name (see `globalSlotCount`), or nil.
    public func globalSlot(named name: String) -> Int? { globalIndex[name] }

    /// The value of a defined global, or nil.
    public func global(_ name: String) -> Value? {
        guard let i = globalIndex[name], globalDefined[i] else { return nil }
        return globalValues[i]
    }

    /// Defines (or redefines) a global.
    public func setGlobal(_ name: String, _ value: Value, constant: Bool = false) {
        if let topic = helpTopic, case .native = value { setHelpTopic(topic, for: [name]) }
        let i = globalSlot(name)
        globalValues[i] = value
        globalDefined[i] = true
        globalIsConstant[i] = constant
    }

    /// Registers a native function as a global under its name.
    public func register(_ function: NativeFunction) {
        setGlobal(function.name, .native(function))
    }

    /// Lists `names` under `topic` in `help()` (functions written in lfr
    /// that a host defines, for instance).
    public func setHelpTopic(_ topic: String, for names: [String]) {
        if !helpTopicOrder.contains(topic) { helpTopicOrder.append(topic) }
        for n in names { helpTopicOfName[n] = topic }
    }

    /// Registers a native function as a global: `register("f", [Param("x")], doc: "...") { args in ... }`.
    public func register(_ name: String, _ parameters: [Param], doc: String,
                         _ body: @escaping (Arguments) throws -> Value) {
        register(NativeFunction(name: name, parameters: parameters, doc: doc, body: body))
    }

    // MARK: - Evaluating source

    /// Parses, compiles and runs a chunk; returns the value of its last
    /// expression statement (nil if it ends with another kind of statement).
    /// Top-level `let`, `var` and `fn` define globals that persist.
    @discardableResult
    public func evaluate(_ source: String, file: String = "<input>") throws -> Value {
        // a file run this way counts as imported: a script that imports itself runs once
        if !file.hasPrefix("<") && fileExists(file) { importedFiles.insert(canonicalPath(file)) }
        let proto = try compile(source, file: file)
        let closure = Closure(proto: proto, upvalues: [], defaults: [])
        let isOutermost = frameCount == 0
        if isOutermost { stepsUsed = 0 }
        defer {
            if isOutermost {
                // drop references held by dead registers so memory is freed between chunks
                for i in 0..<4096 { stack[i] = .nil }
                // a stop request that came too late to stop this entry must not stop the next one
                ScriptInterrupt.clear()
                ownInterrupt.store(false, ordering: .relaxed)
            }
        }
        return try call(.function(closure), [])
    }

    /// Reads and evaluates a file.
    @discardableResult
    public func evaluateFile(_ path: String) throws -> Value {
        let text: String
        do { text = try readTextFile(path) } catch {
            throw ScriptError(kind: .runtime, message: "cannot read '\(path)': \((error as? RuntimeError)?.message ?? "\(error)")")
        }
        importedFiles.insert(canonicalPath(path))
        return try evaluate(Interpreter.strippingShebang(text), file: path)
    }

    /// A script's text with its `#!` line turned into a comment (the one
    /// place a shebang is handled, for files and for hosts that read them).
    public static func strippingShebang(_ text: String) -> String {
        text.hasPrefix("#!") ? "#" + text.dropFirst(2) : text
    }

    func compile(_ source: String, file: String) throws(ScriptError) -> FunctionProto {
        // a UTF-8 byte order mark (editors on Windows write one) is not part of the program
        let source = source.unicodeScalars.first == "\u{FEFF}" ? String(source.unicodeScalars.dropFirst()) : source
        sources[file] = source
        let stmts = try Parser.parse(file: file, source: source)
        var resolver = Resolver(file: file, source: source)
        try resolver.resolveChunk(stmts)
        let compiler = Compiler(file: file, source: source, interpreter: self)
        let proto = try compiler.compileChunk(stmts)
        if disassemble { fputs(proto.disassembly(), stderr) }
        return proto
    }

    /// Only checks syntax (for tools): throws the first syntax error.
    public func checkSyntax(_ source: String, file: String = "<input>") throws {
        _ = try Parser.parse(file: file, source: source)
    }

    /// True when `source` is unfinished: an open bracket or string, or a
    /// trailing binary operator. The REPL then reads another line.
    public static func isIncomplete(_ source: String) -> Bool {
        do {
            let stmts = try Parser.parse(file: "<input>", source: source)
            _ = stmts
            return false
        } catch {
            return error.isIncomplete
        }
    }

    func sourceLine(of loc: SourceLocation) -> String? {
        guard let src = sources[loc.file] else { return nil }
        return Script.sourceLine(src, loc.line)
    }

    // MARK: - Calling values from Swift

    /// Calls a function value (closure or native) with positional and
    /// optionally labelled arguments (`labels[i]` is nil for positional ones).
    public func call(_ function: Value, _ args: [Value], labels: [String?]? = nil) throws -> Value {
        if nativeDepth >= maxNativeDepth {
            throw ScriptError(kind: .runtime, message: "stack overflow: recursion deeper than \(maxNativeDepth) nested native calls")
        }
        let a = stackTop
        if a + args.count + 2 >= stackCapacity || frameCount >= maxFrames { throw overflowError() }
        stack[a] = function
        for (i, v) in args.enumerated() { stack[a + 1 + i] = v }
        let savedTop = stackTop, savedFrames = frameCount
        nativeDepth += 1
        defer { nativeDepth -= 1; stackTop = savedTop }
        do {
            if try callSlow(a, args.count, labels, name: nil) {
                frames[frameCount - 1].isEntry = true
                let v = try run()
                return v
            }
            return stack[a]
        } catch {
            frameCount = savedFrames
            // errors raised before any lfr frame ran (argument binding, natives) get located here
            throw locate(error, trace: [])
        }
    }

    /// How the REPL shows a result: strings quoted, numbers without `.0`.
    public func render(_ value: Value) -> String { reprString(value) }

    // MARK: - Finding the standard library

    /// `LFR_STDLIB`, else a `stdlib` folder (with prelude.lfr) found walking up
    /// from the executable's folder, else `<exe>/../share/lfr/stdlib`.
    public static func findStdlib() -> String? {
        if let env = getenv("LFR_STDLIB") { return String(cString: env) }
        guard let exe = executablePath() else { return nil }
        var dir = parentDirectory(exe)
        while !dir.isEmpty && dir != "/" {
            let candidate = dir + "/stdlib"
            if fileExists(candidate + "/prelude.lfr") { return candidate }
            dir = parentDirectory(dir)
        }
        let share = parentDirectory(parentDirectory(exe)) + "/share/lfr/stdlib"
        return fileExists(share + "/prelude.lfr") ? share : nil
    }
}

// MARK: - Small file-system helpers (no Foundation: start-up stays fast)

func executablePath() -> String? {
    var buf = [CChar](repeating: 0, count: 4097)
    let n = readlink("/proc/self/exe", &buf, 4096)
    if n > 0 { buf[n] = 0; return String(cString: buf) }
    if let first = CommandLine.arguments.first, first.contains("/") { return first }
    return nil
}

func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
}

func fileExists(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
}

func canonicalPath(_ path: String) -> String {
    guard let r = realpath(path, nil) else { return path }
    defer { free(r) }
    return String(cString: r)
}

/// Reads a whole file as UTF-8 text (the one text-file reader: the
/// interpreter's imports and read_file, and the host's scripts).
public func readTextFile(_ path: String) throws -> String {
    guard let f = fopen(path, "rb") else { throw RuntimeError(String(cString: strerror(errno))) }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
        if n < chunk.count { break }
    }
    if ferror(f) != 0 { throw RuntimeError("read error") }
    return String(decoding: bytes, as: UTF8.self)
}

func writeTextFile(_ path: String, _ text: String, append: Bool) throws {
    guard let f = fopen(path, append ? "ab" : "wb") else { throw RuntimeError(String(cString: strerror(errno))) }
    let bytes = Array(text.utf8)
    let n = fwrite(bytes, 1, bytes.count, f)
    let closed = fclose(f)
    if n != bytes.count || closed != 0 { throw RuntimeError("write error: \(String(cString: strerror(errno)))") }
}

func listDirectory(_ path: String) -> [String] {
    guard let d = opendir(path) else { return [] }
    defer { closedir(d) }
    var out: [String] = []
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name != "." && name != ".." { out.append(name) }
    }
    return out
}

func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}
