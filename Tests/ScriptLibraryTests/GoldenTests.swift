// GoldenTests: runs every script under Cases/<feature>/<case>.lfr with the
// ML bindings installed, in the golden dialect of Tests/GoldenSupport
// (`# expect: text`, `# expect error: message` on the line that fails).
// The prelude is loaded as in lfr-repl. Each case gets a fresh interpreter
// and a fresh temporary folder bound to the global `tmp` (cases never need
// files from outside); that folder's path reads as `$TMP` in output and
// error messages.
import Foundation
import GoldenSupport
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

    static func all() -> [GoldenCase] { Golden.cases(in: folder).map(GoldenCase.init) }
}

@Test("golden scripts", arguments: GoldenCase.all())
func golden(_ c: GoldenCase) throws {
    let source = try String(contentsOfFile: c.path, encoding: .utf8)
    let interp = try Interpreter(stdlibPath: GoldenCase.stdlib)
    try ScriptLibrary.install(into: interp)
    let tmp = NSTemporaryDirectory() + "lfr-golden-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    interp.setGlobal("tmp", .str(tmp))
    let problems = Golden.check(source, file: c.description, on: interp) { $0.replacingOccurrences(of: tmp, with: "$TMP") }
    for p in problems { Issue.record(Comment(rawValue: "\(c): \(p)")) }
}

@Test func goldenCasesExist() {
    #expect(GoldenCase.all().count >= 20)
}
