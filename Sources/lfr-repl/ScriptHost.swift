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

    /// How a result is shown at the prompt: the language's own rendering,
    /// except that lists and dicts holding more than `ValueSummary.threshold`
    /// items show their first and last items around "... N more ...", as tensors do.
    func display(_ value: Value) -> String {
        switch value {
        case .list, .dict:
            guard ValueSummary.itemCount(value, upTo: ValueSummary.threshold + 1) > ValueSummary.threshold else { break }
            var seen: [ObjectIdentifier] = []
            return ValueSummary(render: interpreter.render, keywords: Set(keywords)).summarize(value, seen: &seen)
        default: break
        }
        return interpreter.render(value)
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

    /// The help text for a name (a builtin, a bound function or value, a
    /// keyword or a type) or a member path such as `t.sum`, with the
    /// signature shown once (doc strings often start with it).
    func helpText(for name: String) -> String? {
        var text: String?
        if name.contains(".") {
            // Only a dotted name is evaluated (reading a member may compute, but never runs typed code).
            guard isDottedName(name), let value = try? interpreter.evaluate(name, file: "<help>") else { return nil }
            text = interpreter.helpText(forValue: value)
        } else {
            text = interpreter.helpText(for: name)
        }
        guard let text else { return nil }
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        if lines.count == 2, let open = lines[0].firstIndex(of: "(") {
            let callee = lines[0][..<open]
            let bare = callee.split(separator: ".").last.map(String.init) ?? String(callee)
            if lines[1].hasPrefix(callee + "(") || lines[1].hasPrefix(bare + "(") { return String(lines[1]) }
        }
        return text
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

    /// Walks `path` through globals, dict fields and the members a native
    /// object declares completable (never another getter: it might compute).
    private func resolve(_ path: [String]) -> Value? {
        guard let first = path.first, var value = interpreter.global(first) else { return nil }
        for name in path.dropFirst() {
            switch value {
            case .dict(let d):
                guard let next = d.get(name) else { return nil }
                value = next
            case .object(let o) where o.completableMembers.contains(name):
                guard let next = try? o.getMember(name) else { return nil }
                value = next
            default:
                return nil
            }
        }
        return value
    }

    func memberNames(ofPath path: [String]) -> [String]? {
        guard let value = resolve(path) else { return nil }
        return interpreter.memberNames(of: value)
    }

    func parameterNames(ofPath path: [String]) -> [String]? {
        // Methods of native objects are looked up only where the object declares them completable.
        guard let value = resolve(path) else { return nil }
        switch value {
        case .native(let f): return f.parameters.filter { !$0.isVariadic }.map(\.name)
        case .function(let c): return c.parameterNames
        default: return nil
        }
    }
}

/// The summarized rendering of big lists and dicts (see ScriptHost.display).
struct ValueSummary {
    static let threshold = 1000
    static let edgeItems = 3
    let render: (Value) -> String
    let keywords: Set<String>

    /// Lists, dicts and their items counted (stops at `limit`: cycles end too).
    static func itemCount(_ value: Value, upTo limit: Int) -> Int {
        var count = 0
        func walk(_ v: Value) {
            guard count < limit else { return }
            switch v {
            case .list(let l):
                for x in l.items { count += 1; if count >= limit { return }; walk(x) }
            case .dict(let d):
                for x in d.values { count += 1; if count >= limit { return }; walk(x) }
            default: break
            }
        }
        walk(value)
        return count
    }

    func summarize(_ value: Value, seen: inout [ObjectIdentifier]) -> String {
        switch value {
        case .list(let l):
            let id = ObjectIdentifier(l)
            if seen.contains(id) { return "[...]" }
            seen.append(id); defer { seen.removeLast() }
            let parts = edges(l.items.count).map { i in
                i < 0 ? more(l.items.count) : summarize(l.items[i], seen: &seen)
            }
            return "[" + parts.joined(separator: ", ") + "]"
        case .dict(let d):
            let id = ObjectIdentifier(d)
            if seen.contains(id) { return "{...}" }
            seen.append(id); defer { seen.removeLast() }
            let parts = edges(d.count).map { i -> String in
                if i < 0 { return more(d.count) }
                return key(d.keys[i]) + ": " + summarize(d.values[i], seen: &seen)
            }
            return "{" + parts.joined(separator: ", ") + "}"
        default:
            return render(value)
        }
    }

    /// The indices shown for `n` items, -1 standing for the hidden middle.
    private func edges(_ n: Int) -> [Int] {
        let e = ValueSummary.edgeItems
        if n <= 2 * e + 1 { return Array(0..<n) }
        return Array(0..<e) + [-1] + Array((n - e)..<n)
    }

    private func more(_ n: Int) -> String {
        "... " + grouped(n - 2 * ValueSummary.edgeItems) + " more ..."
    }

    private func key(_ k: Value) -> String {
        if case .string(let s) = k, let f = s.value.unicodeScalars.first,
           f == "_" || (f.isASCII && f.properties.isAlphabetic),
           s.value.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }),
           !keywords.contains(s.value) {
            return s.value
        }
        return render(k)
    }
}
