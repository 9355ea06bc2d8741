// ScriptLibrary: binds TensorCore, Models, Data and Schedules into the
// language — the only module where the two meet (DESIGN.md section 1).
//
// What stays true here: `install(into:host:)` is the one entry point a host
// calls; it registers every binding once, in a fixed order (tensor
// functions first, since the model, data and schedule bindings build on
// tensors). Each native function has one shape: read its arguments by
// name, validate, call the core, wrap the result. Where things live:
//   TensorOps / TensorFunctions / TensorValue   tensors
//   ModelBindings, DataBindings                 models, optimizers; corpora, tokenizers, datasets
//   FileBindings                                save / load (safetensors)
//   ScheduleValues, Policies                    phases, schedules, policies written in lfr
//   RunBindings, CompareBindings                train, load_run, measure; compare
//   PlotBindings                                plot, hist
//   ResearchBindings                            regime probes: duplicate, noise, mix, holdout
//   WorldBindings                               world(), and the job of processes under mpirun
//   Host                                        what the host supplies (progress, interrupts, script source)
import Script

public enum ScriptLibrary {
    /// Installs every binding into an interpreter (the REPL calls this once).
    /// `host` says how training progress is shown and what an interrupt means;
    /// the default shows nothing and treats an interrupt as a pause.
    public static func install(into interpreter: Interpreter, host: LibraryHost = LibraryHost()) throws {
        // Each group is listed under its topic by help().
        func topic(_ name: String, _ install: () throws -> Void) rethrows {
            interpreter.helpTopic = name
            defer { interpreter.helpTopic = nil }
            try install()
        }
        try topic("tensors") { try installTensorFunctions(into: interpreter) }
        topic("models") {
            installModelBindings(into: interpreter)
            installFileFunctions(into: interpreter)
        }
        topic("data") {
            installDataBindings(into: interpreter, host: host)
            installResearchBindings(into: interpreter)
        }
        topic("schedules") {
            installScheduleValueBindings(into: interpreter)
            installRunBindings(into: interpreter, host: host)
            installCompareBindings(into: interpreter, host: host)
        }
        topic("plots") { installPlotBindings(into: interpreter, host: host) }
        topic("processes") { installWorldBindings(into: interpreter) }
        // The LFR schedules written in the language (lfr_paper, random_baseline).
        let before = Set(interpreter.globalNameList)
        try interpreter.evaluate("import lfr", file: "<lfr>")
        interpreter.setHelpTopic("schedules", for: interpreter.globalNameList.filter { !before.contains($0) && !$0.hasPrefix("_") })
    }
}
