// Batch: running a script file, standard input or `-e CODE` without prompts.
// What stays true here: the exit code says what happened (0 ok, 1 error in
// the script with the message on stderr, 130 interrupted by Ctrl-C, n after
// `exit(n)`); output written by the script is flushed before any message.
import Glibc
import Script

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
                Output.err(Output.red("interrupted", color) + (e.location.map { " at \($0)" } ?? ""))
                return .failed(exitCode: 130)
            }
            Output.err(e.rendered(color: color))
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
