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

    /// Runs `source` named `file`; prints the error (in colour if stderr is a terminal) when it fails.
    static func run(_ source: String, file: String, host: ScriptHost, colorAllowed: Bool) -> Outcome {
        // A batch script stops when interrupted (a run it trains pauses and
        // checkpoints first); after -i, the prompt's rules apply.
        host.library.interruptPausesOnly = !Signals.batchMode.load(ordering: .relaxed)
        do {
            return .finished(try host.evaluate(source, file: file))
        } catch let exit as ScriptExit {
            return .failed(exitCode: exit.code)
        } catch let e as ScriptError {
            let color = Output.colorEnabled(fd: 2, allowed: colorAllowed)
            if e.kind == .interrupted {
                let code = Signals.stopExitCode
                var text = ErrorDisplay.render(e, color: color)
                if code == 128 + SIGTERM { text += "\n(stopped by SIGTERM)" }
                if let note = interruptionNote() { text += "\n" + note }
                Output.err(text)
                return .failed(exitCode: code)
            }
            // Under mpirun an error on any rank ends the whole job (never a
            // hang of the others), with the message naming the rank.
            if ScriptWorld.world.size > 1 { ScriptWorld.fail(ErrorDisplay.render(e, color: false)) }
            Output.err(ErrorDisplay.render(e, color: color))
            return .failed(exitCode: 1)
        } catch {
            Output.err("error: \(error)")
            return .failed(exitCode: 1)
        }
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
