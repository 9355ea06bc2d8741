// TensorOps: the table of tensor operations — every method of a tensor
// (a.sum(axis: 0)...) and its global form (sum(a, axis: 0)) — and the
// binary operators on tensors.
//
// What stays true here: a tensor op is defined once, as a `TensorOp` row
// (name, parameters after the receiver, doc, body); `a.f(x)` and `f(a, x)`
// are the same row, so they cannot drift apart. Each body validates, calls
// TensorCore, and wraps (results without axes become numbers). Arguments
// are read by parameter name.
import Script
import TensorCore
#if canImport(Glibc)
import Glibc
#endif

/// The arguments of a tensor op after its receiver, read by parameter name
/// (the same names in `a.f(x)` and in `f(a, x)`, whose receiver is `x`).
struct OpArgs {
    let args: Arguments
    var op: String { args.function.name }
    subscript(_ name: String) -> Value { args[name] }
    func isNil(_ name: String) -> Bool { args.isNil(name) }
    func int(_ name: String) throws -> Int { try args.int(name) }
    func optionalInt(_ name: String) throws -> Int? { try args.optionalInt(name) }
    func number(_ name: String) throws -> Double { try args.number(name) }
    func float(_ name: String) throws -> Float { Float(try args.number(name)) }
    func optionalFloat(_ name: String) throws -> Float? { try args.optionalNumber(name).map(Float.init) }
    func bool(_ name: String) throws -> Bool { try args.bool(name) }
    func tensor(_ name: String) throws -> Tensor { try tensorArgument(args[name], op: op) }
    func rest(_ name: String) -> [Value] { args.rest(name) }
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
            try body(receiver.tensor, OpArgs(args: a))
        }
    }

    /// `name(x, ...)`: the receiver is the first argument (a tensor, number or list).
    func function() -> NativeFunction {
        let body = self.body, name = self.name
        return NativeFunction(name: name, parameters: [Param("x")] + params, doc: doc) { a in
            try body(try tensorArgument(a["x"], op: name), OpArgs(args: a))
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
            return try wrap(try translatingErrors { try Tensor.matmul(l, r) })
        case .mod:
            // Floored modulo (the sign of the divisor), as for numbers: l - r * floor(l / r).
            try checkBroadcast(l, r, op: "%")
            return try wrap(try translatingErrors { try Tensor.binary(.sub, l, try Tensor.binary(.mul, r, try Tensor.binary(.div, l, r).map(.floor))) })
        case .floorDiv:
            // floor(l / r) elementwise, as for numbers (up to float32 rounding)
            try checkBroadcast(l, r, op: "//")
            return try wrap(try translatingErrors { try Tensor.binary(.div, l, r).map(.floor) })
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
        return try wrap(try translatingErrors { try Tensor.binary(coreOp, l, r) }, mask: mask)
    }

    /// Throws when two shapes do not broadcast or their result would not fit in memory.
    static func checkBroadcast(_ l: Tensor, _ r: Tensor, op: String) throws {
        let shape = try translatingErrors { try Tensor.broadcastShape(l.shape, r.shape, op: op) }
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
                 global: global) { t, args in
            let axis = try args.optionalInt("axis"), keep = try args.bool("keepdims")
            return try wrap(try translatingErrors { try f(t, axis, keep) })
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
                 global: true) { t, args in
            let o = try args.tensor("other")
            try checkBroadcast(t, o, op: name)
            return try wrap(try translatingErrors { try Tensor.binary(op, t, o) }, mask: true)
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
                 global: true) { t, args in
            let c = try args.int("correction")
            guard c >= 0 else { throw RuntimeError("variance: correction must be >= 0, got \(c)") }
            return try wrap(try translatingErrors { try t.variance(axis: try args.optionalInt("axis"), correction: c, keepdims: try args.bool("keepdims")) })
        },
        TensorOp(name: "std", params: [Param("axis", default: .nil), Param("keepdims", default: .bool(false)), Param("correction", default: .number(0))],
                 doc: "std(x, axis: nil, keepdims: false, correction: 0) or x.std(...) is the standard deviation (the square root of variance).",
                 global: true) { t, args in
            let c = try args.int("correction")
            guard c >= 0 else { throw RuntimeError("std: correction must be >= 0, got \(c)") }
            return try wrap(try translatingErrors { try t.std(axis: try args.optionalInt("axis"), correction: c, keepdims: try args.bool("keepdims")) })
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
                 global: true) { t, args in try wrap(try translatingErrors { try t.softmax(axis: try args.int("axis")) }) },
        TensorOp(name: "log_softmax", params: [Param("axis", default: .number(-1))],
                 doc: "log_softmax(x, axis: -1) or x.log_softmax(...) is x - logsumexp(x) along the axis.",
                 global: true) { t, args in try wrap(try translatingErrors { try t.logSoftmax(axis: try args.int("axis")) }) },
        TensorOp(name: "cumsum", params: [Param("axis", default: .nil)],
                 doc: "cumsum(x, axis: nil) or x.cumsum(...) is the running sum along the axis (over all elements in row-major order, as a 1-d tensor, when axis is nil).",
                 global: true) { t, args in try wrap(try translatingErrors { try t.cumsum(axis: try args.optionalInt("axis")) }) },

        // Shapes
        TensorOp(name: "reshape", params: [Param("shape", variadic: true)],
                 doc: "x.reshape([2, 3]) or x.reshape(2, 3) (or reshape(x, [2, 3])) is the same elements in a new shape; one size may be -1 (inferred).",
                 global: true) { t, args in
            let rest = args.rest("shape")
            let shape = rest.count == 1 ? try shapeArgument(rest[0], op: "reshape") : try shapeArgument(.list(rest), op: "reshape")
            guard shape.count <= maxRank else { throw RuntimeError("reshape: tensors have at most \(maxRank) axes, got \(shape.count)") }
            return try wrap(try translatingErrors { try t.reshape(shape) })
        },
        TensorOp(name: "transpose", params: [Param("axis0", default: .number(0)), Param("axis1", default: .number(1))],
                 doc: "x.transpose(axis0: 0, axis1: 1) (or transpose(x, ...)) swaps two axes (a view: no copy). x.T reverses all axes.",
                 global: true) { t, args in try wrap(try translatingErrors { try t.transpose(try args.int("axis0"), try args.int("axis1")) }) },
        TensorOp(name: "permute", params: [Param("order", variadic: true)],
                 doc: "x.permute([2, 0, 1]) or x.permute(2, 0, 1) reorders the axes: axis i of the result is axis order[i] of x.",
                 global: true) { t, args in
            let rest = args.rest("order")
            let order = rest.count == 1 ? try shapeArgument(rest[0], op: "permute", name: "order") : try shapeArgument(.list(rest), op: "permute", name: "order")
            return try wrap(try translatingErrors { try t.permute(order) })
        },
        TensorOp(name: "squeeze", params: [Param("axis", default: .nil)],
                 doc: "x.squeeze(axis: nil) removes the size-1 axis (every size-1 axis when axis is nil).",
                 global: true) { t, args in try wrap(try translatingErrors { try t.squeeze(axis: try args.optionalInt("axis")) }) },
        TensorOp(name: "unsqueeze", params: [Param("axis")],
                 doc: "x.unsqueeze(axis) inserts a size-1 axis at position axis (0 ... rank; negative counts from the end).",
                 global: true) { t, args in try wrap(try translatingErrors { try t.unsqueeze(axis: try args.int("axis")) }) },
        TensorOp(name: "flatten", params: [], doc: "x.flatten() (or flatten(x)) is the elements as a 1-d tensor, row-major.", global: true) { t, _ in
            try wrapTensor(t.flatten())
        },
        TensorOp(name: "expand", params: [Param("shape")],
                 doc: "x.expand(shape) broadcasts x to a larger shape (a view: size-1 axes repeat without copying).",
                 global: false) { t, args in
            let shape = try shapeArgument(args["shape"], op: "expand")
            guard shape.count <= maxRank else { throw RuntimeError("expand: tensors have at most \(maxRank) axes, got \(shape.count)") }
            try checkNewShape(shape, op: "expand")
            return try wrap(try translatingErrors { try t.expand(to: shape) })
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
                 global: true) { t, args in
            let d = try args.int("digits")
            guard d >= -20 && d <= 20 else { throw RuntimeError("round: digits must be between -20 and 20") }
            if d == 0 { return try wrap(t.map(.round)) }
            let m = Float(pow(10.0, Double(d)))
            return try wrap(try translatingErrors { try Tensor.binary(.div, try Tensor.binary(.mul, t, m).map(.round), m) })
        },
        TensorOp(name: "gelu", params: [Param("approximate", default: .bool(false))],
                 doc: "gelu(x, approximate: false) or x.gelu() is x * Phi(x) (the exact erf form; approximate: true uses GPT-2's tanh form).",
                 global: true) { t, args in try wrap(t.gelu(approximate: try args.bool("approximate"))) },
        TensorOp(name: "clamp", params: [Param("min", default: .nil), Param("max", default: .nil)],
                 doc: "clamp(x, min: nil, max: nil) or x.clamp(...) limits each element to [min, max] (either bound may be left out).",
                 global: true) { t, args in try wrap(try translatingErrors { try t.clamp(min: try args.optionalFloat("min"), max: try args.optionalFloat("max")) }) },
        TensorOp(name: "pow", params: [Param("exponent")],
                 doc: "pow(x, exponent) or x.pow(e) is x ** e, elementwise with broadcasting.",
                 global: true) { t, args in try apply(.pow, t, try args.tensor("exponent")) },
        TensorOp(name: "maximum", params: [Param("other")],
                 doc: "maximum(x, other) is the larger of the two at each position (broadcasting); max(x, y) with a tensor does the same.",
                 global: true) { t, args in
            let o = try args.tensor("other")
            try checkBroadcast(t, o, op: "maximum")
            return try wrap(try translatingErrors { try Tensor.maximum(t, o) })
        },
        TensorOp(name: "minimum", params: [Param("other")],
                 doc: "minimum(x, other) is the smaller of the two at each position (broadcasting); min(x, y) with a tensor does the same.",
                 global: true) { t, args in
            let o = try args.tensor("other")
            try checkBroadcast(t, o, op: "minimum")
            return try wrap(try translatingErrors { try Tensor.minimum(t, o) })
        },
        TensorOp(name: "matmul", params: [Param("other")],
                 doc: "matmul(x, other) or x.matmul(other) is the matrix product x @ other (NumPy rules: 1-d operands are vectors, leading axes broadcast).",
                 global: true) { t, args in try apply(.matmul, t, try args.tensor("other")) },
        compare("eq", .eq, "=="), compare("ne", .ne, "!="),
        compare("lt", .lt, "<"), compare("le", .le, "<="), compare("gt", .gt, ">"), compare("ge", .ge, ">="),

        // Sorting and selection
        TensorOp(name: "sort", params: [Param("axis", default: .number(-1)), Param("descending", default: .bool(false))],
                 doc: "x.sort(axis: -1, descending: false) is the elements sorted along the axis (stable; nan sorts last). sort(tensor) does the same.",
                 global: false) { t, args in try wrap(try translatingErrors { try t.sort(axis: try args.int("axis"), descending: try args.bool("descending")) }) },
        TensorOp(name: "argsort", params: [Param("axis", default: .number(-1)), Param("descending", default: .bool(false))],
                 doc: "argsort(x, axis: -1, descending: false) or x.argsort() is the indices that sort the elements along the axis (stable).",
                 global: true) { t, args in try wrap(try translatingErrors { try t.argsort(axis: try args.int("axis"), descending: try args.bool("descending")) }) },
        TensorOp(name: "topk", params: [Param("k"), Param("axis", default: .number(-1)), Param("largest", default: .bool(true))],
                 doc: "topk(x, k, axis: -1, largest: true) or x.topk(k) is [values, indices] of the k largest (or smallest) elements along the axis, in order.",
                 global: true) { t, args in
            let (v, i) = try translatingErrors { try t.topk(try args.int("k"), axis: try args.int("axis"), largest: try args.bool("largest")) }
            return .list([try wrap(v), try wrap(i)])
        },
        TensorOp(name: "quantile", params: [Param("q"), Param("axis", default: .nil), Param("keepdims", default: .bool(false))],
                 doc: "quantile(x, q, axis: nil, keepdims: false) or x.quantile(q) is the q-th quantile (0 <= q <= 1, linear interpolation as NumPy): a number over the whole tensor, a tensor along an axis.",
                 global: true) { t, args in try wrap(try translatingErrors { try t.quantile(try args.number("q"), axis: try args.optionalInt("axis"), keepdims: try args.bool("keepdims")) }) },
        TensorOp(name: "gather", params: [Param("axis"), Param("index")],
                 doc: "gather(x, axis, index) or x.gather(axis, index) picks along axis by an index tensor of x's rank (PyTorch's gather): out[i][j] = x[index[i][j]][j] for axis 0.",
                 global: true) { t, args in try wrap(try translatingErrors { try t.gather(axis: try args.int("axis"), index: try args.tensor("index")) }) },
        TensorOp(name: "take", params: [Param("indices"), Param("axis", default: .number(0))],
                 doc: "take(x, indices, axis: 0) or x.take(indices) selects positions along an axis (x[[0, 2]] does the same for axis 0).",
                 global: true) { t, args in try wrap(try translatingErrors { try t.take(try args.tensor("indices"), axis: try args.int("axis")) }) },

        // Conversion
        TensorOp(name: "item", params: [], doc: "x.item() is the single element of a one-element tensor, as a number.", global: false) { t, _ in
            .number(asWritten(try translatingErrors { try t.scalarValue() }))
        },
        TensorOp(name: "tolist", params: [], doc: "x.tolist() is the elements as nested lists of numbers (a number for a 0-d tensor).", global: false) { t, _ in
            tensorToList(t)
        },
    ]

}
