// GoldenTests: runs every script under Cases/<feature>/<case>.lfr with the
// ML bindings installed and checks its output against the `# expect: text`
// comments (one output line each, in order) and its error against an
// `# expect error: message` comment, which must sit on the line the error
// is reported at. The prelude is loaded as in lfr-repl. Each case gets a fresh interpreter and a fresh temporary
// folder bound to the global `tmp` (cases never need files from outside);
// that folder's path reads as `$TMP` in output and error messages.
import Foundation
import Testing
import Script
import ScriptLibrary

struct GoldenCase: CustomStringConvertible, Sendable {
    let path: String
    var description: String { path.components(separatedBy: "/Cases/").last ?? path }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Cases").path
    /// The repository's stdlib (the prelude is loaded, as in lfr-repl).
    static let stdlib = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("stdlib").path

    static func all() -> [GoldenCase] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found: [String] = []
        for case let rel as String in walker where rel.hasSuffix(".lfr") { found.append(folder + "/" + rel) }
        return found.sorted().map(GoldenCase.init)
    }
}

/// What a case expects: output lines, and an error message with its line.
struct Expectations {
    var output: [String] = []
    var error: (message: String, line: Int)?

    init(source: String) {
        for (i, line) in source.components(separatedBy: "\n").enumerated() {
            if let r = line.range(of: "# expect error: ") {
                error = (String(line[r.upperBound...]), i + 1)
            } else if let r = line.range(of: "# expect: ") {
                output.append(String(line[r.upperBound...]))
            } else if line.hasSuffix("# expect:") {
                output.append("")
            }
        }
    }
}

/// Runs a script with the bindings installed; returns its output lines and error.
func runScript(_ source: String, file: String) throws -> (output: [String], error: ScriptError?) {
    let interp = try Interpreter(stdlibPath: GoldenCase.stdlib)
    var out = ""
    interp.output = { out += $0 }
    try ScriptLibrary.install(into: interp)
    let tmp = NSTemporaryDirectory() + "lfr-golden-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    interp.setGlobal("tmp", .str(tmp))
    var failure: ScriptError? = nil
    do { try interp.evaluate(source, file: file) } catch let e as ScriptError { failure = e }
    if var e = failure { e.message = e.message.replacingOccurrences(of: tmp, with: "$TMP"); failure = e }
    var lines = out.replacingOccurrences(of: tmp, with: "$TMP").components(separatedBy: "\n")
    if lines.last == "" { lines.removeLast() }
    return (lines, failure)
}

@Test("golden scripts", arguments: GoldenCase.all())
func golden(_ c: GoldenCase) throws {
    let source = try String(contentsOfFile: c.path, encoding: .utf8)
    let expected = Expectations(source: source)
    let (output, error) = try runScript(source, file: c.description)
    #expect(output == expected.output, "output of \(c)")
    switch (expected.error, error) {
    case (nil, nil): break
    case (nil, let e?): Issue.record("\(c): unexpected error:\n\(e.rendered())")
    case (let x?, nil): Issue.record("\(c): expected error '\(x.message)' at line \(x.line), but the script succeeded")
    case (let x?, let e?):
        #expect(e.message == x.message, "error message of \(c)")
        #expect(e.location?.line == x.line, "error line of \(c): \(e.rendered())")
    }
}

@Test func goldenCasesExist() {
    #expect(GoldenCase.all().count >= 20)
}
