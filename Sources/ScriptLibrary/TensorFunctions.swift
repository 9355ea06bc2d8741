// TensorFunctions: the tensor functions of the language that are not
// methods — creation (tensor, zeros, randn...), concat/stack/where, and the
// builtins that also take tensors (exp, log, min, max, sort...) — and the
// installation of the whole tensor table (TensorOps.swift).
//
// What stays true here: sizes that would not fit in memory are refused
// before anything is allocated; a builtin that also takes tensors keeps its
// behaviour on plain values exactly.
import Script
import TensorCore

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Installing

extension ScriptLibrary {
    static func installTensorFunctions(into interp: Interpreter) throws {
        let state = TensorState()

        // The global forms of the tensor ops; builtins of the same name keep
        // working on numbers and lists (the wrapper dispatches).
        for op in TensorOps.all where op.global {
            let f = op.function()
            if let original = interp.global(op.name) {
                // Builtins of these names take only numbers, so lists go to the
                // tensor form; functions of the prelude (sum, mean, clamp) keep their lists.
                var isBuiltin = false
                if case .native = original { isBuiltin = true }
                interp.register(try dispatching(op.name, original: original, tensorForm: f, lists: isBuiltin, interp: interp))
            } else {
                interp.register(f)
            }
        }
        // copy(x) keeps copying lists and dicts; a tensor gets an independent copy.
        if let original = interp.global("copy"), let op = TensorOps.table["copy"] {
            interp.register(try dispatching("copy", original: original, tensorForm: op.function(), lists: false, interp: interp))
        }
        try installBuiltinWrappers(into: interp)
        installCreation(into: interp, state: state)

        interp.register("where", [Param("condition"), Param("a"), Param("b")],
                        doc: "where(condition, a, b) is a where condition is nonzero and b elsewhere; all three broadcast (numbers mix in).") { args in
            let c = try tensorArgument(args["condition"], op: "where"), x = try tensorArgument(args["a"], op: "where"), y = try tensorArgument(args["b"], op: "where")
            let s1 = try translatingErrors { try Tensor.broadcastShape(c.shape, x.shape, op: "where") }
            let s = try translatingErrors { try Tensor.broadcastShape(s1, y.shape, op: "where") }
            try checkNewShape(s, op: "where")
            return try wrap(try translatingErrors { try Tensor.where(c, x, y) })
        }
        interp.register("concat", [Param("tensors"), Param("axis", default: .number(0))],
                        doc: "concat([a, b, ...], axis: 0) joins tensors along an existing axis; the other sizes must agree.") { args in
            let parts = try args.list("tensors").items.map { try tensorArgument($0, op: "concat") }
            try checkJoinedSize(parts, op: "concat")
            return try wrap(try translatingErrors { try Tensor.concat(parts, axis: try args.int("axis")) })
        }
        interp.register("stack", [Param("tensors"), Param("axis", default: .number(0))],
                        doc: "stack([a, b, ...], axis: 0) joins same-shaped tensors along a new axis.") { args in
            let parts = try args.list("tensors").items.map { try tensorArgument($0, op: "stack") }
            try checkJoinedSize(parts, op: "stack")
            return try wrap(try translatingErrors { try Tensor.stack(parts, axis: try args.int("axis")) })
        }
        for (name, symbol, isAnd) in [("logical_and", "and", true), ("logical_or", "or", false)] {
            interp.register(name, [Param("a"), Param("b")],
                            doc: "\(name)(a, b) is the mask where a \(symbol) b are nonzero (elementwise, broadcasting).") { args in
                let x = try tensorArgument(args["a"], op: name), y = try tensorArgument(args["b"], op: name)
                let nx = try translatingErrors { try Tensor.binary(.ne, x, 0) }, ny = try translatingErrors { try Tensor.binary(.ne, y, 0) }
                try TensorOps.checkBroadcast(nx, ny, op: name)
                return try wrap(try translatingErrors { try Tensor.binary(isAnd ? .mul : .maximum, nx, ny) }, mask: true)
            }
        }
        interp.register("logical_not", [Param("a")], doc: "logical_not(a) is the mask where a is zero.") { args in
            try wrap(try translatingErrors { try Tensor.binary(.eq, try tensorArgument(args["a"], op: "logical_not"), 0) }, mask: true)
        }
    }

    static func checkJoinedSize(_ parts: [Tensor], op: String) throws {
        var total = 0
        for p in parts {
            let (s, o) = total.addingReportingOverflow(p.count)
            if o { throw RuntimeError("\(op): too many elements") }
            total = s
        }
        try checkElementCount(total, op: op)
    }

    /// A function of the same name that calls `tensorForm` when its first
    /// argument is a tensor (or, with `lists`, a list: for builtins that take
    /// only numbers) and the original function (a builtin or a prelude
    /// function) otherwise. It takes positional arguments and the labels of
    /// both forms, and forwards them as given (a label given nil is left out,
    /// so the callee's default applies).
    static func dispatching(_ name: String, original: Value, tensorForm: NativeFunction, lists: Bool,
                            interp: Interpreter) throws -> NativeFunction {
        let originalNames: [String]
        switch original {
        case .native(let f): originalNames = f.parameters.map(\.name)
        case .function(let c): originalNames = c.parameterNames
        default: return tensorForm
        }
        var labels: [String] = []
        for n in tensorForm.parameters.dropFirst().map(\.name) + originalNames.dropFirst() where !labels.contains(n) { labels.append(n) }
        let tensorNames = Set(tensorForm.parameters.map(\.name)), plainNames = Set(originalNames)
        let params = [Param("values", variadic: true)] + labels.map { Param($0, default: .nil, labelOnly: true) }
        let originalDoc = interp.helpText(forValue: original).split(separator: "\n", maxSplits: 1).last.map(String.init) ?? ""
        let doc = originalDoc + " With a tensor\(lists ? " (or a list of numbers)" : ""): " + tensorForm.doc
        return NativeFunction(name: name, parameters: params, doc: doc) { a in
            let positional = a.rest(from: labels.count)
            var toTensor = false
            if let first = positional.first {
                if case .object(let o) = first, o is TensorValue { toTensor = true }
                if lists, case .list = first { toTensor = true }
            }
            var args = positional
            var argLabels: [String?] = Array(repeating: nil, count: positional.count)
            for (i, label) in labels.enumerated() where !a.isNil(i) {
                guard (toTensor ? tensorNames : plainNames).contains(label) else {
                    throw RuntimeError("\(name)() has no parameter named '\(label)' for a \(positional.first.map { Script.typeName($0) } ?? "missing") argument")
                }
                args.append(a[i]); argLabels.append(label)
            }
            return try a.interpreter.call(toTensor ? .native(tensorForm) : original, args, labels: argLabels)
        }
    }

    /// min, max and sort keep their list behaviour and take tensors too.
    static func installBuiltinWrappers(into interp: Interpreter) throws {
        for (name, wantMax) in [("min", false), ("max", true)] {
            guard case .native(let builtin)? = interp.global(name) else { continue }
            interp.register(name, [Param("values", variadic: true), Param("axis", default: .nil, labelOnly: true)],
                            doc: builtin.doc + " With one tensor it is the \(wantMax ? "largest" : "smallest") element (a number), or a tensor along axis:; with two values of which one is a tensor, the elementwise \(wantMax ? "maximum" : "minimum").") { args in
                let axisGiven = !args.isNil("values")
                let values = args.rest("axis")
                let hasTensor = values.contains { if case .object(let o) = $0, o is TensorValue { return true }; return false }
                if values.count == 1, hasTensor || axisGiven {
                    let t = try tensorArgument(values[0], op: name)
                    let axis = try args.optionalInt("values")
                    return try wrap(try translatingErrors { wantMax ? try t.max(axis: axis) : try t.min(axis: axis) })
                }
                if values.count == 2, hasTensor {
                    let x = try tensorArgument(values[0], op: name), y = try tensorArgument(values[1], op: name)
                    try TensorOps.checkBroadcast(x, y, op: name)
                    return try wrap(try translatingErrors { wantMax ? try Tensor.maximum(x, y) : try Tensor.minimum(x, y) })
                }
                if axisGiven { throw RuntimeError("\(name): axis: applies to one tensor") }
                return try args.interpreter.call(.native(builtin), values)
            }
        }
        if case .native(let builtin)? = interp.global("sort") {
            interp.register("sort", [Param("items"), Param("key", default: .nil), Param("reverse", default: .bool(false))],
                            doc: builtin.doc + " A tensor is sorted along its last axis into a new tensor (reverse: true for descending; key does not apply).") { args in
                if case .object(let o as TensorValue) = args["items"] {
                    guard args.isNil("key") else { throw RuntimeError("sort: key: does not apply to a tensor (use argsort for orders)") }
                    let descending = try args.bool("reverse")
                    return try wrap(try translatingErrors { try o.tensor.sort(axis: -1, descending: descending) })
                }
                return try args.interpreter.call(.native(builtin), [args["items"], args["key"], args["reverse"]])
            }
        }
    }

    static func installCreation(into interp: Interpreter, state: TensorState) {
        interp.register("tensor", [Param("values")],
                        doc: "tensor(values) makes a tensor from a number (0-d), a list of numbers, nested lists (a matrix, ...), bools (a mask), a list of same-shaped tensors (stacked), or a copy of a tensor.") { args in
            if case .object(let o as TensorValue) = args["values"] { return try wrapTensor(Tensor(copying: o.tensor), mask: o.isMask) }
            let t = try tensorArgument(args["values"], op: "tensor")
            return try wrapTensor(t, mask: isMaskValue(args["values"]))
        }
        interp.register("zeros", [Param("shape")], doc: "zeros(shape) is a tensor of zeros: zeros([2, 3]) (a number makes a 1-d tensor).") { args in
            try wrapTensor(try translatingErrors { try Tensor.zeros(try checkedNewShape(args["shape"], op: "zeros")) })
        }
        interp.register("ones", [Param("shape")], doc: "ones(shape) is a tensor of ones: ones([2, 3]).") { args in
            try wrapTensor(try translatingErrors { try Tensor.ones(try checkedNewShape(args["shape"], op: "ones")) })
        }
        interp.register("full", [Param("shape"), Param("value")], doc: "full(shape, value) is a tensor with every element value: full([2, 2], 7).") { args in
            let shape = try checkedNewShape(args["shape"], op: "full")
            return try wrapTensor(try translatingErrors { try Tensor.full(shape, try float(args, "value")) })
        }
        interp.register("zeros_like", [Param("x")], doc: "zeros_like(x) is a tensor of zeros with the shape of x.") { args in
            try wrapTensor(Tensor.zeros(like: try tensorArgument(args["x"], op: "zeros_like")))
        }
        interp.register("arange", [Param("start"), Param("stop", default: .nil), Param("step", default: .number(1))],
                        doc: "arange(stop) or arange(start, stop, step: 1) is the 1-d tensor start, start + step, ... up to but not including stop (as NumPy's arange).") { args in
            var start = try args.number("start"), stop: Double
            if args.isNil("stop") { stop = start; start = 0 } else { stop = try args.number("stop") }
            let step = try args.number("step")
            if step != 0 && step.isFinite && start.isFinite && stop.isFinite {
                let n = ((stop - start) / step).rounded(.up)
                if n > Double(maxElements) { throw RuntimeError("arange: \(formatNumber(n)) elements would not fit in memory") }
            }
            return try wrapTensor(try translatingErrors { try Tensor.arange(start, stop, step: step) })
        }
        interp.register("linspace", [Param("start"), Param("stop"), Param("count", default: .number(50))],
                        doc: "linspace(start, stop, count: 50) is count evenly spaced values from start to stop, both included.") { args in
            let n = try args.int("count")
            try checkElementCount(max(n, 0), op: "linspace")
            return try wrapTensor(try translatingErrors { try Tensor.linspace(try args.number("start"), try args.number("stop"), count: n) })
        }
        interp.register("eye", [Param("rows"), Param("columns", default: .nil)],
                        doc: "eye(n) is the n x n identity matrix; eye(rows, columns) a rectangular one.") { args in
            let r = try args.int("rows"), c = try args.optionalInt("columns") ?? r
            try checkNewShape([r, c], op: "eye")
            return try wrapTensor(try translatingErrors { try Tensor.eye(r, c) })
        }
        for (name, normal) in [("rand", false), ("randn", true)] {
            let what = normal ? "standard normal values" : "uniform values in [0, 1)"
            interp.register(name, [Param("shape"), Param("seed", default: .nil)],
                            doc: "\(name)(shape, seed: nil) is a tensor of \(what). With a seed the values are the same on every machine; without one they come from the session's generator (itself seeded with 0 at start, so a script is reproducible; seed(n) restarts it).") { args in
                let shape = try checkedNewShape(args["shape"], op: name)
                if !args.isNil("seed") {
                    let s = try seedArgument(args, "seed")
                    return try wrapTensor(try translatingErrors { normal ? try Tensor.randn(shape, seed: s) : try Tensor.rand(shape, seed: s) })
                }
                return try wrapTensor(try translatingErrors {
                    normal ? try Tensor.randn(shape, using: &state.generator) : try Tensor.rand(shape, using: &state.generator)
                })
            }
        }
        interp.register("seed", [Param("seed")], doc: "seed(n) restarts the session's random generator (used by rand and randn without seed:) from n.") { args in
            state.generator = RandomGenerator(seed: try seedArgument(args, "seed"))
            return .nil
        }
    }
}

/// Per-interpreter tensor state: the generator behind rand/randn without a seed.
final class TensorState {
    var generator = RandomGenerator(seed: 0)
}
