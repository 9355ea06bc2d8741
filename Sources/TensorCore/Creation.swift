// Creation: tensors from nested arrays, constants, ranges, identity matrices
// and seeded random numbers.
//
// What stays true here: every tensor made here is dense and unshared; every
// bad argument (ragged nesting, negative sizes, zero steps, non-finite
// bounds) is a thrown TensorError.
//
// Random values (reproducible on every machine, see Random.swift):
//   rand(shape, seed:)  fills elements in row-major order, each one
//                       `RandomGenerator.nextFloat()`: the top 24 bits of one
//                       64-bit draw times 2^-24, uniform in [0, 1);
//   randn(shape, seed:) fills elements in row-major order, each one
//                       `Float(nextNormal())`: Box-Muller in Double, both
//                       outputs of a pair used in order (two uniform draws
//                       per two elements);
//   the `using:` variants draw from (and advance) a caller's generator; the
//   `seed:` variants start from `RandomGenerator(seed:)`.

/// Numbers nested in lists, as a script or a literal writes them: the input
/// of `Tensor(nested:)`.
public indirect enum NestedArray: Sendable, Equatable, ExpressibleByFloatLiteral,
                                  ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    case number(Double)
    case list([NestedArray])

    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(arrayLiteral elements: NestedArray...) { self = .list(elements) }
}

extension Tensor {
    /// The most dimensions `Tensor(nested:)` accepts (NumPy's limit too), so
    /// that walking a hostile nesting cannot exhaust the stack.
    public static let maxRank = 64

    /// A tensor from nested lists of numbers; every list at one depth must
    /// have the same length (a ragged input throws, naming the path).
    public init(nested: NestedArray) throws {
        // The shape follows the first element at each depth.
        var shape: [Int] = []
        var probe = nested
        while case let .list(items) = probe {
            shape.append(items.count)
            guard let first = items.first else { break }
            probe = first
        }
        guard shape.count <= Tensor.maxRank else {
            throw TensorError.invalidArgument(op: "tensor", message: "nested \(shape.count) deep; at most \(Tensor.maxRank) dimensions")
        }
        guard Tensor.elementCount(shape) != nil else { throw TensorError.invalidShape(op: "tensor", shape: shape) }
        var values: [Float] = []
        values.reserveCapacity(Tensor.elementCount(shape) ?? 0)
        func walk(_ node: NestedArray, depth: Int, path: [Int]) throws {
            switch node {
            case let .number(v):
                guard depth == shape.count else {
                    throw TensorError.invalidArgument(
                        op: "tensor", message: "ragged nested list: a number at \(path) where a list of \(shape[depth]) was expected")
                }
                values.append(Float(v))
            case let .list(items):
                guard depth < shape.count, items.count == shape[depth] else {
                    let expected = depth < shape.count ? "a list of \(shape[depth])" : "a number"
                    throw TensorError.invalidArgument(
                        op: "tensor", message: "ragged nested list: a list of \(items.count) at \(path) where \(expected) was expected")
                }
                for (i, item) in items.enumerated() { try walk(item, depth: depth + 1, path: path + [i]) }
            }
        }
        try walk(nested, depth: 0, path: [])
        try self.init(shape: shape, values: values)
    }

    /// A 1-d tensor of the values.
    public init(_ values: [Float]) {
        let s = TensorStorage(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { s.pointer.update(from: base, count: values.count) }
        }
        self.init(storage: s, shape: [values.count], strides: [1], offset: 0)
    }

    /// A dense tensor of zeros.
    public static func zeros(_ shape: [Int]) throws -> Tensor { try Tensor(shape: shape, repeating: 0) }
    /// A dense tensor of ones.
    public static func ones(_ shape: [Int]) throws -> Tensor { try Tensor(shape: shape, repeating: 1) }
    /// A dense tensor with every element `value`.
    public static func full(_ shape: [Int], _ value: Float) throws -> Tensor {
        try Tensor(shape: shape, repeating: value)
    }
    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor {
        let s = TensorStorage(count: other.count)
        return Tensor(storage: s, shape: other.shape, strides: contiguousStrides(other.shape), offset: 0)
    }

    /// start, start + step, ... up to but excluding `end` (NumPy's arange):
    /// ceil((end - start) / step) elements, each computed as start + i * step.
    public static func arange(_ start: Double, _ end: Double, step: Double = 1) throws -> Tensor {
        guard start.isFinite, end.isFinite, step.isFinite else {
            throw TensorError.invalidArgument(op: "arange", message: "start, end and step must be finite")
        }
        guard step != 0 else { throw TensorError.invalidArgument(op: "arange", message: "step must not be 0") }
        let span = ((end - start) / step).rounded(.up)
        guard span < 1e10 else {
            throw TensorError.invalidArgument(op: "arange", message: "too many elements (\(span))")
        }
        let n = Swift.max(0, Int(span))
        return try Tensor(shape: [n]) { buf in
            for i in 0..<n { buf[i] = Float(start + Double(i) * step) }
        }
    }

    /// 0, 1, ..., end - 1.
    public static func arange(_ end: Int) throws -> Tensor { try arange(0, Double(end)) }

    /// `count` evenly spaced values from start to end, both included.
    public static func linspace(_ start: Double, _ end: Double, count: Int) throws -> Tensor {
        guard count >= 0 else {
            throw TensorError.invalidArgument(op: "linspace", message: "count must be >= 0, not \(count)")
        }
        guard start.isFinite, end.isFinite else {
            throw TensorError.invalidArgument(op: "linspace", message: "start and end must be finite")
        }
        let step = count > 1 ? (end - start) / Double(count - 1) : 0
        return try Tensor(shape: [count]) { buf in
            for i in 0..<count { buf[i] = Float(start + Double(i) * step) }
            if count > 1 { buf[count - 1] = Float(end) }
        }
    }

    /// The identity matrix with `rows` rows and `columns` columns (default square).
    public static func eye(_ rows: Int, _ columns: Int? = nil) throws -> Tensor {
        let cols = columns ?? rows
        var t = try zeros([rows, cols])
        t.withUnsafeMutableBufferPointer { buf in
            for i in 0..<Swift.min(rows, cols) { buf[i * cols + i] = 1 }
        }
        return t
    }

    /// Uniform values in [0, 1) drawn from `generator` (see the file header).
    public static func rand(_ shape: [Int], using generator: inout RandomGenerator) throws -> Tensor {
        try Tensor(shape: shape) { buf in
            for i in 0..<buf.count { buf[i] = generator.nextFloat() }
        }
    }

    /// Standard normal values drawn from `generator` (see the file header).
    public static func randn(_ shape: [Int], using generator: inout RandomGenerator) throws -> Tensor {
        try Tensor(shape: shape) { buf in
            for i in 0..<buf.count { buf[i] = Float(generator.nextNormal()) }
        }
    }

    /// Uniform values in [0, 1) from a fresh generator seeded with `seed`.
    public static func rand(_ shape: [Int], seed: UInt64) throws -> Tensor {
        var g = RandomGenerator(seed: seed)
        return try rand(shape, using: &g)
    }

    /// Standard normal values from a fresh generator seeded with `seed`.
    public static func randn(_ shape: [Int], seed: UInt64) throws -> Tensor {
        var g = RandomGenerator(seed: seed)
        return try randn(shape, using: &g)
    }
}
