// Golden: the one runner and dialect of the golden-script suites
// (Tests/ScriptTests/Cases for the language alone, Tests/ScriptLibraryTests/Cases
// with the ML bindings installed).
//
// The dialect, in comments of a case:
//   # expect: TEXT             the next line of output is exactly TEXT
//   # expect:                  the next line of output is empty
//   # expect error: FRAGMENT   the script fails with a message containing
//                              FRAGMENT; when the comment follows code on the
//                              same line, the error must be reported at that line
//   # expect error line N: FRAGMENT   the same, reported at line N
// A file starting with `# golden: module` is imported by cases and not run.
// What stays true here: a case fails on any difference — extra output,
// missing output, an error where none is expected, or the wrong one.
import Script
#if canImport(Glibc)
import Glibc
#endif

public struct GoldenExpectations: Sendable {
    public var output: [String] = []
    public var errorFragment: String?
    public var errorLine: Int?

    public init(source: String) {
        for (i, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let r = line.firstRange(of: "# expect") else { continue }
            let rest = line[r.upperBound...]
            let codeBefore = !line[..<r.lowerBound].allSatisfy { $0 == " " || $0 == "\t" }
            if rest.hasPrefix(": ") || rest == ":" {
                output.append(String(rest.dropFirst(min(2, rest.count))))
            } else if rest.hasPrefix(" error line ") {
                let tail = rest.dropFirst(" error line ".count)
                if let colon = tail.firstIndex(of: ":") {
                    errorLine = Int(tail[..<colon])
                    errorFragment = String(tail[tail.index(after: colon)...]).trimmingCharacters(in: " ")
                }
            } else if rest.hasPrefix(" error: ") {
                errorFragment = String(rest.dropFirst(" error: ".count)).trimmingCharacters(in: " ")
                if codeBefore { errorLine = i + 1 }
            }
        }
    }
}

extension StringProtocol {
    func trimmingCharacters(in c: Character) -> String {
        var s = Substring(self)
        while s.first == c { s.removeFirst() }
        while s.last == c { s.removeLast() }
        return String(s)
    }
}

public enum Golden {
    /// Every case file under `folder` (recursively, sorted), modules excluded.
    public static func cases(in folder: String) -> [String] {
        var out: [String] = []
        func walk(_ dir: String) {
            guard let d = opendir(dir) else { return }
            var names: [String] = []
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(d)
            for name in names.sorted() {
                let p = dir + "/" + name
                var st = stat()
                if name.hasSuffix(".lfr") {
                    if let t = try? readTextFile(p), t.hasPrefix("# golden: module") { continue }
                    out.append(p)
                } else if stat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                    walk(p)
                }
            }
        }
        walk(folder)
        return out
    }

    /// Runs `source` on `interpreter` (its output captured) and returns what
    /// differs from the expectations, one line each (empty: the case passes).
    /// `clean` rewrites output and messages (a temporary path to `$TMP`...).
    public static func check(_ source: String, file: String, on interpreter: Interpreter,
                             clean: (String) -> String = { $0 }) -> [String] {
        let expected = GoldenExpectations(source: source)
        var output = ""
        interpreter.output = { output += $0 }
        var thrown: ScriptError? = nil
        do {
            try interpreter.evaluate(source, file: file)
        } catch let e as ScriptError {
            thrown = e
        } catch is ScriptExit {
            // exit(n): the script ends normally here
        } catch {
            return ["unexpected non-script error \(error)"]
        }
        var lines = clean(output).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var problems: [String] = []
        if lines != expected.output {
            problems.append("output mismatch\n  expected: \(expected.output)\n  actual:   \(lines)")
        }
        switch (expected.errorFragment, thrown) {
        case (nil, nil): break
        case (nil, let e?): problems.append("unexpected error: \(clean(e.rendered()))")
        case (let want?, nil): problems.append("expected an error containing \"\(want)\" but the script succeeded")
        case (let want?, let e?):
            let message = clean(e.message)
            if !message.contains(want) { problems.append("error message \"\(message)\" does not contain \"\(want)\"") }
            if let line = expected.errorLine, e.location?.line != line {
                problems.append("error at line \(e.location?.line ?? -1), expected line \(line): \(clean(e.rendered()))")
            }
        }
        return problems
    }
}
