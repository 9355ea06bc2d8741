// ExtremeInputTests: generated inputs at the edges — 10k brackets, 100k
// operator chains, 1 MB lines, huge literals, 100k locals, cyclic values,
// deep chains — each either runs correctly or fails with a located
// ScriptError; none may trap. Plus the O(1) string indexing check: a
// `while i < s.len { s[i] }` loop grows linearly with the string.
import Testing
@testable import Script
#if canImport(Glibc)
import Glibc
#endif

/// Evaluates `source` in a fresh interpreter; returns its printed output or the error.
private func outcome(_ source: String) throws -> Result<String, ScriptError> {
    var out = ""
    let interp = try makeInterpreter(&out)
    interp.stepBudget = 50_000_000
    do {
        try interp.evaluate(source, file: "<extreme>")
        return .success(out)
    } catch let e as ScriptError {
        #expect(e.location != nil, "error without a location: \(e.message)")
        // the interpreter is still usable afterwards
        #expect(interp.render(try interp.evaluate("1 + 1")) == "2")
        return .failure(e)
    }
}

private func expectError(_ source: String, _ fragment: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    switch try outcome(source) {
    case .success(let out): Issue.record("expected an error containing \"\(fragment)\", got output \(out.prefix(200))", sourceLocation: sourceLocation)
    case .failure(let e):
        #expect(e.message.contains(fragment), "\(e.message)", sourceLocation: sourceLocation)
        // a long line is shown as a window, never whole
        #expect(e.description.count < 2000, "rendered error is \(e.description.count) characters", sourceLocation: sourceLocation)
    }
}

private func expectOutput(_ source: String, _ expected: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    switch try outcome(source) {
    case .success(let out): #expect(out == expected, sourceLocation: sourceLocation)
    case .failure(let e): Issue.record("unexpected error: \(e.message)", sourceLocation: sourceLocation)
    }
}

@Test func deepNestingIsAClearError() throws {
    try expectError("print(" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + ")", "nested too deeply")
    try expectError("print(" + String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000) + ")", "nested too deeply")
    try expectError("print(" + String(repeating: "{a: ", count: 10_000) + "1" + String(repeating: "}", count: 10_000) + ")", "nested too deeply")
    try expectError("print(" + String(repeating: "-", count: 100_000) + "1)", "nested too deeply")
    try expectError("print(" + String(repeating: "fn() { ", count: 10_000) + String(repeating: "}", count: 10_000) + ")", "nested too deeply")
    // unclosed: an error at the end, not a crash
    try expectError(String(repeating: "[", count: 10_000), "nested too deeply")
}

@Test func longOperatorChainsAreAClearError() throws {
    let sum = Array(repeating: "1", count: 100_000).joined(separator: " + ")
    try expectError("print(\(sum))", "expression too long")
    try expectError("print(" + Array(repeating: "2", count: 100_000).joined(separator: " ** ") + ")", "nested too deeply")
    try expectError("let xs = [1]\nprint(xs" + String(repeating: "[0]", count: 100_000) + ")", "expression too long")
    try expectError("print(1" + String(repeating: ".len", count: 100_000) + ")", "expression too long")
    // 2000 operators still work
    try expectOutput("print(" + Array(repeating: "1", count: 2000).joined(separator: " + ") + ")", "2000\n")
}

@Test func hugeLiteralsWork() throws {
    let items = (0..<100_000).map { String($0 % 997) }.joined(separator: ", ")
    try expectOutput("let xs = [\(items)]\nprint(xs.len, xs[99999], xs[63], xs[64])", "100000 299 63 64\n")
    let pairs = (0..<100_000).map { "k\($0): \($0)" }.joined(separator: ", ")
    try expectOutput("let d = {\(pairs)}\nprint(d.len, d.k99999, d.k0)", "100000 99999 0\n")
    // inside a function too (registers stay few)
    try expectOutput("fn f() { [\(items)] }\nprint(f().len)", "100000\n")
    let strings = (0..<100_000).map { "\"s\($0)\"" }.joined(separator: ", ")
    try expectOutput("print(len([\(strings)]))", "100000\n")
}

@Test func megabyteLinesWork() throws {
    let s = String(repeating: "ab", count: 500_000)
    try expectOutput("let s = \"\(s)\"\nprint(s.len, s[-1], s[500000:500002])", "1000000 b ab\n")
    try expectOutput("# " + String(repeating: "x", count: 1_000_000) + "\nprint(1)", "1\n")
    // an error in the middle of a 1 MB line is located and shown as a window
    try expectError("let s = \"\(s)\" + nil", "cannot apply '+' to string and nil")
    try expectError(String(repeating: "x + ", count: 100) + String(repeating: " ", count: 1_000_000) + "$", "unexpected character")
}

@Test func manyLocalsAndGlobals() throws {
    let locals = (0..<100_000).map { "  let v\($0) = \($0)" }.joined(separator: "\n")
    try expectError("fn f() {\n\(locals)\n  v99999\n}", "function too large")
    let some = (0..<20_000).map { "  let v\($0) = \($0)" }.joined(separator: "\n")
    try expectOutput("fn f() {\n\(some)\n  v19999 + v0\n}\nprint(f())", "19999\n")
    let globals = (0..<50_000).map { "let g\($0) = \($0)" }.joined(separator: "\n")
    try expectOutput(globals + "\nprint(g49999)", "49999\n")
}

@Test func longElseIfChainsWork() throws {
    let chain = (0..<10_000).map { "n == \($0) { \($0) }" }.joined(separator: " else if ")
    try expectOutput("fn f(n) { if \(chain) else { -1 } }\nprint(f(9999), f(10000))", "9999 -1\n")
}

@Test func cyclicValuesAndDeepChains() throws {
    // self-containing values compare, print, order and search without a crash
    try expectOutput("""
        let a = []; a.push(a); let b = []; b.push(b)
        let d = {}; d.me = d; let e = {}; e.me = e
        print(a == b, a != b, d == e, a in [b], [b].index_of(a), str(a), str(d))
        """, "true false true true 0 [[...]] {me: {...}}\n")
    try expectError("let a = [1]; a.push(a); a.push(1); let b = [1]; b.push(b); b.push(2); print(a < b)", "self-containing")
    // release, compare and print chains a million deep
    try expectOutput("""
        var n = nil
        var m = nil
        for i in range(1000000) { n = [n]; m = [m] }
        print(n == m, n < m, len(str(n)) > 1000000)
        n = nil
        m = nil
        print("released")
        """, "true false true\nreleased\n")
}

/// Seconds for a `while i < s.len { s[i] }` scan of `count` characters.
private func scanSeconds(_ count: Int, unicode: Bool) throws -> Double {
    let interp = try makeInterpreter()
    try interp.evaluate("""
        var parts = []
        for i in range(\(count)) { parts.push(if \(unicode) and i % 5 == 0 { "é" } else { "a" }) }
        let s = parts.join("")
        fn scan() {
          var i = 0
          var n = 0
          while i < s.len { if s[i] == "é" { n += 1 }; i += 1 }
          n
        }
        """)
    var best = Double.infinity
    for _ in 0..<3 {
        let t0 = Clock.now()
        let n = try interp.evaluate("scan()")
        best = min(best, Clock.now() - t0)
        #expect(interp.render(n) == (unicode ? String((count + 4) / 5) : "0"))
    }
    return best
}

@Test func stringIndexingIsLinear() throws {
    // linear: 4x the characters take about 4x the time; quadratic would take 16x
    for unicode in [false, true] {
        let small = try scanSeconds(40_000, unicode: unicode)
        let large = try scanSeconds(160_000, unicode: unicode)
        #expect(large < small * 10, "scan of 160k characters took \(large / small)x the 40k scan (unicode: \(unicode))")
    }
}
