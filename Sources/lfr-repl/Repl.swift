// Repl: the interactive loop: read an entry (one line, or several while the
// input is unfinished), run it or a `:command`, print the result.
// What stays true here: an error, an interrupt or a bad command never ends
// the session (only :quit, Ctrl-D and `exit(n)` do); every entry is written
// to the history file as soon as it is accepted; results print through the
// language's own display (`nil` prints nothing, a trailing `;` prints
// nothing) and are bound to `_`.
import Glibc
import Script

final class Repl: LineCompleter {
    static let primaryPrompt = "lfr> "
    static let continuationPrompt = "...> "

    var host: ScriptHost
    let editor: LineEditor
    let history: History
    let invocation: Invocation
    /// Colour on stdout / stderr.
    let colorOut: Bool
    let colorErr: Bool
    /// The file of the last :load (for :reload).
    var lastLoaded: String?
    /// Numbers the entries: errors point at `<repl:N>:line:col`.
    var entryNumber = 0
    /// Set by `exit(n)` or :quit.
    var exitCode: Int32?
    /// The code entries that ran without error, in order (what :save writes).
    var savedEntries: [String] = []
    /// The session so far, with its output and plots (what :report writes).
    let record: ReportRecord

    init(host: ScriptHost, invocation: Invocation) {
        self.host = host
        self.invocation = invocation
        colorOut = Output.colorEnabled(fd: 1, allowed: invocation.colorAllowed)
        colorErr = Output.colorEnabled(fd: 2, allowed: invocation.colorAllowed)
        history = History(path: History.defaultPath())
        record = ReportRecord(title: "lfr session", arguments: invocation.scriptArguments)
        record.status = .session
        record.attach(to: host)
        editor = LineEditor(completer: nil)
        editor.completer = self
        history.load()
    }

    /// Runs the loop until :quit, Ctrl-D or `exit(n)`; returns the exit code.
    func run(banner: Bool) -> Int32 {
        if banner {
            Output.out(Output.dim("lfr \(LfrOptions.version)  (:help for help, Ctrl-D or :quit to leave)", colorOut) + "\n")
        }
        while exitCode == nil {
            guard let entry = readEntry() else {
                Output.out("\n")
                break
            }
            history.add(entry)
            handle(entry)
        }
        history.close()
        fflush(stdout)
        return exitCode ?? 0
    }

    /// Reads one entry: a `:command` line, or code continued while unfinished. Nil at end of input.
    func readEntry() -> String? {
        var buffer = ""
        while true {
            editor.pendingText = buffer.isEmpty ? "" : buffer + "\n"
            let input = editor.read(prompt: buffer.isEmpty ? Repl.primaryPrompt : Repl.continuationPrompt)
            switch input {
            case .interrupted:
                buffer = ""          // Ctrl-C drops the whole pending entry
            case .endOfInput:
                if buffer.isEmpty { return nil }
                buffer = ""          // Ctrl-D inside an unfinished entry drops it
                Output.out("\n")
            case .line(let typed):
                // A pasted transcript (`lfr> ...` lines, output between them) runs as its code.
                let line = buffer.isEmpty ? (stripTranscriptPrompts(typed) ?? typed) : typed
                if buffer.isEmpty {
                    let trimmed = line.trimmingWhitespace
                    if trimmed.isEmpty { continue }
                    if trimmed.hasPrefix(":") { return trimmed }
                    buffer = line
                } else {
                    buffer += "\n" + line   // blank lines inside an entry are kept
                }
                if !host.isIncomplete(buffer) { return buffer }
            }
        }
    }

    /// Runs one entry.
    func handle(_ entry: String) {
        if entry.hasPrefix(":") {
            runCommand(entry)
            return
        }
        let trimmed = entry.trimmingWhitespace
        if trimmed == "exit" || trimmed == "quit" {   // as in Python's REPL
            exitCode = 0
            return
        }
        if let name = helpQuery(trimmed) {
            printHelp(name)
            return
        }
        let quiet = trimmed.hasSuffix(";")
        if let value = evaluate(entry) {
            savedEntries.append(entry)
            if !quiet { show(value) }
        }
    }

    /// Evaluates `source` as the next entry; prints any error; returns the value (nil on error).
    @discardableResult
    func evaluate(_ source: String, name: String? = nil) -> Value? {
        entryNumber += 1
        let file = name ?? "<repl:\(entryNumber)>"
        // A Ctrl-C pressed at the prompt was meant for the prompt, not for this code.
        Signals.resetAfterInterrupt()
        record.beginCode(name.map { ":load \($0)" } ?? source)
        if let name { record.noteFiles([name]) }
        do {
            let value = try host.evaluate(source, file: file)
            if !value.isNilValue { host.setGlobal("_", value) }
            return value
        } catch {
            report(error)
            return nil
        }
    }

    /// Prints a result (nothing for nil).
    func show(_ value: Value) {
        if value.isNilValue { return }
        let text = host.display(value)
        record.add(.value(text))
        Output.out(text + "\n")
    }

    /// Prints an error of the language (or ends the session for `exit(n)`).
    func report(_ error: Error) {
        if let exit = error as? ScriptExit {
            exitCode = exit.code
            return
        }
        Signals.resetAfterInterrupt()
        if let e = error as? ScriptError {
            // After an interrupt the terminal has echoed ^C on the current line.
            Output.err((e.kind == .interrupted ? "\n" : "") + ErrorDisplay.render(e, color: colorErr))
            record.add(.error(ErrorDisplay.render(e, color: false)))
            return
        }
        Output.err(Output.red("error:", colorErr) + " \(error)")
        record.add(.error("error: \(error)"))
    }

    // MARK: - LineCompleter

    func completions(textBeforeCursor: String, word: String) -> Completion {
        // Tab on a blank continuation line indents.
        if let newline = textBeforeCursor.lastIndex(of: "\n"),
           textBeforeCursor[textBeforeCursor.index(after: newline)...].allSatisfy({ $0 == " " || $0 == "\t" }) {
            return Completion(candidates: ["  "])
        }
        let context = completionContext(textBeforeCursor)
        var result = completionCandidates(context, source: host, given: givenNamedArguments(textBeforeCursor))
        result.candidates = result.candidates.filter { $0.hasPrefix(word) }
        return result
    }

    func wordBreakCharacters(textBeforeCursor: String) -> String {
        completionWordBreaks(textBeforeCursor)
    }
}

/// `?name`, `name?`, `?t.sum`: the dotted name help is asked for, else nil.
func helpQuery(_ entry: String) -> String? {
    var name = Substring(entry)
    if name.hasPrefix("?") { name = name.dropFirst() } else if name.hasSuffix("?") { name = name.dropLast() } else { return nil }
    name = Substring(String(name).trimmingWhitespace)
    return isDottedName(name) ? String(name) : nil
}

/// `a`, `a.b.c`: identifiers joined by dots.
func isDottedName<S: StringProtocol>(_ text: S) -> Bool {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    return !parts.isEmpty && parts.allSatisfy { part in
        guard let f = part.unicodeScalars.first, f == "_" || f.properties.isAlphabetic else { return false }
        return part.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || $0.properties.numericType != nil }
    }
}

/// The code of a pasted transcript: when the first non-blank line starts with
/// the prompt `lfr> `, the lines that start with `lfr> ` or `...> ` without
/// it, and the other lines (the output shown in the transcript) dropped.
/// Nil when `text` is not a transcript.
func stripTranscriptPrompts(_ text: String) -> String? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let first = lines.map(String.init).first(where: { !$0.trimmingWhitespace.isEmpty }),
          first.trimmingLeadingSpaces.hasPrefix(Repl.primaryPrompt) || first.trimmingWhitespace == Repl.primaryPrompt.trimmingWhitespace
    else { return nil }
    var code: [String] = []
    for line in lines {
        let s = String(line).trimmingLeadingSpaces
        for p in [Repl.primaryPrompt, Repl.continuationPrompt] {
            if s.hasPrefix(p) { code.append(String(s.dropFirst(p.count))); break }
            if s == p.trimmingWhitespace { code.append(""); break }
        }
    }
    return code.joined(separator: "\n")
}

extension Value {
    var isNilValue: Bool {
        if case .nil = self { return true }
        return false
    }
}
