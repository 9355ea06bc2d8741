// GoldenTests: runs every script under Cases/<feature>/<case>.lfr and checks
// its output against the `# expect: <line>` comments (in order) and, when
// present, `# expect error: <fragment>` (the error message must contain the
// fragment; `# expect error line N: <fragment>` also checks the line).
// The Cases folder is found through #filePath (no SwiftPM resources).
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Script

struct GoldenCase {
    var path: String
    var expectedLines: [String] = []
    var expectedError: String?
    var expectedErrorLine: Int?
}

enum Golden {
    static var testsDirectory: String {
        let file = "\(#filePath)"
        return String(file[..<file.lastIndex(of: "/")!])
    }
    static var casesDirectory: String { testsDirectory + "/Cases" }
    static var stdlibDirectory: String { testsDirectory + "/../../stdlib" }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func listCases() -> [String] {
        var out: [String] = []
        func walk(_ dir: String) {
            for name in listDirectory(dir).sorted() {
                let p = dir + "/" + name
                if name.hasSuffix(".lfr") {
                    // helper modules imported by cases are marked and not run on their own
                    if let t = try? readTextFile(p), t.hasPrefix("# golden: module") { continue }
                    out.append(p)
                } else if isDirectory(p) { walk(p) }
            }
        }
        walk(casesDirectory)
        return out
    }

    static func parse(_ path: String, _ text: String) -> GoldenCase {
        var c = GoldenCase(path: path)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let r = line.firstRange(of: "# expect") else { continue }
            let rest = line[r.upperBound...]
            if rest.hasPrefix(": ") || rest == ":" {
                c.expectedLines.append(String(rest.dropFirst(min(2, rest.count))))
            } else if rest.hasPrefix(" error line ") {
                let tail = rest.dropFirst(" error line ".count)
                if let colon = tail.firstIndex(of: ":") {
                    c.expectedErrorLine = Int(tail[..<colon])
                    c.expectedError = String(tail[tail.index(after: colon)...]).trimmingWhitespace()
                }
            } else if rest.hasPrefix(" error: ") {
                c.expectedError = String(rest.dropFirst(" error: ".count)).trimmingWhitespace()
            }
        }
        return c
    }

    /// Runs one case; returns a failure description or nil.
    static func run(_ path: String) -> String? {
        guard let text = try? readTextFile(path) else { return "cannot read \(path)" }
        let c = parse(path, text)
        var output = ""
        var thrown: ScriptError? = nil
        do {
            let interp = try Interpreter(arguments: ["a1", "a2"], stdlibPath: stdlibDirectory)
            interp.output = { output += $0 }
            interp.stepBudget = 5_000_000
            try interp.evaluate(text, file: path)
        } catch let e as ScriptError {
            thrown = e
        } catch is ScriptExit {
            // exit(n): the script ends normally here
        } catch {
            return "unexpected non-script error \(error)"
        }
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var problems: [String] = []
        if lines != c.expectedLines {
            problems.append("output mismatch\n  expected: \(c.expectedLines)\n  actual:   \(lines)")
        }
        if let want = c.expectedError {
            if let e = thrown {
                if !e.message.contains(want) { problems.append("error message \"\(e.message)\" does not contain \"\(want)\"") }
                if let line = c.expectedErrorLine, e.location?.line != line {
                    problems.append("error at line \(e.location?.line ?? -1), expected line \(line)")
                }
            } else {
                problems.append("expected error containing \"\(want)\" but the script succeeded")
            }
        } else if let e = thrown {
            problems.append("unexpected error: \(e.rendered())")
        }
        return problems.isEmpty ? nil : "\(path):\n" + problems.joined(separator: "\n")
    }
}

@Test func goldenScripts() {
    let cases = Golden.listCases()
    #expect(cases.count >= 120, "expected at least 120 golden cases, found \(cases.count)")
    var failures: [String] = []
    for path in cases {
        let t0 = Golden.now()
        if let f = Golden.run(path) { failures.append(f) }
        let dt = Golden.now() - t0
        if dt > 0.2 { print("slow golden case \(path): \(dt) s") }
    }
    for f in failures { Issue.record(Comment(rawValue: f)) }
}
