// LibraryHook: the single point where lfr-repl installs the machine-learning
// bindings (module ScriptLibrary: tensors, models, datasets, schedules) into
// a fresh interpreter, and fills in the host's side of them: the progress
// printer, what Ctrl-C means to a run, the script's source. Every
// interpreter the REPL or the batch runner creates goes through here.
import Script
import ScriptLibrary

/// Installs the ScriptLibrary bindings into `interpreter`; returns the host
/// settings the REPL and the batch runner adjust.
func installLibraries(into interpreter: Interpreter) throws -> LibraryHost {
    let host = LibraryHost()
    let printer = ProgressPrinter()
    host.showProgress = { printer.report($0) }
    host.endProgress = { printer.end() }
    try ScriptLibrary.install(into: interpreter, host: host)
    return host
}
