// Completion: what Tab completes at the prompt, decided from the text before
// the cursor alone (the pending entry plus the current line).
// What stays true here: finding the context is pure text analysis (a small
// scanner that knows strings, interpolation, comments and brackets); asking
// for candidates never runs user code: members come from `memberNames` of an
// already bound value, reached through global names and dict fields only.
import Glibc

/// What the interpreter can tell completion about (implemented by ScriptHost).
protocol CompletionSource: AnyObject {
    /// Keywords of the language.
    var keywords: [String] { get }
    /// Names bound at the top level (globals and builtins).
    func globalNames() -> [String]
    /// Members of the value reached by `path` (`["model", "config"]` for `model.config.`), nil if unknown.
    func memberNames(ofPath path: [String]) -> [String]?
    /// Parameter names of the function reached by `path`, nil if not a function.
    func parameterNames(ofPath path: [String]) -> [String]?
}

/// Where the cursor is, as far as completion cares.
enum CompletionContext: Equatable {
    /// Inside a comment, or nowhere useful.
    case nothing
    /// Inside a string literal: the literal's text so far (a file path perhaps).
    case path(String)
    /// After `a.b.` : the dotted path and the member prefix typed so far.
    case member(base: [String], prefix: String)
    /// A name; `callee` is the function whose call parentheses enclose the cursor.
    case name(prefix: String, callee: [String]?)
    /// The first word of a `:command`.
    case command(prefix: String)
}

/// The REPL commands: the first words of the forms `:help` lists, once each.
let replCommandNames: [String] = {
    var names: [String] = []
    for (form, _) in Repl.commandHelp {
        let name = String(form.prefix { $0 != " " })
        if !names.contains(name) { names.append(name) }
    }
    return names
}()

/// Finds the completion context of `text` (everything before the cursor).
func completionContext(_ text: String) -> CompletionContext {
    let bytes = Array(text.utf8)
    // `:command rest`: the command word, then a path (:load) or code (:time, :type) or a name (:help).
    if let first = bytes.firstIndex(where: { $0 != 32 && $0 != 9 }), bytes[first] == UInt8(ascii: ":") {
        let rest = bytes[first...]
        guard let space = rest.firstIndex(where: { $0 == 32 || $0 == 9 }) else {
            return .command(prefix: String(decoding: rest, as: UTF8.self))
        }
        let command = String(decoding: bytes[first..<space], as: UTF8.self)
        let argument = String(decoding: bytes[(space + 1)...], as: UTF8.self)
        switch command {
        case ":load": return .path(argument.trimmingLeadingSpaces)
        case ":time", ":type", ":help": return completionContext(argument)
        default: return .nothing
        }
    }
    return CodeScanner(bytes).context()
}

/// Break characters for readline: inside a string only quotes end a word (paths contain `.` and `/`).
func completionWordBreaks(_ text: String) -> String {
    switch completionContext(text) {
    case .path:
        let trimmed = text.trimmingLeadingSpaces
        return trimmed.hasPrefix(":load") ? " \t\n\"'" : "\"'"
    case .command: return " \t\n"
    default: return " \t\n\"'`@$><=;|&{([,:+-*/%!.])}"
    }
}

/// Candidates for `context` (not yet filtered by the word readline replaces);
/// named arguments already in the call (`given`) are not offered again.
func completionCandidates(_ context: CompletionContext, source: CompletionSource?, given: Set<String> = []) -> Completion {
    switch context {
    case .nothing:
        return Completion(candidates: [])
    case .command(let prefix):
        return Completion(candidates: replCommandNames.filter { $0.hasPrefix(prefix) }, appendSpace: true)
    case .path(let partial):
        return Completion(candidates: pathCandidates(partial))
    case .member(let base, let prefix):
        let names = source?.memberNames(ofPath: base) ?? []
        return Completion(candidates: uniqueSorted(names.filter { $0.hasPrefix(prefix) }))
    case .name(let prefix, let callee):
        var names: [String] = []
        if let callee, let params = source?.parameterNames(ofPath: callee) {
            names += params.filter { $0.hasPrefix(prefix) && !given.contains($0) }.map { $0 + ": " }
        }
        var others = (source?.keywords ?? []) + (source?.globalNames() ?? [])
        others = others.filter { $0.hasPrefix(prefix) && !$0.hasPrefix("_") || (prefix.hasPrefix("_") && $0.hasPrefix(prefix)) }
        names += uniqueSorted(others)
        return Completion(candidates: names)
    }
}

/// The `name:` labels already written in the innermost open call of `text`.
func givenNamedArguments(_ text: String) -> Set<String> {
    let b = Array(text.utf8)
    var opens: [(byte: UInt8, at: Int)] = []
    var i = 0
    while i < b.count {
        let c = b[i]
        if c == UInt8(ascii: "\"") {                     // skip a string (escapes included)
            i += 1
            while i < b.count && b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
        } else if c == UInt8(ascii: "#") {
            while i < b.count && b[i] != 10 { i += 1 }
        } else if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
            opens.append((c, i))
        } else if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
            if !opens.isEmpty { opens.removeLast() }
        }
        i += 1
    }
    guard let call = opens.last, call.byte == UInt8(ascii: "(") else { return [] }
    // Labels at depth 0 of the call: an identifier right after `(` or `,`, then `:`.
    var given: Set<String> = []
    var depth = 0
    var j = call.at + 1
    var argumentStart = true
    while j < b.count {
        let c = b[j]
        if c == UInt8(ascii: "\"") {
            j += 1
            while j < b.count && b[j] != UInt8(ascii: "\"") { j += b[j] == UInt8(ascii: "\\") ? 2 : 1 }
            argumentStart = false
        } else if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
            depth += 1; argumentStart = false
        } else if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
            depth -= 1
        } else if c == UInt8(ascii: ",") && depth == 0 {
            argumentStart = true
        } else if argumentStart && depth == 0 && c != 32 && c != 9 && c != 10 {
            var k = j
            while k < b.count && isIdentifierByte(b[k]) { k += 1 }
            var colon = k
            while colon < b.count && (b[colon] == 32 || b[colon] == 9) { colon += 1 }
            if k > j && colon < b.count && b[colon] == UInt8(ascii: ":") {
                given.insert(String(decoding: b[j..<k], as: UTF8.self))
            }
            argumentStart = false
            j = max(j, k - 1)
        }
        j += 1
    }
    return given
}

private func isIdentifierByte(_ c: UInt8) -> Bool {
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 || c >= 0x80
}

private func uniqueSorted(_ names: [String]) -> [String] {
    Array(Set(names)).sorted()
}

/// File and folder names completing `partial` (folders end in `/`; hidden ones only when asked for).
func pathCandidates(_ partial: String) -> [String] {
    let dir: String, namePrefix: String, shownDir: String
    if let slash = partial.lastIndex(of: "/") {
        shownDir = String(partial[...slash])
        dir = shownDir
        namePrefix = String(partial[partial.index(after: slash)...])
    } else {
        shownDir = ""
        dir = "."
        namePrefix = partial
    }
    guard let handle = opendir(dir) else { return [] }
    defer { closedir(handle) }
    var out: [String] = []
    while let entry = readdir(handle) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        if name == "." || name == ".." { continue }
        if name.hasPrefix(".") && !namePrefix.hasPrefix(".") { continue }
        guard name.hasPrefix(namePrefix) else { continue }
        var st = stat()
        let full = shownDir.isEmpty ? name : shownDir + name
        let isDir = stat(full, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
        out.append(full + (isDir ? "/" : ""))
        if out.count > 5_000 { break }
    }
    return out.sorted()
}

extension String {
    var trimmingLeadingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }))
    }
}

/// A forward scan over code that tracks strings, interpolations, comments and brackets.
private struct CodeScanner {
    let b: [UInt8]
    init(_ bytes: [UInt8]) { b = bytes }

    enum Frame {
        case bracket(UInt8, callee: [String]?)
        /// A string literal; `start` is the index of its first character, `triple` for `"""`.
        case string(start: Int, triple: Bool)
        /// `\(` inside a string: code until the matching `)`.
        case interpolation
    }

    func context() -> CompletionContext {
        var stack: [Frame] = []
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if case .string(_, let triple)? = stack.last {
                if c == UInt8(ascii: "\\") {
                    if i + 1 < n && b[i + 1] == UInt8(ascii: "(") { stack.append(.interpolation); i += 2; continue }
                    i += 2; continue
                }
                if c == UInt8(ascii: "\"") {
                    if !triple { stack.removeLast(); i += 1; continue }
                    if i + 2 < n && b[i + 1] == c && b[i + 2] == c { stack.removeLast(); i += 3; continue }
                }
                i += 1; continue
            }
            switch c {
            case UInt8(ascii: "#"):
                while i < n && b[i] != 10 { i += 1 }
                if i >= n { return .nothing }
            case UInt8(ascii: "\""):
                if i + 2 < n && b[i + 1] == c && b[i + 2] == c {
                    stack.append(.string(start: i + 3, triple: true)); i += 3; continue
                }
                stack.append(.string(start: i + 1, triple: false))
            case UInt8(ascii: "("):
                stack.append(.bracket(c, callee: dottedPath(endingAt: i)))
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                stack.append(.bracket(c, callee: nil))
            case UInt8(ascii: ")"):
                if case .interpolation? = stack.last { stack.removeLast() } else if case .bracket? = stack.last { stack.removeLast() }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if case .bracket? = stack.last { stack.removeLast() }
            default: break
            }
            i += 1
        }
        if case .string(let start, _)? = stack.last {
            return .path(String(decoding: b[min(start, n)...], as: UTF8.self))
        }
        // The identifier being typed, and what is before it.
        var wordStart = n
        while wordStart > 0 && isIdentByte(b[wordStart - 1]) { wordStart -= 1 }
        let prefix = String(decoding: b[wordStart...], as: UTF8.self)
        if let first = prefix.utf8.first, first >= 48 && first <= 57 { return .nothing }   // a number
        if wordStart > 0 && b[wordStart - 1] == UInt8(ascii: ".") {
            guard let base = dottedPath(endingAt: wordStart - 1), !base.isEmpty else { return .nothing }
            return .member(base: base, prefix: prefix)
        }
        var callee: [String]? = nil
        for frame in stack.reversed() {
            if case .bracket(let open, let c) = frame {
                if open == UInt8(ascii: "(") { callee = c }
                break
            }
            if case .interpolation = frame { break }
        }
        return .name(prefix: prefix, callee: callee)
    }

    /// The `a.b.c` path that ends right before index `end` (no spaces), or nil.
    func dottedPath(endingAt end: Int) -> [String]? {
        var parts: [String] = []
        var j = end
        while true {
            var s = j
            while s > 0 && isIdentByte(b[s - 1]) { s -= 1 }
            if s == j { return nil }
            let word = String(decoding: b[s..<j], as: UTF8.self)
            if let f = word.utf8.first, f >= 48 && f <= 57 { return nil }
            parts.append(word)
            if s > 0 && b[s - 1] == UInt8(ascii: ".") { j = s - 1; continue }
            // `x.y` after `)`/`]` or a number is not a plain path.
            if s > 0 && (b[s - 1] == UInt8(ascii: ")") || b[s - 1] == UInt8(ascii: "]")) { return nil }
            break
        }
        return parts.reversed()
    }

    func isIdentByte(_ c: UInt8) -> Bool {
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 || c >= 0x80
    }
}
