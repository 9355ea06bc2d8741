// Commands: the `:name` commands of the REPL.
// What stays true here: a command is one line; an unknown command or a
// missing argument prints a message and changes nothing; every command that
// runs code goes through Repl.evaluate, so errors and Ctrl-C behave exactly
// as for ordinary entries.
import Glibc
import Script

extension Repl {
    static let commandHelp: [(String, String)] = [
        (":help", "this overview"),
        (":help NAME", "the doc string of a builtin, function or type (like help(NAME))"),
        (":load FILE", "run a .lfr file here; its top-level names stay bound"),
        (":reload", "run the last :load-ed file again"),
        (":time EXPR", "evaluate EXPR, print its value and the wall and CPU time taken"),
        (":vars", "the names you have bound, with type, a short summary and memory"),
        (":type EXPR", "the type of EXPR's value"),
        (":reset", "forget every binding (start afresh, start-up file included)"),
        (":quit", "leave (so does Ctrl-D on an empty line)"),
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
            reset()
        case "quit", "q", "exit":
            exitCode = 0
        default:
            Output.err("unknown command ':\(name)'; :help lists the commands")
        }
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

    private func printHelp(_ name: String) {
        if let text = host.helpText(for: name) {
            Output.out(text + "\n")
        } else {
            Output.err("no help for '\(name)': not a builtin, a bound name or a type")
        }
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
        if let value { show(value) }
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

    private func reset() {
        do {
            host = try ScriptHost(arguments: invocation.scriptArguments)
            lastLoaded = nil
            entryNumber = 0
            runInitFile(self)
            Output.out("all bindings cleared\n")
        } catch {
            report(error)
        }
    }
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
