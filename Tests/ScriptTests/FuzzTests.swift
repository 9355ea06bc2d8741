// FuzzTests: thousands of random token sequences and random mutations of
// the golden scripts go through parse, compile and run with a step budget.
// The property: no input traps (the test process would die), every failure
// is a ScriptError, and the interpreter still works after each input.
// Deterministic: a fixed-seed SplitMix64 generator drives everything.
import GoldenSupport
import Testing
@testable import Script

struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

let fuzzVocabulary = [
    "let", "var", "fn", "if", "else", "while", "for", "in", "break", "continue", "return",
    "and", "or", "not", "true", "false", "nil", "import",
    "x", "y", "f", "xs", "d", "print", "len", "range", "map", "sort", "str", "num", "push",
    "0", "1", "2", "-1", "3.5", "1e308", "1e-5", "9007199254740993", "0.5",
    "\"s\"", "\"a\\(x)b\"", "\"\"", "\"\"\"m\n\"\"\"",
    "(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "\n", "\n",
    "+", "-", "*", "/", "%", "**", "@", "=", "==", "!=", "<", "<=", ">", ">=", "+=", "-=",
    "x(", "f(x)", "xs[0]", "[1, 2, 3]", "{a: 1}", "fn(a) { a }", "range(3)", "d.a", "xs[1:]", "xs[::-1]",
]

func runFuzzInput(_ interp: Interpreter, _ source: String) {
    do {
        try interp.evaluate(source, file: "<fuzz>")
    } catch is ScriptError {
    } catch is ScriptExit {
    } catch {
        Issue.record("non-script error \(error) for input: \(source)")
    }
}

@Test func fuzzRandomTokenSequences() throws {
    var rng = SplitMix64(state: 20261127)
    var interp = try Interpreter(arguments: [], stdlibPath: GoldenFiles.stdlibDirectory)
    for n in 0..<3000 {
        if n % 200 == 0 {
            interp = try Interpreter(arguments: [], stdlibPath: GoldenFiles.stdlibDirectory)
            interp.output = { _ in }
            interp.stepBudget = 20_000
            try interp.evaluate("var x = 1\nvar xs = [1, 2]\nvar d = {a: 1}\nfn f(a) { a }")
        }
        let count = 1 + rng.below(30)
        var src = ""
        for _ in 0..<count { src += fuzzVocabulary[rng.below(fuzzVocabulary.count)] + " " }
        runFuzzInput(interp, src)
        // still usable afterwards
        let v = try interp.evaluate("1 + 1")
        #expect(interp.render(v) == "2", "interpreter broken after: \(src)")
    }
}

@Test func fuzzMutatedGoldenScripts() throws {
    var rng = SplitMix64(state: 7)
    let scripts = Golden.cases(in: GoldenFiles.casesDirectory).compactMap { path -> String? in
        guard let t = try? readTextFile(path) else { return nil }
        // keep file-writing and process-exiting cases out of the mutations
        return t.contains("write_file") || t.contains("exit(") ? nil : t
    }
    #expect(!scripts.isEmpty)
    var interp = try Interpreter(arguments: [], stdlibPath: GoldenFiles.stdlibDirectory)
    for n in 0..<2000 {
        if n % 100 == 0 {
            interp = try Interpreter(arguments: [], stdlibPath: GoldenFiles.stdlibDirectory)
            interp.output = { _ in }
            interp.stepBudget = 20_000
        }
        var chars = Array(scripts[rng.below(scripts.count)])
        for _ in 0..<(1 + rng.below(4)) {
            guard !chars.isEmpty else { break }
            let at = rng.below(chars.count)
            switch rng.below(4) {
            case 0: chars.removeSubrange(at..<min(chars.count, at + 1 + rng.below(8)))
            case 1: chars.insert(contentsOf: Array(fuzzVocabulary[rng.below(fuzzVocabulary.count)]), at: at)
            case 2:
                let end = min(chars.count, at + rng.below(40))
                chars.insert(contentsOf: chars[at..<end], at: rng.below(chars.count))
            default:
                let other = rng.below(chars.count)
                chars.swapAt(at, other)
            }
        }
        runFuzzInput(interp, String(chars))
        #expect(interp.render(try interp.evaluate("2 * 3")) == "6")
    }
}
