// BindingSupport: the small pieces every binding file shares — methods as
// values, the arguments that name a dataset, a model or a schedule, and
// tensors made from Float arrays.
//
// What stays true here: an argument is read by the name its function
// declares (`datasetArgument(args, "data")`); a wrong kind of value is an
// error that names the function, the parameter and what it got.
import Data
import Models
import Schedules
import Script
import TensorCore

/// A method of a value, as a callable value (bound to its receiver by the closure).
func method(_ name: String, _ params: [Param] = [], doc: String,
            _ body: @escaping (Arguments) throws -> Value) -> Value {
    .native(NativeFunction(name: name, parameters: params, doc: doc, body: body))
}

/// A 1-d tensor value holding `values`.
func floatTensor(_ values: [Float]) throws -> Value {
    .object(TensorValue(try Tensor(shape: [values.count], values: values)))
}

func datasetArgument(_ args: Arguments, _ name: String) throws -> Dataset {
    if case .object(let o) = args[name], let d = o as? DatasetValue { return d.dataset }
    throw args.fail(name, "a dataset")
}

func modelArgument(_ args: Arguments, _ name: String) throws -> any LanguageModel {
    if case .object(let o) = args[name], let m = o as? ModelValue { return m.model }
    throw args.fail(name, "a model")
}

/// A schedule, or a single phase taken as a one-phase schedule.
func scheduleArgument(_ args: Arguments, _ name: String) throws -> ScheduleValue {
    if case .object(let o) = args[name] {
        if let s = o as? ScheduleValue { return s }
        if let p = o as? PhaseValue { return ScheduleValue(Schedule(phases: [p.phase]), name: p.phase.name) }
    }
    throw args.fail(name, "a schedule")
}

/// Writes a text file atomically (plots, reports).
func writeText(_ text: String, to path: String) throws {
    do { try AtomicFile.write(Array(text.utf8), to: path) } catch let e as TensorError {
        throw RuntimeError(e.description)
    }
}
