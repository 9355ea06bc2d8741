// Commands: the `:name` commands of the REPL.
// What stays true here: a command is one line; an unknown command or a
// missing argument prints a message and changes nothing; every command that
// runs code goes through Repl.evaluate, so errors and Ctrl-C behave exactly
// as for ordinary entries.
import Glibc
import Script
import ScriptLibrary

extension Repl {
    static let commandHelp: [(String, String)] = [
        (":help", "this overview"),
        (":help NAME", "the doc string of a builtin, function, method (t.sum) or type; also ?NAME, NAME?"),
        (":load FILE", "run a .lfr file here; its top-level names stay bound"),
        (":reload", "run the last :load-ed file again"),
        (":time EXPR", "evaluate EXPR, print its value (not after a trailing ;) and the wall and CPU time"),
        (":vars", "the names you have bound, with type, a short summary and memory"),
        (":type EXPR", "the type of EXPR's value"),
        (":reset [-f]", "forget every binding (start afresh, start-up file included); asks first if models or runs would go"),
        (":history [N]", "the last N entries (20 if N is not given)"),
        (":save FILE", "write this session's entries that ran without error to FILE, a runnable script"),
        (":edit", "open the last entry in $VISUAL or $EDITOR (vi when neither is set), then run what you saved"),
        (":report DIR", "write the session so far (code, output, tables, plots) as DIR/report.md and DIR/report.html"),
        (":quit", "leave (so do exit, quit and Ctrl-D on an empty line)"),
    ]

    func runCommand(_ line: String) {
        let body = line.dropFirst()
        let name = String(body.prefix(while: { $0 != " " && $0 != "\t" }))
        let argument = String(body.dropFirst(name.count)).trimmingWhitespace
        switch name {
        case "help", "h", "?":
            if argument.isEmpty { printOverview() } else { printHelp(argument) }
        case "load", "l":
            guard !argument.isEmpty else { return usage(":load FILE") }
            load(argument)
        case "reload", "r":
            guard let path = lastLoaded else { return Output.err("nothing to reload: use :load FILE first") }
            load(path)
        case "time", "t":
            guard !argument.isEmpty else { return usage(":time EXPR") }
            time(argument)
        case "vars", "v":
            printVariables()
        case "type":
            guard !argument.isEmpty else { return usage(":type EXPR") }
            if let value = evaluate(argument) { Output.out(typeName(value) + "\n") }
        case "reset":
            guard argument.isEmpty || argument == "-f" else { return usage(":reset [-f]") }
            if argument.isEmpty && !confirmReset() { return Output.out("nothing dropped\n") }
            reset()
        case "history":
            guard argument.isEmpty || Int(argument).map({ $0 > 0 }) == true else { return usage(":history [N]") }
            printHistory(Int(argument) ?? 20)
        case "save":
            guard !argument.isEmpty else { return usage(":save FILE") }
            save(to: argument)
        case "edit", "e":
            guard argument.isEmpty else { return usage(":edit") }
            editLastEntry()
        case "report":
            guard !argument.isEmpty else { return usage(":report DIR") }
            writeReport(to: argument)
        case "quit", "q", "exit":
            exitCode = 0
        default:
            Output.err("unknown command ':\(name)'; :help lists the commands")
        }
    }

    /// `:edit`: the last code entry in the user's editor; what the editor
    /// saves is echoed, recorded in the history and run as the next entry.
    /// An editor that fails or leaves the file empty runs nothing.
    private func editLastEntry() {
        let last = history.entries().last(where: { !$0.trimmingWhitespace.hasPrefix(":") }) ?? ""
        var template = Array("/tmp/lfr-edit-XXXXXX.lfr".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
        guard fd >= 0 else { return Output.err(":edit: cannot create a temporary file: \(String(cString: strerror(errno)))") }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { unlink(path) }
        let text = last.isEmpty ? "" : last + "\n"
        let written = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress!, text.utf8.count) }
        close(fd)
        guard written == text.utf8.count else { return Output.err(":edit: cannot write \(path)") }
        let editor = [getenv("VISUAL"), getenv("EDITOR")].compactMap { $0 }.map { String(cString: $0) }
            .first { !$0.trimmingWhitespace.isEmpty } ?? "vi"
        // Through the shell, as git does, so EDITOR may carry arguments ("code -w");
        // the path is mkstemps's, letters and digits only.
        let status = system(editor + " " + path)
        guard status == 0 else {
            return Output.err(":edit: \(editor) exited with status \(status >> 8): nothing run")
        }
        guard let edited = try? readTextFile(path), !edited.trimmingWhitespace.isEmpty else {
            return Output.out("nothing to run\n")
        }
        var entry = edited
        while entry.hasSuffix("\n") { entry.removeLast() }
        Output.out(entry.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { ($0.offset == 0 ? Repl.primaryPrompt : Repl.continuationPrompt) + $0.element }.joined(separator: "\n") + "\n")
        history.add(entry)
        handle(entry)
    }

    private func usage(_ form: String) {
        Output.err("usage: \(form)")
    }

    private func printOverview() {
        var text = "Type code to run it; its value is printed (a trailing ; hides it, _ is the last value).\n"
        text += "Unfinished input (open brackets or strings) continues on a \(Repl.continuationPrompt.trimmingWhitespace) prompt.\n"
        text += "Tab completes names, members after a dot, named arguments and file paths in strings.\n"
        text += "Ctrl-C stops running code (bindings are kept) or clears the line; Ctrl-R searches history.\n\n"
        let width = Repl.commandHelp.map(\.0.count).max() ?? 0
        for (form, what) in Repl.commandHelp {
            text += "  " + Output.bold(form, colorOut) + String(repeating: " ", count: width - form.count + 2) + what + "\n"
        }
        text += "\nhelp(NAME) in code does what :help NAME does."
        Output.out(text + "\n")
    }

    /// Help for a name or a dotted path (`t.sum`), wrapped to the terminal.
    func printHelp(_ name: String) {
        if let text = host.helpText(for: name) {
            Output.out(wrapText(text, width: max(20, TerminalSize.columns() - 1)) + "\n")
        } else {
            Output.err("no help for '\(name)': not a builtin, a bound name, a member or a type")
        }
    }

    /// `:history N`: the last N entries, numbered; later lines of an entry indented.
    private func printHistory(_ n: Int) {
        let entries = history.entries()
        var text = ""
        let first = max(0, entries.count - n)
        let width = String(entries.count).count
        for i in first..<entries.count {
            let number = String(i + 1)
            let lines = entries[i].split(separator: "\n", omittingEmptySubsequences: false)
            text += String(repeating: " ", count: width - number.count) + Output.dim(number, colorOut) + "  " + lines[0] + "\n"
            for line in lines.dropFirst() { text += String(repeating: " ", count: width + 2) + line + "\n" }
        }
        Output.out(text)
    }

    /// `:save FILE`: the entries that ran without error, in order, as a script.
    private func save(to path: String) {
        var text = "# Saved from an lfr-repl session: the entries that ran without error.\n"
        for entry in savedEntries { text += entry + "\n" }
        guard let f = fopen(path, "w") else {
            return Output.err("cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        let ok = fputs(text, f) >= 0
        if fclose(f) != 0 || !ok { return Output.err("cannot write '\(path)': \(String(cString: strerror(errno)))") }
        let n = savedEntries.count
        Output.out("saved \(n) \(n == 1 ? "entry" : "entries") to \(path)\n")
    }

    /// `:report DIR`: the session so far as a report.
    private func writeReport(to directory: String) {
        let started = ProcessClock.seconds()
        do {
            try ReportRun.write(record, to: directory)
        } catch {
            return Output.err("cannot write the report: \(error)")
        }
        let cells = record.cells.filter { $0.prose == nil }.count
        Output.out("report of \(cells) \(cells == 1 ? "entry" : "entries") written to \(directory)/report.html and report.md (\(formatDuration(ProcessClock.seconds() - started)))\n")
    }

    func load(_ path: String) {
        guard let source = try? readTextFile(path) else {
            return Output.err("cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        lastLoaded = path
        evaluate(source, name: path)
    }

    private func time(_ expression: String) {
        let start = TimePoint.now()
        let value = evaluate(expression)
        let end = TimePoint.now()
        if let value, !expression.hasSuffix(";") { show(value) }
        if exitCode != nil { return }
        Output.out(Output.dim("wall \(formatDuration(end.wall - start.wall)), cpu \(formatDuration(end.cpu - start.cpu))", colorOut) + "\n")
    }

    private func printVariables() {
        let vars = host.userGlobals()
        if vars.isEmpty {
            Output.out("no bindings yet\n")
            return
        }
        let nameWidth = min(24, vars.map(\.name.count).max() ?? 0)
        let types = vars.map { typeName($0.value) }
        let typeWidth = min(16, types.map(\.count).max() ?? 0)
        var text = ""
        for (i, v) in vars.enumerated() {
            let name = v.name.padded(to: nameWidth)
            let type = types[i].padded(to: typeWidth)
            var line = "  \(Output.bold(name, colorOut))  \(Output.dim(type, colorOut))  \(host.summary(v.value, limit: 60))"
            if case .object(let o) = v.value, let bytes = o.memoryBytes { line += Output.dim("  (\(byteSize(bytes)))", colorOut) }
            text += line + "\n"
        }
        Output.out(text)
    }

    /// 1536 -> "1.5 KiB".
    private func byteSize(_ n: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n), u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) bytes" : String(format: "%.1f %@", v, units[u])
    }

    /// True unless bindings hold models or training runs and the user does not answer y.
    private func confirmReset() -> Bool {
        let valuable = host.userGlobals().filter { ["model", "run", "comparison"].contains(typeName($0.value)) }
        guard !valuable.isEmpty else { return true }
        let names = valuable.map { "\($0.name) (\(typeName($0.value)))" }.joined(separator: ", ")
        Output.out("this drops \(names)\n")
        guard case .line(let answer) = editor.read(prompt: "drop everything? [y/N] ") else { return false }
        return ["y", "yes"].contains(answer.trimmingWhitespace.lowercased())
    }

    private func reset() {
        do {
            let dropped = host.userGlobals().map(\.name)
            host = try ScriptHost(arguments: invocation.scriptArguments)
            record.attach(to: host)
            lastLoaded = nil
            entryNumber = 0
            savedEntries = []
            runInitFile(self)
            if dropped.isEmpty {
                Output.out("nothing to drop: no bindings yet\n")
            } else {
                var names = dropped.prefix(12).joined(separator: ", ")
                if dropped.count > 12 { names += " and \(dropped.count - 12) more" }
                Output.out("dropped \(dropped.count) \(dropped.count == 1 ? "binding" : "bindings"): \(names)\n")
            }
        } catch {
            report(error)
        }
    }
}

/// `text` with every line longer than `width` broken at spaces (a line's
/// leading indentation is repeated on its continuation lines; a word longer
/// than the width stays whole).
func wrapText(_ text: String, width: Int) -> String {
    var out: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.count <= width { out.append(String(line)); continue }
        let indent = String(line.prefix(while: { $0 == " " }))
        var current = ""
        for word in line.dropFirst(indent.count).split(separator: " ") {
            if current.isEmpty {
                current = indent + word
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                out.append(current)
                current = indent + word
            }
        }
        out.append(current)
    }
    return out.joined(separator: "\n")
}

extension String {
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// Runs ~/.lfr_init.lfr (or $LFR_INIT) in the REPL's interpreter if the file exists.
func runInitFile(_ repl: Repl) {
    guard repl.invocation.runInit else { return }
    let path: String
    if let p = getenv("LFR_INIT") {
        if p.pointee == 0 { return }   // LFR_INIT= turns the start-up file off
        path = String(cString: p)
    } else if let home = getenv("HOME") {
        path = String(cString: home) + "/.lfr_init.lfr"
    } else {
        return
    }
    guard access(path, R_OK) == 0, let source = try? readTextFile(path) else { return }
    repl.evaluate(source, name: path)
}
