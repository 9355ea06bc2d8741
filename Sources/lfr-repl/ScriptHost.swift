// ScriptHost: the one place where lfr-repl talks to the language (module
// Script): creating the interpreter, evaluating, completion queries, help,
// and the summaries shown by :vars.
// What stays true here: nothing in this file runs user code except
// `evaluate`; completion and :vars only read bound values (members of
// native objects come from their `memberNames`, which must be cheap and free
// of side effects), so pressing Tab on a huge tensor costs nothing.
import Script
import ScriptLibrary

final class ScriptHost: CompletionSource {
    let interpreter: Interpreter
    /// The library's host settings (progress, interrupts, script source).
    let library: LibraryHost
    /// Global slots that existed before the user typed anything (builtins,
    /// prelude, libraries): names in them are not the user's.
    private let startupSlots: Int

    init(arguments: [String]) throws {
        interpreter = try Interpreter(arguments: arguments)
        library = try installLibraries(into: interpreter)
        startupSlots = interpreter.globalSlotCount
    }

    // MARK: - Running code

    /// Evaluates a chunk; returns the value of its last expression (nil otherwise).
    func evaluate(_ source: String, file: String) throws -> Value {
        try interpreter.evaluate(Interpreter.strippingShebang(source), file: file)
    }

    /// True when more lines are needed (open bracket or string, trailing operator).
    func isIncomplete(_ source: String) -> Bool {
        Interpreter.isIncomplete(source)
    }

    /// How a result is shown at the prompt.
    func display(_ value: Value) -> String {
        interpreter.render(value)
    }

    func setGlobal(_ name: String, _ value: Value) {
        interpreter.setGlobal(name, value)
    }

    /// Bindings of names first seen after start-up, sorted, `_` excluded.
    func userGlobals() -> [(name: String, value: Value)] {
        interpreter.globalNameList.compactMap { name in
            guard name != "_", let slot = interpreter.globalSlot(named: name), slot >= startupSlots,
                  let v = interpreter.global(name) else { return nil }
            return (name, v)
        }
    }

    /// A one-line summary of `value`, at most `limit` characters.
    func summary(_ value: Value, limit: Int) -> String {
        let text: String
        switch value {
        case .object(let o): text = o.summary
        case .list(let l) where l.items.count > 20: text = "\(l.items.count) items"
        case .dict(let d) where d.count > 20: text = "\(d.count) entries"
        default: text = interpreter.render(value)
        }
        let oneLine = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if oneLine.count <= limit && !text.contains("\n") { return oneLine }
        return String(oneLine.prefix(limit - 3)) + "..."
    }

    // MARK: - Help

    /// The help text for a name: a builtin, a bound function or value, a keyword or a type.
    func helpText(for name: String) -> String? {
        interpreter.helpText(for: name)
    }

    // MARK: - Interrupts (called from the SIGINT handler: async-signal-safe only)

    static func requestInterrupt() { ScriptInterrupt.request() }
    static func clearInterrupt() { ScriptInterrupt.clear() }

    // MARK: - CompletionSource

    var keywords: [String] {
        ["let", "var", "fn", "if", "else", "while", "for", "in", "break", "continue", "return",
         "and", "or", "not", "true", "false", "nil", "import"]
    }

    func globalNames() -> [String] {
        interpreter.globalNameList
    }

    /// Walks `path` through globals and dict fields only (never a getter of a native object).
    private func resolve(_ path: [String]) -> Value? {
        guard let first = path.first, var value = interpreter.global(first) else { return nil }
        for name in path.dropFirst() {
            guard case .dict(let d) = value, let next = d.get(name) else { return nil }
            value = next
        }
        return value
    }

    func memberNames(ofPath path: [String]) -> [String]? {
        guard let value = resolve(path) else { return nil }
        return interpreter.memberNames(of: value)
    }

    func parameterNames(ofPath path: [String]) -> [String]? {
        // Methods of native objects are not looked up: their getter might compute.
        guard let value = resolve(path) else { return nil }
        switch value {
        case .native(let f): return f.parameters.filter { !$0.isVariadic }.map(\.name)
        case .function(let c): return c.parameterNames
        default: return nil
        }
    }
}
