// ResearchBindingsTests: duplicate, noise, mix and holdout from the
// language, with the bindings installed as the host will install them.
import Foundation
import Testing
import Script
@testable import ScriptLibrary

private func run(_ source: String) throws -> [String] {
    let stdlib = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("stdlib").path
    let i = try Interpreter(stdlibPath: stdlib)
    var out = ""
    i.output = { out += $0 }
    try ScriptLibrary.install(into: i)
    try i.evaluate(source, file: "<test>")
    return out.split(separator: "\n").map(String.init)
}

@Test func regimeBindingsAlterTrainingOnly() throws {
    let lines = try run("""
    let d = dataset(tensor(range(0, 801)) % 97, context: 8, val: 0.2, seed: 3, vocab: 97)
    let dup = duplicate(d, fraction: 0.25, copies: 3, seed: 7)
    let noisy = noise(d, fraction: 0.2, seed: 1)
    let parts = holdout(d, fraction: 0.25)
    let m = mix([d, noisy], weights: [1, 1])
    print(d.train_blocks, dup.train_blocks, noisy.train_blocks, parts[0].train_blocks, parts[1].train_blocks)
    print(dup.val_blocks, noisy.val_blocks, parts[1].val_blocks, m.val_blocks)
    """)
    #expect(lines == ["80 140 100 60 20", "20 20 20 20"])
}

@Test func regimeBindingErrorsAreClear() throws {
    #expect(throws: ScriptError.self) { try run("duplicate(1, fraction: 0.1)") }
    do {
        _ = try run("let d = dataset(tensor(range(0, 801)) % 97, context: 8, val: 0.2)\nnoise(d, fraction: 1)")
        Issue.record("no error")
    } catch let e as ScriptError {
        #expect(e.message.contains("fraction must be in [0, 1)"))
    }
}
