// LibraryHook: the single point where lfr-repl installs the machine-learning
// bindings (module ScriptLibrary: tensors, models, datasets, schedules) into
// a fresh interpreter. Every interpreter the REPL or the batch runner creates
// goes through here.
import Script
import ScriptLibrary

/// Installs the ScriptLibrary bindings into `interpreter`.
func installLibraries(into interpreter: Interpreter) throws {
    try ScriptLibrary.install(into: interpreter)
}

/// Tells the bindings which script is running (train() copies it into run folders).
func noteScriptSource(_ source: String) {
    currentScriptSource = source
}
