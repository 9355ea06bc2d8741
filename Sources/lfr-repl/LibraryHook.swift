// LibraryHook: the single point where lfr-repl installs the machine-learning
// bindings (module ScriptLibrary: tensors, models, datasets, schedules) into
// a fresh interpreter, and fills in the host's side of them: the progress
// display (ProgressLine.swift), what Ctrl-C means to a run, the script's
// source. Every interpreter the REPL or the batch runner creates goes
// through here.
import Glibc
import Script
import ScriptLibrary

/// Installs the ScriptLibrary bindings into `interpreter`; returns the host
/// settings the REPL and the batch runner adjust.
func installLibraries(into interpreter: Interpreter) throws -> LibraryHost {
    let host = LibraryHost()
    // compare() and plot() colour their curves on a colour terminal.
    host.colour = Output.colorEnabled(fd: STDOUT_FILENO, allowed: true)
    let display = ProgressDisplay(isTerminal: isatty(STDOUT_FILENO) == 1 && getenv("LFR_PLAIN_PROGRESS") == nil,
                                  logEvery: 10) { text in
        Output.out(text)
        fflush(stdout)      // progress reaches a terminal, file or pipe as it happens
    }
    host.showProgress = { p in
        display.logEvery = p.logEvery
        let line = ProgressLine(p, secondsLeft: display.isTerminal ? p.secondsLeft : nil)
        display.update(line, milestone: p.isMilestone, message: p.message)
    }
    host.endProgress = { display.finish() }
    try ScriptLibrary.install(into: interpreter, host: host)
    return host
}
