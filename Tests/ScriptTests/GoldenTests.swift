// GoldenTests: runs every script under Cases/<feature>/<case>.lfr (the
// language alone, no ML bindings) in the golden dialect of
// Tests/GoldenSupport (`# expect: <line>`, `# expect error: <fragment>`,
// `# expect error line N: <fragment>`), with a step budget so a runaway
// case fails instead of hanging. The Cases folder is found through
// #filePath (no SwiftPM resources).
import GoldenSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Script

enum GoldenFiles {
    static var testsDirectory: String {
        let file = "\(#filePath)"
        return String(file[..<file.lastIndex(of: "/")!])
    }
    static var casesDirectory: String { testsDirectory + "/Cases" }
    static var stdlibDirectory: String { testsDirectory + "/../../stdlib" }

    /// Runs one case; returns a failure description or nil.
    static func run(_ path: String) -> String? {
        guard let text = try? readTextFile(path) else { return "cannot read \(path)" }
        let interp: Interpreter
        do { interp = try Interpreter(arguments: ["a1", "a2"], stdlibPath: stdlibDirectory) } catch {
            return "cannot make an interpreter: \(error)"
        }
        interp.stepBudget = 5_000_000
        let problems = Golden.check(text, file: path, on: interp)
        return problems.isEmpty ? nil : "\(path):\n" + problems.joined(separator: "\n")
    }
}

@Test func goldenScripts() {
    let cases = Golden.cases(in: GoldenFiles.casesDirectory)
    #expect(cases.count >= 120, "expected at least 120 golden cases, found \(cases.count)")
    var failures: [String] = []
    for path in cases {
        let t0 = Clock.now()
        if let f = GoldenFiles.run(path) { failures.append(f) }
        let dt = Clock.now() - t0
        if dt > 0.2 { print("slow golden case \(path): \(dt) s") }
    }
    for f in failures { Issue.record(Comment(rawValue: f)) }
}

/// Monotonic seconds (to report slow cases).
enum Clock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
