// fuzz-language: bytes -> lfr source -> a fresh interpreter with the whole
// library installed -> compile and run with a step budget. Every input must
// end with a value or a ScriptError (never a trap), within the budget: the
// VM stops loops and calls after about `stepBudget` back-edges, and a
// watchdog thread interrupts native work (training, big tensors) that runs
// longer than `secondsPerInput`, as Ctrl-C would. The interpreter must
// still work afterwards.
//
// Files: `tmp` is the scratch folder (scripts/fuzz runs the target inside
// it, as a user who can write nowhere else when it can arrange that).
import FuzzSupport
import Script
import ScriptLibrary
#if canImport(Glibc)
import Glibc
#endif

let stepBudget = 50_000
let secondsPerInput = 2.0

/// The watchdog: when the input now running passes its deadline, it asks
/// the interpreter to stop (the process's one interrupt flag).
nonisolated(unsafe) var deadline = 0.0
func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
var watchdog = pthread_t()
pthread_create(&watchdog, nil, { _ in
    while true {
        usleep(20_000)
        if deadline > 0 && now() > deadline { ScriptInterrupt.request() }
    }
}, nil)

Fuzz.main(seeds: languageSeeds) { input in
    let source = String(decoding: input, as: UTF8.self)
    Fuzz.expectingUserErrors("language") {
        let interp = try Interpreter(arguments: [])
        try ScriptLibrary.install(into: interp)
        interp.output = { _ in }
        interp.stepBudget = stepBudget
        interp.setGlobal("tmp", .str(Fuzz.scratchFolder))
        deadline = now() + secondsPerInput
        defer { deadline = 0 }
        do { _ = try interp.evaluate(source, file: "<fuzz>") } catch is ScriptError {} catch is ScriptExit {}
        deadline = 0
        ScriptInterrupt.clear()
        let two = try interp.evaluate("1 + 1")
        Fuzz.require(interp.render(two) == "2", "the interpreter is broken after an input")
    }
}

/// A few lines of every kind of statement; scripts/fuzz adds the golden
/// cases of both suites as further seeds.
func languageSeeds() throws -> [(name: String, bytes: [UInt8])] {
    let seeds = [
        ("basics", "let x = 1\nvar xs = [1, 2, 3]\nfn f(a, b: 2) { return a * b }\nprint(f(x), xs[1:], {a: 1}.a)\n"),
        ("control", "var s = 0\nfor i in range(10) { if i % 2 == 0 { s += i } else { continue } }\nwhile s > 0 { s -= 7 }\n"),
        ("closures", "fn counter() { var n = 0\n return fn() { n += 1\n n } }\nlet c = counter()\nc()\nprint(c())\n"),
        ("strings", "let s = \"a\\(1 + 2)b\"\nprint(s.upper(), s.split(\"b\"), len(s), str(3.5), num(\"2\"))\n"),
        ("tensors", "let t = tensor([[1, 2], [3, 4]])\nprint(t @ t, t.sum(axis: 0), zeros([2, 3]) + 1, arange(5).tolist())\n"),
        ("model", "let d = dataset(tensor(range(200).map(fn(i) { i % 7 })), context: 4, val: 0.2)\nlet m = bigram(vocab: 7)\nlet r = train(m, d, learn(steps: 3), batch: 2, quiet: true)\nprint(r.step)\n"),
    ]
    return seeds.map { ($0.0, Array($0.1.utf8)) }
}
