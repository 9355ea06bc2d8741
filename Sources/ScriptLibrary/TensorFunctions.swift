// TensorFunctions: every tensor function of the language — creation
// (tensor, zeros, randn...), the methods of tensors (a.sum(axis: 0)...),
// the global forms of those methods (sum(a, axis: 0)), the builtins that
// also take tensors (exp, log, sqrt, abs, floor, round, min, max, sort...),
// and the binary operators.
//
// What stays true here: a tensor op is defined once, as a `TensorOp` row
// (name, parameters after the receiver, doc, body); `a.f(x)` and `f(a, x)`
// are the same row, so they cannot drift apart. Each body validates, calls
// TensorCore, and wraps (results without axes become numbers). Sizes that
// would not fit in memory are refused before anything is allocated.
import Script
import TensorCore

#if canImport(Glibc)
import Glibc
#endif

/// The arguments of a tensor op after its receiver (`base` skips it in the global form).
struct OpArgs {
    let a: Arguments
    let base: Int
    var op: String { a.function.name }
    subscript(_ i: Int) -> Value { a[base + i] }
    func isNil(_ i: Int) -> Bool { a.isNil(base + i) }
    func int(_ i: Int) throws -> Int { try a.int(base + i) }
    func optionalInt(_ i: Int) throws -> Int? { isNil(i) ? nil : try a.int(base + i) }
    func number(_ i: Int) throws -> Double { try a.number(base + i) }
    func float(_ i: Int) throws -> Float { Float(try a.number(base + i)) }
    func optionalFloat(_ i: Int) throws -> Float? { isNil(i) ? nil : Float(try a.number(base + i)) }
    func bool(_ i: Int) throws -> Bool { try a.bool(base + i) }
    func tensor(_ i: Int) throws -> Tensor { try tensorArgument(self[i], op: op) }
    func rest(_ i: Int) -> [Value] { a.rest(from: base + i) }
}

/// One tensor operation, callable as a method and (when `global`) as a function.
struct TensorOp {
    let name: String
    let params: [Param]
    let doc: String
    let global: Bool
    let body: (Tensor, OpArgs) throws -> Value

    /// `a.name(...)`: the receiver is bound.
    func method(bound receiver: TensorValue) -> NativeFunction {
        let body = self.body
        return NativeFunction(name: name, parameters: params, doc: doc) { a in
            try body(receiver.tensor, OpArgs(a: a, base: 0))
        }
    }

    /// `name(x, ...)`: the receiver is the first argument (a tensor, number or list).
    func function() -> NativeFunction {
        let body = self.body, name = self.name
        return NativeFunction(name: name, parameters: [Param("x")] + params, doc: doc) { a in
            try body(try tensorArgument(a[0], op: name), OpArgs(a: a, base: 1))
        }
    }
}

enum TensorOps {
    // MARK: - Binary operators

    /// `l op r` for the language's operators (== and != compare whole values, see TensorValue.isEqual).
    static func apply(_ op: BinaryOp, _ l: Tensor, _ r: Tensor, bothMasks: Bool = false) throws -> Value {
        let coreOp: ElementwiseOp
        var mask = false
        switch op {
        case .matmul:
            if l.rank >= 1, r.rank >= 1 {
                let m = l.rank == 1 ? 1 : l.shape[l.rank - 2], n = r.rank == 1 ? 1 : r.shape[r.rank - 1]
                let (count, overflow) = m.multipliedReportingOverflow(by: n)
                if overflow { throw RuntimeError("@: result of \(l.shape) @ \(r.shape) has too many elements") }
                try checkElementCount(count, op: "@")
            }
            return try wrap(try core { try Tensor.matmul(l, r) })
        case .mod:
            // Floored modulo (the sign of the divisor), as for numbers: l - r * floor(l / r).
            try checkBroadcast(l, r, op: "%")
            return try wrap(try core { try Tensor.binary(.sub, l, try Tensor.binary(.mul, r, try Tensor.binary(.div, l, r).map(.floor))) })
        case .add: coreOp = .add
        case .sub: coreOp = .sub
        case .mul: coreOp = .mul; mask = bothMasks
        case .div: coreOp = .div
        case .pow: coreOp = .pow
        case .lt: coreOp = .lt; mask = true
        case .le: coreOp = .le; mask = true
        case .gt: coreOp = .gt; mask = true
        case .ge: coreOp = .ge; mask = true
        case .eq: coreOp = .eq; mask = true
        case .ne: coreOp = .ne; mask = true
        }
        try checkBroadcast(l, r, op: op.rawValue)
        return try wrap(try core { try Tensor.binary(coreOp, l, r) }, mask: mask)
    }

    /// Throws when two shapes do not broadcast or their result would not fit in memory.
    static func checkBroadcast(_ l: Tensor, _ r: Tensor, op: String) throws {
        let shape = try core { try Tensor.broadcastShape(l.shape, r.shape, op: op) }
        guard let n = Tensor.elementCount(shape) else { throw RuntimeError("\(op): shape \(shape) has too many elements") }
        try checkElementCount(n, op: op, shape: shape)
    }

    // MARK: - The table of ops

    static let table: [String: TensorOp] = {
        var t: [String: TensorOp] = [:]
        for op in all { t[op.name] = op }
        return t
    }()

    static let methodNames: [String] = all.map(\.name).sorted()

    /// Reductions: whole tensor (a number) or along an axis (a tensor).
    static func reduction(_ name: String, _ what: String, global: Bool = true, _ f: @escaping (Tensor, Int?, Bool) throws -> Tensor) -> TensorOp {
        TensorOp(name: name, params: [Param("axis", default: .nil), Param("keepdims", default: .bool(false))],
                 doc: "\(name)(x, axis: nil, keepdims: false) or x.\(name)(...) is the \(what) of the elements: a number over the whole tensor, a tensor along an axis (negative axes count from the end; keepdims keeps the reduced axis with size 1).",
                 global: global) { t, a in
            let axis = try a.optionalInt(0), keep = try a.bool(1)
            return try wrap(try core { try f(t, axis, keep) })
        }
    }

    static func unary(_ name: String, _ what: String, _ op: UnaryOp, global: Bool = true) -> TensorOp {
        TensorOp(name: name, params: [], doc: "\(name)(x) or x.\(name)() is \(what), elementwise.", global: global) { t, _ in
            try wrap(t.map(op))
        }
    }

    static func compare(_ name: String, _ op: ElementwiseOp, _ symbol: String) -> TensorOp {
        TensorOp(name: name, params: [Param("other")],
                 doc: "\(name)(x, other) or x.\(name)(other) is the 0/1 mask of x \(symbol) other, elementwise with broadcasting (a mask: it can index, a[a.\(name)(0)]).",
                 global: true) { t, a in
            let o = try a.tensor(0)
            try checkBroadcast(t, o, op: name)
            return try wrap(try core { try Tensor.binary(op, t, o) }, mask: true)
        }
    }

    static let all: [TensorOp] = [
        // Reductions
        reduction("sum", "sum") { try $0.sum(axis: $1, keepdims: $2) },
        reduction("mean", "mean") { try $0.mean(axis: $1, keepdims: $2) },
        reduction("max", "largest", global: false) { try $0.max(axis: $1, keepdims: $2) },
        reduction("min", "smallest", global: false) { try $0.min(axis: $1, keepdims: $2) },
        reduction("argmax", "index of the first largest") { try $0.argmax(axis: $1, keepdims: $2) },
        reduction("argmin", "index of the first smallest") { try $0.argmin(axis: $1, keepdims: $2) },
        reduction("logsumexp", "log of the sum of exponentials (computed stably)") { try $0.logsumexp(axis: $1, keepdims: $2) },
        TensorOp(name: "variance", params: [Param("axis", default: .nil), Param("keepdims", default: .bool(false)), Param("correction", default: .number(0))],
                 doc: "variance(x, axis: nil, keepdims: false, correction: 0) or x.variance(...) is the variance (population by default; correction: 1 gives the sample variance): a number over the whole tensor, a tensor along an axis.",
                 global: true) { t, a in
            let c = try a.int(2)
            guard c >= 0 else { throw RuntimeError("variance: correction must be >= 0, got \(c)") }
            return try wrap(try core { try t.variance(axis: try a.optionalInt(0), correction: c, keepdims: try a.bool(1)) })
        },
        TensorOp(name: "std", params: [Param("axis", default: .nil), Param("keepdims", default: .bool(false)), Param("correction", default: .number(0))],
                 doc: "std(x, axis: nil, keepdims: false, correction: 0) or x.std(...) is the standard deviation (the square root of variance).",
                 global: true) { t, a in
            let c = try a.int(2)
            guard c >= 0 else { throw RuntimeError("std: correction must be >= 0, got \(c)") }
            return try wrap(try core { try t.std(axis: try a.optionalInt(0), correction: c, keepdims: try a.bool(1)) })
        },
        TensorOp(name: "any", params: [], doc: "x.any() is true when some element is nonzero.", global: false) { t, _ in
            .bool(t.withUnsafeBufferPointer { $0.contains { $0 != 0 } })
        },
        TensorOp(name: "all", params: [], doc: "x.all() is true when every element is nonzero (true for an empty tensor).", global: false) { t, _ in
            .bool(t.withUnsafeBufferPointer { $0.allSatisfy { $0 != 0 } })
        },

        // Same-shape row functions
        TensorOp(name: "softmax", params: [Param("axis", default: .number(-1))],
                 doc: "softmax(x, axis: -1) or x.softmax(...) is exp(x) / sum(exp(x)) along the axis (the maximum is subtracted first).",
                 global: true) { t, a in try wrap(try core { try t.softmax(axis: try a.int(0)) }) },
        TensorOp(name: "log_softmax", params: [Param("axis", default: .number(-1))],
                 doc: "log_softmax(x, axis: -1) or x.log_softmax(...) is x - logsumexp(x) along the axis.",
                 global: true) { t, a in try wrap(try core { try t.logSoftmax(axis: try a.int(0)) }) },
        TensorOp(name: "cumsum", params: [Param("axis", default: .nil)],
                 doc: "cumsum(x, axis: nil) or x.cumsum(...) is the running sum along the axis (over all elements in row-major order, as a 1-d tensor, when axis is nil).",
                 global: true) { t, a in try wrap(try core { try t.cumsum(axis: try a.optionalInt(0)) }) },

        // Shapes
        TensorOp(name: "reshape", params: [Param("shape", variadic: true)],
                 doc: "x.reshape([2, 3]) or x.reshape(2, 3) (or reshape(x, [2, 3])) is the same elements in a new shape; one size may be -1 (inferred).",
                 global: true) { t, a in
            let rest = a.rest(0)
            let shape = rest.count == 1 ? try shapeArgument(rest[0], op: "reshape") : try shapeArgument(.list(rest), op: "reshape")
            guard shape.count <= maxRank else { throw RuntimeError("reshape: tensors have at most \(maxRank) axes, got \(shape.count)") }
            return try wrap(try core { try t.reshape(shape) })
        },
        TensorOp(name: "transpose", params: [Param("axis0", default: .number(0)), Param("axis1", default: .number(1))],
                 doc: "x.transpose(axis0: 0, axis1: 1) (or transpose(x, ...)) swaps two axes (a view: no copy). x.T reverses all axes.",
                 global: true) { t, a in try wrap(try core { try t.transpose(try a.int(0), try a.int(1)) }) },
        TensorOp(name: "permute", params: [Param("order", variadic: true)],
                 doc: "x.permute([2, 0, 1]) or x.permute(2, 0, 1) reorders the axes: axis i of the result is axis order[i] of x.",
                 global: true) { t, a in
            let rest = a.rest(0)
            let order = rest.count == 1 ? try shapeArgument(rest[0], op: "permute", name: "order") : try shapeArgument(.list(rest), op: "permute", name: "order")
            return try wrap(try core { try t.permute(order) })
        },
        TensorOp(name: "squeeze", params: [Param("axis", default: .nil)],
                 doc: "x.squeeze(axis: nil) removes the size-1 axis (every size-1 axis when axis is nil).",
                 global: true) { t, a in try wrap(try core { try t.squeeze(axis: try a.optionalInt(0)) }) },
        TensorOp(name: "unsqueeze", params: [Param("axis")],
                 doc: "x.unsqueeze(axis) inserts a size-1 axis at position axis (0 ... rank; negative counts from the end).",
                 global: true) { t, a in try wrap(try core { try t.unsqueeze(axis: try a.int(0)) }) },
        TensorOp(name: "flatten", params: [], doc: "x.flatten() (or flatten(x)) is the elements as a 1-d tensor, row-major.", global: true) { t, _ in
            try wrapTensor(t.flatten())
        },
        TensorOp(name: "expand", params: [Param("shape")],
                 doc: "x.expand(shape) broadcasts x to a larger shape (a view: size-1 axes repeat without copying).",
                 global: false) { t, a in
            let shape = try shapeArgument(a[0], op: "expand")
            guard shape.count <= maxRank else { throw RuntimeError("expand: tensors have at most \(maxRank) axes, got \(shape.count)") }
            try checkNewShape(shape, op: "expand")
            return try wrap(try core { try t.expand(to: shape) })
        },
        TensorOp(name: "copy", params: [], doc: "x.copy() is an independent copy of the tensor (writes to one never show in the other).", global: false) { t, _ in
            try wrapTensor(Tensor(copying: t))
        },

        // Elementwise
        unary("exp", "e raised to the power x", .exp),
        unary("log", "the natural logarithm (-inf at 0, nan below)", .log),
        unary("sqrt", "the square root (nan below 0)", .sqrt),
        unary("tanh", "the hyperbolic tangent", .tanh),
        unary("abs", "the absolute value", .abs),
        unary("sigmoid", "1 / (1 + exp(-x))", .sigmoid),
        unary("relu", "max(x, 0)", .relu),
        unary("floor", "the largest integer not above x", .floor),
        unary("ceil", "the smallest integer not below x", .ceil),
        unary("sign", "-1, 0 or 1 by the sign of x", .sign),
        unary("sin", "the sine (radians)", .sin),
        unary("cos", "the cosine (radians)", .cos),
        unary("log1p", "log(1 + x), accurate near 0", .log1p),
        unary("expm1", "exp(x) - 1, accurate near 0", .expm1),
        unary("square", "x * x", .square),
        TensorOp(name: "round", params: [Param("digits", default: .number(0))],
                 doc: "round(x, digits: 0) or x.round() rounds each element to the nearest integer (halves to even, as NumPy and PyTorch), or to digits decimals.",
                 global: true) { t, a in
            let d = try a.int(0)
            guard d >= -20 && d <= 20 else { throw RuntimeError("round: digits must be between -20 and 20") }
            if d == 0 { return try wrap(t.map(.round)) }
            let m = Float(pow(10.0, Double(d)))
            return try wrap(try core { try Tensor.binary(.div, try Tensor.binary(.mul, t, m).map(.round), m) })
        },
        TensorOp(name: "gelu", params: [Param("approximate", default: .bool(false))],
                 doc: "gelu(x, approximate: false) or x.gelu() is x * Phi(x) (the exact erf form; approximate: true uses GPT-2's tanh form).",
                 global: true) { t, a in try wrap(t.gelu(approximate: try a.bool(0))) },
        TensorOp(name: "clamp", params: [Param("min", default: .nil), Param("max", default: .nil)],
                 doc: "clamp(x, min: nil, max: nil) or x.clamp(...) limits each element to [min, max] (either bound may be left out).",
                 global: true) { t, a in try wrap(try core { try t.clamp(min: try a.optionalFloat(0), max: try a.optionalFloat(1)) }) },
        TensorOp(name: "pow", params: [Param("exponent")],
                 doc: "pow(x, exponent) or x.pow(e) is x ** e, elementwise with broadcasting.",
                 global: true) { t, a in try apply(.pow, t, try a.tensor(0)) },
        TensorOp(name: "maximum", params: [Param("other")],
                 doc: "maximum(x, other) is the larger of the two at each position (broadcasting); max(x, y) with a tensor does the same.",
                 global: true) { t, a in
            let o = try a.tensor(0)
            try checkBroadcast(t, o, op: "maximum")
            return try wrap(try core { try Tensor.maximum(t, o) })
        },
        TensorOp(name: "minimum", params: [Param("other")],
                 doc: "minimum(x, other) is the smaller of the two at each position (broadcasting); min(x, y) with a tensor does the same.",
                 global: true) { t, a in
            let o = try a.tensor(0)
            try checkBroadcast(t, o, op: "minimum")
            return try wrap(try core { try Tensor.minimum(t, o) })
        },
        TensorOp(name: "matmul", params: [Param("other")],
                 doc: "matmul(x, other) or x.matmul(other) is the matrix product x @ other (NumPy rules: 1-d operands are vectors, leading axes broadcast).",
                 global: true) { t, a in try apply(.matmul, t, try a.tensor(0)) },
        compare("eq", .eq, "=="), compare("ne", .ne, "!="),
        compare("lt", .lt, "<"), compare("le", .le, "<="), compare("gt", .gt, ">"), compare("ge", .ge, ">="),

        // Sorting and selection
        TensorOp(name: "sort", params: [Param("axis", default: .number(-1)), Param("descending", default: .bool(false))],
                 doc: "x.sort(axis: -1, descending: false) is the elements sorted along the axis (stable; nan sorts last). sort(tensor) does the same.",
                 global: false) { t, a in try wrap(try core { try t.sort(axis: try a.int(0), descending: try a.bool(1)) }) },
        TensorOp(name: "argsort", params: [Param("axis", default: .number(-1)), Param("descending", default: .bool(false))],
                 doc: "argsort(x, axis: -1, descending: false) or x.argsort() is the indices that sort the elements along the axis (stable).",
                 global: true) { t, a in try wrap(try core { try t.argsort(axis: try a.int(0), descending: try a.bool(1)) }) },
        TensorOp(name: "topk", params: [Param("k"), Param("axis", default: .number(-1)), Param("largest", default: .bool(true))],
                 doc: "topk(x, k, axis: -1, largest: true) or x.topk(k) is [values, indices] of the k largest (or smallest) elements along the axis, in order.",
                 global: true) { t, a in
            let (v, i) = try core { try t.topk(try a.int(0), axis: try a.int(1), largest: try a.bool(2)) }
            return .list([try wrap(v), try wrap(i)])
        },
        TensorOp(name: "quantile", params: [Param("q"), Param("axis", default: .nil), Param("keepdims", default: .bool(false))],
                 doc: "quantile(x, q, axis: nil, keepdims: false) or x.quantile(q) is the q-th quantile (0 <= q <= 1, linear interpolation as NumPy): a number over the whole tensor, a tensor along an axis.",
                 global: true) { t, a in try wrap(try core { try t.quantile(try a.number(0), axis: try a.optionalInt(1), keepdims: try a.bool(2)) }) },
        TensorOp(name: "gather", params: [Param("axis"), Param("index")],
                 doc: "gather(x, axis, index) or x.gather(axis, index) picks along axis by an index tensor of x's rank (PyTorch's gather): out[i][j] = x[index[i][j]][j] for axis 0.",
                 global: true) { t, a in try wrap(try core { try t.gather(axis: try a.int(0), index: try a.tensor(1)) }) },
        TensorOp(name: "take", params: [Param("indices"), Param("axis", default: .number(0))],
                 doc: "take(x, indices, axis: 0) or x.take(indices) selects positions along an axis (x[[0, 2]] does the same for axis 0).",
                 global: true) { t, a in try wrap(try core { try t.take(try a.tensor(0), axis: try a.int(1)) }) },

        // Conversion
        TensorOp(name: "item", params: [], doc: "x.item() is the single element of a one-element tensor, as a number.", global: false) { t, _ in
            .number(Double(try core { try t.scalarValue() }))
        },
        TensorOp(name: "tolist", params: [], doc: "x.tolist() is the elements as nested lists of numbers (a number for a 0-d tensor).", global: false) { t, _ in
            tensorToList(t)
        },
    ]

}

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
                        doc: "where(condition, a, b) is a where condition is nonzero and b elsewhere; all three broadcast (numbers mix in).") { a in
            let c = try tensorArgument(a[0], op: "where"), x = try tensorArgument(a[1], op: "where"), y = try tensorArgument(a[2], op: "where")
            let s1 = try core { try Tensor.broadcastShape(c.shape, x.shape, op: "where") }
            let s = try core { try Tensor.broadcastShape(s1, y.shape, op: "where") }
            try checkNewShape(s, op: "where")
            return try wrap(try core { try Tensor.where(c, x, y) })
        }
        interp.register("concat", [Param("tensors"), Param("axis", default: .number(0))],
                        doc: "concat([a, b, ...], axis: 0) joins tensors along an existing axis; the other sizes must agree.") { a in
            let parts = try a.list(0).items.map { try tensorArgument($0, op: "concat") }
            try checkJoinedSize(parts, op: "concat")
            return try wrap(try core { try Tensor.concat(parts, axis: try a.int(1)) })
        }
        interp.register("stack", [Param("tensors"), Param("axis", default: .number(0))],
                        doc: "stack([a, b, ...], axis: 0) joins same-shaped tensors along a new axis.") { a in
            let parts = try a.list(0).items.map { try tensorArgument($0, op: "stack") }
            try checkJoinedSize(parts, op: "stack")
            return try wrap(try core { try Tensor.stack(parts, axis: try a.int(1)) })
        }
        for (name, symbol, isAnd) in [("logical_and", "and", true), ("logical_or", "or", false)] {
            interp.register(name, [Param("a"), Param("b")],
                            doc: "\(name)(a, b) is the mask where a \(symbol) b are nonzero (elementwise, broadcasting).") { a in
                let x = try tensorArgument(a[0], op: name), y = try tensorArgument(a[1], op: name)
                let nx = try core { try Tensor.binary(.ne, x, 0) }, ny = try core { try Tensor.binary(.ne, y, 0) }
                try TensorOps.checkBroadcast(nx, ny, op: name)
                return try wrap(try core { try Tensor.binary(isAnd ? .mul : .maximum, nx, ny) }, mask: true)
            }
        }
        interp.register("logical_not", [Param("a")], doc: "logical_not(a) is the mask where a is zero.") { a in
            try wrap(try core { try Tensor.binary(.eq, try tensorArgument(a[0], op: "logical_not"), 0) }, mask: true)
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
                            doc: builtin.doc + " With one tensor it is the \(wantMax ? "largest" : "smallest") element (a number), or a tensor along axis:; with two values of which one is a tensor, the elementwise \(wantMax ? "maximum" : "minimum").") { a in
                let axisGiven = !a.isNil(0)
                let values = a.rest(from: 1)
                let hasTensor = values.contains { if case .object(let o) = $0, o is TensorValue { return true }; return false }
                if values.count == 1, hasTensor || axisGiven {
                    let t = try tensorArgument(values[0], op: name)
                    let axis = try optionalInt(a, 0)
                    return try wrap(try core { wantMax ? try t.max(axis: axis) : try t.min(axis: axis) })
                }
                if values.count == 2, hasTensor {
                    let x = try tensorArgument(values[0], op: name), y = try tensorArgument(values[1], op: name)
                    try TensorOps.checkBroadcast(x, y, op: name)
                    return try wrap(try core { wantMax ? try Tensor.maximum(x, y) : try Tensor.minimum(x, y) })
                }
                if axisGiven { throw RuntimeError("\(name): axis: applies to one tensor") }
                return try a.interpreter.call(.native(builtin), values)
            }
        }
        if case .native(let builtin)? = interp.global("sort") {
            interp.register("sort", [Param("items"), Param("key", default: .nil), Param("reverse", default: .bool(false))],
                            doc: builtin.doc + " A tensor is sorted along its last axis into a new tensor (reverse: true for descending; key does not apply).") { a in
                if case .object(let o as TensorValue) = a[0] {
                    guard a.isNil(1) else { throw RuntimeError("sort: key: does not apply to a tensor (use argsort for orders)") }
                    let descending = try a.bool(2)
                    return try wrap(try core { try o.tensor.sort(axis: -1, descending: descending) })
                }
                return try a.interpreter.call(.native(builtin), [a[0], a[1], a[2]])
            }
        }
    }

    static func installCreation(into interp: Interpreter, state: TensorState) {
        interp.register("tensor", [Param("values")],
                        doc: "tensor(values) makes a tensor from a number (0-d), a list of numbers, nested lists (a matrix, ...), bools (a mask), a list of same-shaped tensors (stacked), or a copy of a tensor.") { a in
            if case .object(let o as TensorValue) = a[0] { return try wrapTensor(Tensor(copying: o.tensor), mask: o.isMask) }
            let t = try tensorArgument(a[0], op: "tensor")
            return try wrapTensor(t, mask: isMaskValue(a[0]))
        }
        interp.register("zeros", [Param("shape")], doc: "zeros(shape) is a tensor of zeros: zeros([2, 3]) (a number makes a 1-d tensor).") { a in
            try wrapTensor(try core { try Tensor.zeros(try checkedNewShape(a[0], op: "zeros")) })
        }
        interp.register("ones", [Param("shape")], doc: "ones(shape) is a tensor of ones: ones([2, 3]).") { a in
            try wrapTensor(try core { try Tensor.ones(try checkedNewShape(a[0], op: "ones")) })
        }
        interp.register("full", [Param("shape"), Param("value")], doc: "full(shape, value) is a tensor with every element value: full([2, 2], 7).") { a in
            let shape = try checkedNewShape(a[0], op: "full")
            return try wrapTensor(try core { try Tensor.full(shape, try float(a, 1)) })
        }
        interp.register("zeros_like", [Param("x")], doc: "zeros_like(x) is a tensor of zeros with the shape of x.") { a in
            try wrapTensor(Tensor.zeros(like: try tensorArgument(a[0], op: "zeros_like")))
        }
        interp.register("arange", [Param("start"), Param("stop", default: .nil), Param("step", default: .number(1))],
                        doc: "arange(stop) or arange(start, stop, step: 1) is the 1-d tensor start, start + step, ... up to but not including stop (as NumPy's arange).") { a in
            var start = try a.number(0), stop: Double
            if a.isNil(1) { stop = start; start = 0 } else { stop = try a.number(1) }
            let step = try a.number(2)
            if step != 0 && step.isFinite && start.isFinite && stop.isFinite {
                let n = ((stop - start) / step).rounded(.up)
                if n > Double(maxElements) { throw RuntimeError("arange: \(formatNumber(n)) elements would not fit in memory") }
            }
            return try wrapTensor(try core { try Tensor.arange(start, stop, step: step) })
        }
        interp.register("linspace", [Param("start"), Param("stop"), Param("count", default: .number(50))],
                        doc: "linspace(start, stop, count: 50) is count evenly spaced values from start to stop, both included.") { a in
            let n = try a.int(2)
            try checkElementCount(max(n, 0), op: "linspace")
            return try wrapTensor(try core { try Tensor.linspace(try a.number(0), try a.number(1), count: n) })
        }
        interp.register("eye", [Param("rows"), Param("columns", default: .nil)],
                        doc: "eye(n) is the n x n identity matrix; eye(rows, columns) a rectangular one.") { a in
            let r = try a.int(0), c = try optionalInt(a, 1) ?? r
            try checkNewShape([r, c], op: "eye")
            return try wrapTensor(try core { try Tensor.eye(r, c) })
        }
        for (name, normal) in [("rand", false), ("randn", true)] {
            let what = normal ? "standard normal values" : "uniform values in [0, 1)"
            interp.register(name, [Param("shape"), Param("seed", default: .nil)],
                            doc: "\(name)(shape, seed: nil) is a tensor of \(what). With a seed the values are the same on every machine; without one they come from the session's generator (itself seeded with 0 at start, so a script is reproducible; seed(n) restarts it).") { a in
                let shape = try checkedNewShape(a[0], op: name)
                if !a.isNil(1) {
                    let s = try seedArgument(a, 1)
                    return try wrapTensor(try core { normal ? try Tensor.randn(shape, seed: s) : try Tensor.rand(shape, seed: s) })
                }
                return try wrapTensor(try core {
                    normal ? try Tensor.randn(shape, using: &state.generator) : try Tensor.rand(shape, using: &state.generator)
                })
            }
        }
        interp.register("seed", [Param("seed")], doc: "seed(n) restarts the session's random generator (used by rand and randn without seed:) from n.") { a in
            state.generator = RandomGenerator(seed: try seedArgument(a, 0))
            return .nil
        }
    }
}

/// Per-interpreter tensor state: the generator behind rand/randn without a seed.
final class TensorState {
    var generator = RandomGenerator(seed: 0)
}

// MARK: - save and load (safetensors)

extension ScriptLibrary {
    static func installFileFunctions(into interp: Interpreter) {
        interp.register("save", [Param("value"), Param("path"), Param("optimizer", default: .nil)],
                        doc: "save(value, path, optimizer: nil) writes a safetensors file (atomically): a tensor (stored under the name \"tensor\"), a dict of tensors (its keys are the names), or a model checkpoint (parameters with nanoGPT-style names, the config in the metadata, and the optimizer's state when given). Python's safetensors reads it.") { a in
            let path = try a.string(1)
            switch a[0] {
            case .object(let t as TensorValue):
                try core { try SafeTensors.write([("tensor", t.tensor)], to: path) }
            case .dict(let d):
                var entries: [(name: String, tensor: Tensor)] = []
                for i in 0..<d.count {
                    guard case .string(let k) = d.keys[i] else { throw RuntimeError("save: dict keys must be strings (tensor names), got \(reprString(d.keys[i]))") }
                    entries.append((k.value, try tensorArgument(d.values[i], op: "save")))
                }
                try core { try SafeTensors.write(entries, to: path) }
            case .object(let m as ModelValue):
                try saveCheckpoint(m.model, path: path, optimizer: try optimizerArgument(a, 2))
            default:
                throw a.fail(0, "a tensor, a dict of tensors or a model")
            }
            return .nil
        }
        interp.register("load", [Param("path")],
                        doc: "load(path) reads a safetensors file: a model when it is a checkpoint (its metadata names the model), the tensor when it holds one tensor named \"tensor\", else a dict of its tensors (in file order). Loading never runs anything from the file.") { a in
            let path = try a.string(0)
            let file = try core { try SafeTensors.read(path: path) }
            if file.metadata["model"] != nil { return .object(ModelValue(try modelFromCheckpoint(file, path: path))) }
            if file.names == ["tensor"], let t = file.tensors["tensor"] { return try wrapTensor(t) }
            let d = DictObject()
            for n in file.names { if let t = file.tensors[n] { d.set(n, try wrapTensor(t)) } }
            return .dict(d)
        }
    }
}
