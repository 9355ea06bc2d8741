// LibraryHook: the single point where lfr-repl installs the machine-learning
// bindings (module ScriptLibrary: tensors, models, datasets, schedules) into
// a fresh interpreter. Every interpreter the REPL or the batch runner creates
// goes through here, so this one call is all the lead has to wire.
import Script
import ScriptLibrary

/// Installs the ScriptLibrary bindings into `interpreter`.
/// ScriptLibrary does not export an install entry point yet: when it does,
/// this body becomes `try ScriptLibrary.install(into: interpreter)`.
func installLibraries(into interpreter: Interpreter) throws {
}
