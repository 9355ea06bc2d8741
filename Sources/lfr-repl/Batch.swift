// Batch: running a script file, standard input or `-e CODE` without prompts.
// What stays true here: the exit code says what happened (0 ok, 1 error in
// the script with the message on stderr, 130 interrupted by Ctrl-C, 143
// stopped by SIGTERM, n after `exit(n)`); output written by the script is
// flushed before any message; an interrupted script says where it stopped
// and, when a training run was paused, how to resume it.
import Glibc
import Script
import ScriptLibrary

/// Set by the library hook: what to tell the user after an interrupted batch
/// run (the paused run's folder and how to resume it), nil if nothing.
nonisolated(unsafe) var interruptionNote: () -> String? = { nil }

enum Batch {
    /// What happened to a piece of code run in batch mode.
    enum Outcome {
        case finished(Value)
        case failed(exitCode: Int32)
    }

    /// Why a piece of code failed: its exit code, the message as printed
    /// (without colour; nil after `exit(n)`) and the line it names.
    struct Failure {
        var code: Int32
        var text: String?
        var line: Int?
    }

    /// Runs `source` named `file`; prints the error (in colour if stderr is
    /// a terminal) when it fails, and hands it to `failed`. `fullSource`:
    /// the whole file when `source` is a part of it (error lines are shown from it).
    static func run(_ source: String, file: String, host: ScriptHost, colorAllowed: Bool,
                    fullSource: String? = nil, failed: ((Failure) -> Void)? = nil) -> Outcome {
        let whole = fullSource.map { (name: file, text: $0) }
        // A batch script stops when interrupted (a run it trains pauses and
        // checkpoints first); after -i, the prompt's rules apply.
        host.library.interruptPausesOnly = !Signals.batchMode.load(ordering: .relaxed)
        do {
            return .finished(try host.evaluate(source, file: file))
        } catch {
            let failure = Batch.failure(error, colorAllowed: colorAllowed, wholeFile: whole)
            failed?(failure)
            return .failed(exitCode: failure.code)
        }
    }

    /// Prints what a batch run's error says (to stderr) and returns it with its exit code.
    static func failure(_ error: Error, colorAllowed: Bool, wholeFile: (name: String, text: String)?) -> Failure {
        if let exit = error as? ScriptExit { return Failure(code: exit.code) }
        guard var e = error as? ScriptError else {
            Output.err("error: \(error)")
            return Failure(code: 1, text: "error: \(error)")
        }
        // A part of a file was compiled alone: its source line comes from the whole file.
        if let wholeFile, let loc = e.location, loc.file == wholeFile.name {
            let lines = wholeFile.text.split(separator: "\n", omittingEmptySubsequences: false)
            if loc.line >= 1 && loc.line <= lines.count { e.sourceLine = String(lines[loc.line - 1]) }
        }
        let color = Output.colorEnabled(fd: 2, allowed: colorAllowed)
        if e.kind == .interrupted {
            let code = Signals.stopExitCode
            var note = ""
            if code == 128 + SIGTERM { note += "\n(stopped by SIGTERM)" }
            if let more = interruptionNote() { note += "\n" + more }
            Output.err(ErrorDisplay.render(e, color: color) + note)
            return Failure(code: code, text: ErrorDisplay.render(e, color: false) + note, line: e.location?.line)
        }
        // Under mpirun an error on any rank ends the whole job (never a
        // hang of the others), with the message naming the rank.
        if ScriptWorld.world.size > 1 { ScriptWorld.fail(ErrorDisplay.render(e, color: false)) }
        Output.err(ErrorDisplay.render(e, color: color))
        return Failure(code: 1, text: ErrorDisplay.render(e, color: false), line: e.location?.line)
    }

    /// `lfr-repl FILE`: reads and runs the file.
    static func runFile(_ path: String, host: ScriptHost, colorAllowed: Bool) -> Outcome {
        guard let source = try? readTextFile(path) else {
            Output.err("lfr-repl: cannot read '\(path)': \(String(cString: strerror(errno)))")
            return .failed(exitCode: 1)
        }
        host.library.scriptSource = source
        return run(source, file: path, host: host, colorAllowed: colorAllowed)
    }
}
