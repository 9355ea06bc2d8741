// APITests: the Swift-facing API of Script — evaluation across chunks,
// incompleteness for the REPL prompt, calling lfr values from Swift, native
// functions, the NativeObject extension point, error rendering, interrupts.
import Testing
@testable import Script
#if canImport(Glibc)
import Glibc
import Foundation
import Synchronization
#endif

func makeInterpreter(_ out: UnsafeMutablePointer<String>? = nil) throws -> Interpreter {
    let i = try Interpreter(arguments: [], stdlibPath: GoldenFiles.stdlibDirectory)
    if let out { i.output = { out.pointee += $0 } } else { i.output = { _ in } }
    return i
}

@Test func chunksShareGlobalsAndReturnLastValue() throws {
    let i = try makeInterpreter()
    #expect(i.render(try i.evaluate("let x = 20\nfn double(v) { v * 2 }")) == "nil")
    #expect(i.render(try i.evaluate("double(x) + 2")) == "42")
    #expect(i.render(try i.evaluate("[\"a\", 1.5, nil]")) == "[\"a\", 1.5, nil]")
    #expect(i.render(try i.evaluate("\"quoted\"")) == "\"quoted\"")
    #expect(i.globalNameList.contains("double"))
    #expect(i.globalNameList.contains("x"))
    // an error leaves the interpreter usable and the globals intact
    #expect(throws: ScriptError.self) { try i.evaluate("double(nope)") }
    #expect(i.render(try i.evaluate("x")) == "20")
}

@Test func incompleteInputIsDetected() {
    #expect(Interpreter.isIncomplete("fn f() {"))
    #expect(Interpreter.isIncomplete("let xs = [1, 2,"))
    #expect(Interpreter.isIncomplete("print(\"abc"))
    #expect(Interpreter.isIncomplete("let s = \"\"\"\nline"))
    #expect(Interpreter.isIncomplete("1 +"))
    #expect(Interpreter.isIncomplete("f(a,\n"))
    #expect(!Interpreter.isIncomplete("1 + 2"))
    #expect(!Interpreter.isIncomplete("fn f() { 1 }"))
    #expect(!Interpreter.isIncomplete("1 + )"))   // a real error, not unfinished
}

@Test func callingLfrFunctionsFromSwift() throws {
    let i = try makeInterpreter()
    try i.evaluate("fn policy(stats, keep: 0.5) { stats.loss * keep }")
    let f = try #require(i.global("policy"))
    let d = DictObject()
    d.set("loss", .number(8))
    #expect(i.render(try i.call(f, [.dict(d)])) == "4")
    #expect(i.render(try i.call(f, [.dict(d), .number(0.25)], labels: [nil, "keep"])) == "2")
    #expect(throws: ScriptError.self) { try i.call(f, []) }
    // natives are callable the same way
    let len = try #require(i.global("len"))
    #expect(i.render(try i.call(len, [.str("abc")])) == "3")
}

@Test func nativeFunctionsBindArguments() throws {
    var out = ""
    let i = try makeInterpreter(&out)
    i.register("describe", [Param("x"), Param("scale", default: .number(1)),
                            Param("tags", variadic: true)],
               doc: "describe(x, scale: 1, tags...) is a test function.") { a in
        .str("\(try a.number(0) * a.number(1)) \(a.rest(from: 2).count)")
    }
    try i.evaluate("print(describe(2)); print(describe(2, 3)); print(describe(2, 3, \"a\", \"b\")); print(describe(x: 1, scale: 5))")
    #expect(out == "2.0 0\n6.0 0\n6.0 2\n5.0 0\n")
    #expect(throws: ScriptError.self) { try i.evaluate("describe(\"no\")") }
    do { try i.evaluate("describe()") } catch let e as ScriptError {
        #expect(e.message.contains("missing argument 'x'"))
    }
    #expect(i.helpText(for: "describe")?.contains("is a test function") == true)
}

/// A tiny native type: a vector of numbers with +, *, unary -, indexing, iteration and members.
final class TestVector: NativeObject {
    var xs: [Double]
    init(_ xs: [Double]) { self.xs = xs }
    override var typeName: String { "vec" }
    override var description: String { "vec(\(xs.map(formatNumber).joined(separator: ", ")))" }
    override var helpText: String { "vec: a test vector" }
    override var memberNames: [String] { ["len", "sum", "scaled"] }
    override func getMember(_ name: String) throws -> Value {
        switch name {
        case "len": return .number(Double(xs.count))
        case "sum": return .number(xs.reduce(0, +))
        case "scaled":
            return .native(NativeFunction(name: "scaled", parameters: [Param("by", default: .number(2))], doc: "scaled copy") { a in
                let by = try a.number(0)
                return .object(TestVector(self.xs.map { $0 * by }))
            })
        default: return try super.getMember(name)
        }
    }
    override func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws -> Value? {
        switch (op, other) {
        case (.add, .number(let d)): return .object(TestVector(xs.map { $0 + d }))
        case (.mul, .number(let d)): return .object(TestVector(xs.map { $0 * d }))
        case (.sub, .number(let d)): return .object(TestVector(xs.map { selfOnLeft ? $0 - d : d - $0 }))
        case (.add, .object(let o as TestVector)): return .object(TestVector(zip(xs, o.xs).map { $0 + $1 }))
        case (.gt, .number(let d)): return .list(xs.map { .bool(selfOnLeft ? $0 > d : d > $0) })
        default: return nil
        }
    }
    override func negate() throws -> Value { .object(TestVector(xs.map { -$0 })) }
    override func getIndex(_ items: [IndexArgument]) throws -> Value {
        guard items.count == 1 else { throw RuntimeError("vec takes one index") }
        switch items[0] {
        case .int(let i):
            guard i >= 0 && i < xs.count else { throw RuntimeError("vec index \(i) out of range") }
            return .number(xs[i])
        case .slice(let a, let b, let s):
            return .object(TestVector(sliceRange(start: a, stop: b, step: s ?? 1, count: xs.count).map { xs[$0] }))
        case .value: throw RuntimeError("bad vec index")
        }
    }
    override func setIndex(_ items: [IndexArgument], _ value: Value) throws {
        guard case .int(let i) = items[0], case .number(let d) = value, i >= 0, i < xs.count else { throw RuntimeError("bad vec store") }
        xs[i] = d
    }
    override func iterationCount() throws -> Int? { xs.count }
    override func iterationElement(_ i: Int) throws -> Value { .number(xs[i]) }
    override func isEqual(to other: Value) -> Bool {
        if case .object(let o as TestVector) = other { return o.xs == xs }
        return false
    }
}

@Test func nativeObjectExtensionPoint() throws {
    var out = ""
    let i = try makeInterpreter(&out)
    i.register("vec", [Param("items", variadic: true)], doc: "vec(items...) makes a test vector.") { a in
        .object(TestVector(try (0..<a.count).map { try a.number($0) }))
    }
    try i.evaluate("""
    let v = vec(1, 2, 3)
    print(v, type(v), v.len, v.sum, len(v))
    print(v + 1, 10 - v, -v, v * 2 + v, v > 1, 2 > v)
    print(v[0], v[1:], v[::-1], v.scaled(), v.scaled(by: 10))
    v[0] = 9
    var total = 0
    for x in v { total += x }
    print(total, v == vec(9, 2, 3), v == vec(1), v != v)
    """)
    #expect(out == """
    vec(1, 2, 3) vec 3 6 3
    vec(2, 3, 4) vec(9, 8, 7) vec(-1, -2, -3) vec(3, 6, 9) [false, true, true] [true, false, false]
    1 vec(2, 3) vec(3, 2, 1) vec(2, 4, 6) vec(10, 20, 30)
    14 true false false

    """)
    #expect(i.memberNames(of: try i.evaluate("v")) == ["len", "sum", "scaled"])
    do { try i.evaluate("v @ v") } catch let e as ScriptError {
        #expect(e.message == "cannot apply '@' to vec and vec")
    }
    do { try i.evaluate("v.nothing") } catch let e as ScriptError {
        #expect(e.message == "vec has no member 'nothing'")
    }
}

@Test func errorsRenderWithCaretAndStack() throws {
    let i = try makeInterpreter()
    do {
        try i.evaluate("fn inner(x) {\n  x + \"s\"\n}\nfn outer() { inner(1) }\nouter()", file: "demo.lfr")
        Issue.record("expected an error")
    } catch let e as ScriptError {
        #expect(e.location == SourceLocation(file: "demo.lfr", line: 2, column: 5))
        #expect(e.stack.map { $0.function } == ["inner", "outer", "<main>"])
        let text = e.rendered()
        #expect(text.hasPrefix("demo.lfr:2:5: error: cannot apply '+' to number and string"))
        #expect(text.contains("\n      x + \"s\"\n        ^"))
        #expect(text.contains("at outer (demo.lfr:4)"))
        #expect(e.rendered(color: true).contains("\u{1B}[1;31m"))
    }
    do {
        try i.evaluate("let a = (1 +\n 2", file: "syn.lfr")
    } catch let e as ScriptError {
        #expect(e.kind == .syntax)
        #expect(e.isIncomplete)
        #expect(e.message.contains("expected ')' to close '(' opened at 1:9"))
    }
}


/// Runs `source` in `interp` on a thread of its own; `finished` tells when it returned.
final class BackgroundRun: @unchecked Sendable {
    let interp: Interpreter
    let source: String
    let finished = Atomic<Bool>(false)
    var error: ScriptError?          // written by the thread before `finished`, read after
    var thread = pthread_t()

    init(_ interp: Interpreter, _ source: String) {
        self.interp = interp
        self.source = source
        let ctx = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { raw in
            let run = Unmanaged<BackgroundRun>.fromOpaque(raw!).takeRetainedValue()
            do { try run.interp.evaluate(run.source) } catch let e as ScriptError { run.error = e } catch {}
            run.finished.store(true, ordering: .releasing)
            return nil
        }, ctx)
    }

    /// Waits up to `seconds` for the run to end; joins the thread only if it did
    /// (a run that never stops fails the test instead of hanging the suite).
    func waitFinished(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !finished.load(ordering: .acquiring) {
            if Date() > deadline { return false }
            usleep(1000)
        }
        pthread_join(thread, nil)
        return true
    }
}

/// Waits (at most 20 s) until the global `n` of `interp` exceeds `beyond`.
func waitForCounter(_ interp: Interpreter, beyond: Double) -> Bool {
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
        usleep(1000)
        if case .number(let n)? = interp.global("n"), n > beyond { return true }
    }
    return false
}

// The process-wide ScriptInterrupt is not used here: tests run in parallel in
// one process, and another test's interpreter could see (and clear) it. The
// SIGINT path through it is tested end to end on the built lfr-repl.
@Test func interruptStopsARunawayLoopAndKeepsGlobals() throws {
    let i = try makeInterpreter()
    try i.evaluate("let keep = 42\nvar n = 0")
    let run = BackgroundRun(i, "while true { n += 1 }")
    #expect(waitForCounter(i, beyond: 1000), "the loop never got going")
    i.requestInterrupt()
    try #require(run.waitFinished(seconds: 20), "the loop did not stop within 20 s of the request")
    #expect(run.error?.kind == .interrupted)
    #expect(run.error?.message == "interrupted")
    #expect(i.render(try i.evaluate("keep")) == "42")
    #expect(i.render(try i.evaluate("n > 1000")) == "true")
    // The request was consumed: the next loop runs to its end.
    #expect(i.render(try i.evaluate("var m = 0; while m < 5000 { m += 1 }; m")) == "5000")
}

@Test func interruptingOneInterpreterLeavesAnotherRunning() throws {
    let a = try makeInterpreter(), b = try makeInterpreter()
    try a.evaluate("var n = 0"); try b.evaluate("var n = 0")
    let runA = BackgroundRun(a, "while true { n += 1 }")
    let runB = BackgroundRun(b, "while true { n += 1 }")
    #expect(waitForCounter(a, beyond: 1000) && waitForCounter(b, beyond: 1000))
    a.requestInterrupt()
    try #require(runA.waitFinished(seconds: 20))
    #expect(runA.error?.kind == .interrupted)
    // b is still counting after a stopped
    guard case .number(let before)? = b.global("n") else { Issue.record("b lost n"); return }
    #expect(waitForCounter(b, beyond: before + 1000), "b stopped with a")
    let bFinished = runB.finished.load(ordering: .acquiring)
    #expect(!bFinished)
    b.requestInterrupt()
    try #require(runB.waitFinished(seconds: 20))
    #expect(runB.error?.kind == .interrupted)
}

@Test func stdlibIsFoundFromTheRepository() {
    // walking up from the test binary (inside .build) finds <repo>/stdlib
    let found = Interpreter.findStdlib()
    #expect(found != nil)
    #expect(found.map { fileExists($0 + "/prelude.lfr") } == true)
}

/// The VM's non-retaining fast paths (calls, string +, list indexing, push)
/// are only active when `Value`'s layout is the verified one; if a compiler
/// change breaks that, everything still works but slowly -- this says so.
@Test func valueLayoutAllowsTheVMsFastPaths() throws {
    let tags = try #require(ValueTags.current)
    var s = Value.str("peek")
    let peeked = withUnsafePointer(to: &s) { peek($0, tag: tags.string, as: StringObject.self) }
    #expect(peeked?.takeUnretainedValue().value == "peek")
    var n = Value.number(1)
    #expect(withUnsafePointer(to: &n) { peek($0, tag: tags.string, as: StringObject.self) } == nil)
    #expect(ValueTags.unverified.string == 0xFF)
}

@Test func interruptStopsALoopOfSlowNativesRightAfterTheCurrentOneReturns() throws {
    let i = try makeInterpreter()
    // a native that takes 200 ms, like a big matrix product, and checks nothing itself
    i.register("slow", [], doc: "sleeps 200 ms") { _ in usleep(200_000); return .nil }
    try i.evaluate("var n = 0")
    let run = BackgroundRun(i, "fn work() {\n  for k in range(1000) {\n    slow()\n    n += 1\n  }\n}\nwork()")
    #expect(waitForCounter(i, beyond: 1), "the loop never got going")
    let asked = Date()
    i.requestInterrupt()
    try #require(run.waitFinished(seconds: 20))
    // at most the rest of the current call (200 ms) plus the 100 ms allowed
    let waited = Date().timeIntervalSince(asked)
    #expect(waited < 0.3, "stopped \(waited) s after the request")
    let e = try #require(run.error)
    #expect(e.kind == .interrupted)
    // located at the statement that was running, with the call stack
    #expect(e.location?.line == 3)
    #expect(e.stack.map(\.function) == ["work", "<main>"])
}

@Test func aStopRequestThatCameTooLateDoesNotStopTheNextEntry() throws {
    let i = try makeInterpreter()
    i.requestInterrupt()
    // this entry has no loop and no native call: it ends without polling
    #expect(i.render(try i.evaluate("1 + 1")) == "2")
    #expect(i.render(try i.evaluate("var m = 0; while m < 5000 { m += 1 }; m")) == "5000")
}

@Test func pollingAfterEveryNativeCallCostsLittle() throws {
    // a tight loop of cheap native calls (abs), timed; the figure is printed
    // for the report and must stay far below a microsecond per call
    let i = try makeInterpreter()
    let start = Date()
    try i.evaluate("var s = 0; for k in range(2000000) { s += abs(k) }")
    let perCall = Date().timeIntervalSince(start) / 2_000_000
    print("tight loop of abs(): \(perCall * 1e9) ns per iteration")
    #expect(perCall < 1e-6)
}
