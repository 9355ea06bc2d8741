// HelpTopicsTests: help() lists the builtins grouped by topic, in the order
// the library installs them, with the language's own builtins last.
import Foundation
import Testing
import Script
import ScriptLibrary

@Test func helpGroupsBuiltinsByTopic() throws {
    let stdlib = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("stdlib").path
    let i = try Interpreter(stdlibPath: stdlib)
    var out = ""
    i.output = { out += $0 }
    try ScriptLibrary.install(into: i)
    try i.evaluate("help()", file: "<test>")
    let lines = out.split(separator: "\n").map(String.init)
    let topics = lines.compactMap { $0.split(separator: ":").first.map(String.init) }
    #expect(Array(topics.prefix(8)) == ["tensors", "models", "data", "schedules", "plots", "processes", "language", "keywords"])
    func names(_ topic: String) -> Set<String> {
        guard let line = lines.first(where: { $0.hasPrefix(topic + ": ") }) else { return [] }
        return Set(line.dropFirst(topic.count + 2).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }
    // A tensor function that replaces a language builtin is listed once, under tensors.
    #expect(names("tensors").isSuperset(of: ["zeros", "matmul", "softmax", "sum", "exp"]))
    #expect(!names("language").contains("sum"))
    #expect(names("models").isSuperset(of: ["gpt", "adamw", "save", "load"]))
    #expect(names("data").isSuperset(of: ["dataset", "bpe", "duplicate", "noise"]))
    // Schedules written in lfr (stdlib/lfr.lfr) are listed with the native ones.
    #expect(names("schedules").isSuperset(of: ["train", "compare", "focus", "lfr_paper", "random_baseline"]))
    #expect(names("plots") == ["plot", "hist"])
    #expect(names("language").isSuperset(of: ["print", "len", "range", "help"]))
    #expect(names("keywords").contains("while"))
    #expect(lines.last == "help(\"name\") or help(value) shows one of them.")
}
