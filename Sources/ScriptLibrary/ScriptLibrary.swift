// ScriptLibrary: binds TensorCore, Models, Data and Schedules into the
// language — the only module where the two meet (DESIGN.md section 1).
//
// What stays true here: `install(into:)` is the one entry point a host
// calls; it registers every binding once, in a fixed order (tensor
// functions first, since the model and data bindings and the lead's
// schedule bindings build on tensors). Each native function has one shape:
// validate the arguments, call the core, wrap the result.
import Script

public enum ScriptLibrary {
    /// Installs every binding into an interpreter (the REPL calls this once).
    public static func install(into interpreter: Interpreter) throws {
        try installTensorFunctions(into: interpreter)
        installModelBindings(into: interpreter)
        installDataBindings(into: interpreter)
        installFileFunctions(into: interpreter)
        try installScheduleBindings(into: interpreter)
        // The LFR schedules written in the language (lfr_paper, random_baseline).
        try interpreter.evaluate("import lfr", file: "<lfr>")
    }
}
