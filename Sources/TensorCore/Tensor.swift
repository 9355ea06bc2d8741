// Tensor: an n-dimensional array of Float32, row-major, any rank (0-d included).
//
// A Tensor is a view: shared reference storage plus shape, strides and an
// offset (all counted in elements). Views made by transpose, permute, slicing
// and broadcasting share storage and are non-contiguous; kernels that need a
// dense buffer call `contiguous()` first. Mutation goes through
// `withUnsafeMutableBufferPointer`, which copies the storage first when it is
// shared or the view is not dense (copy-on-write), so a Tensor behaves as a
// value everywhere.
//
// Invariants: shape.count == strides.count; every dimension >= 0; every
// element a view can address lies inside its storage.
//
// Where the operations live (each file's header says what stays true there):
//   Creation.swift     Tensor(nested:), zeros/ones/full, arange, linspace, eye, rand/randn
//   Shape.swift        reshape, flatten, transpose, T, permute, squeeze/unsqueeze, concat, stack
//   Indexing.swift     TensorIndex, slice / t[...], item, assign (slices, masks), masked, gather, take
//   Broadcast.swift    broadcastShape, expand(to:), the strided row walker
//   Elementwise.swift  UnaryOp / map, ElementwiseOp / binary, where, clamp, operators (+ - * /, .< .== ...)
//   FastMath.swift     vectorisable exp, expm1, tanh, sigmoid, GELU (erf and tanh forms)
//   Reductions.swift   ReduceOp / reduce (sum mean max min argmax argmin logsumexp), variance/std,
//                      softmax, logSoftmax, cumsum
//   Sorting.swift      sort, argsort, topk, quantile
//   Matmul.swift       matmul (BLAS, batched, transposed views as flags)
//   Printing.swift     description / formatted(PrintOptions)
//   SafeTensors.swift  SafeTensors.read/write/encode/decode, AtomicFile; JSON.swift its reader
// Every user error is a thrown TensorError (TensorError.swift).

/// Heap storage for tensor elements: one 64-byte aligned allocation.
public final class TensorStorage: @unchecked Sendable {
    /// The first element.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of Float elements allocated.
    public let count: Int

    /// Allocates `count` elements, zero-filled.
    public init(count: Int) {
        precondition(count >= 0, "TensorStorage: negative count")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// Allocates `count` elements without initialising them: for kernels that
    /// overwrite every element.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative count")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Storage for `count` uninitialised elements, or nil when the memory
    /// cannot be had (the allocation request is refused, not trapped on).
    public init?(tryUninitializedCount count: Int) {
        guard count >= 0, count <= Int.max / 16 else { return nil }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, Swift.max(count, 1) * MemoryLayout<Float>.stride) == 0, let p = raw else {
            return nil
        }
        self.count = count
        pointer = p.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}

#if canImport(Glibc)
import Glibc
#endif

/// An n-dimensional Float32 array (see the file header for the view model).
public struct Tensor: @unchecked Sendable {
    public private(set) var storage: TensorStorage
    /// Size of each dimension; `[]` for a 0-d scalar.
    public let shape: [Int]
    /// Elements to skip to advance one step along each dimension.
    public let strides: [Int]
    /// Index in `storage` of the element at all-zero indices.
    public let offset: Int

    /// Row-major strides of a dense tensor with this shape.
    @inlinable
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running &*= Swift.max(shape[axis], 1)
        }
        return strides
    }

    /// Number of elements a shape holds, or nil when a dimension is negative
    /// or the product (or its size in bytes) overflows `Int`. The product of
    /// the non-zero dimensions must fit too: strides and the loops over a
    /// zero-element tensor's other axes multiply them ([0, 2^32, 2^32] holds
    /// no element but is rejected).
    public static func elementCount(_ shape: [Int]) -> Int? {
        var total = 1, extent = 1
        for d in shape {
            if d < 0 { return nil }
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            let (e, extentOverflow) = extent.multipliedReportingOverflow(by: Swift.max(d, 1))
            if overflow || extentOverflow || e > Int.max / 16 { return nil }
            total = p
            extent = e
        }
        return total
    }

    /// Storage for a result of `count` elements, or a thrown error naming
    /// `op` when that much memory cannot be allocated.
    public static func allocate(_ count: Int, op: String) throws -> TensorStorage {
        try MemoryBudget.check(count: count, elementSize: MemoryLayout<Float>.stride, what: "a tensor of \(count) elements in \(op)")
        guard let s = TensorStorage(tryUninitializedCount: count) else {
            throw TensorError.invalidArgument(
                op: op, message: "cannot allocate \(count) elements (\(count / 262_144) MB)")
        }
        return s
    }

    /// A view over existing storage. The caller guarantees the invariants.
    public init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// A dense tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) throws {
        guard let n = Tensor.elementCount(shape) else {
            throw TensorError.invalidShape(op: "tensor", shape: shape)
        }
        let s = try Tensor.allocate(n, op: "tensor")
        s.pointer.initialize(repeating: value, count: Swift.max(n, 1))
        self.init(storage: s, shape: shape, strides: Tensor.contiguousStrides(shape), offset: 0)
    }

    /// A dense tensor from row-major values; `values.count` must match the shape.
    public init(shape: [Int], values: [Float]) throws {
        guard let n = Tensor.elementCount(shape) else {
            throw TensorError.invalidShape(op: "tensor", shape: shape)
        }
        guard n == values.count else {
            throw TensorError.invalidArgument(
                op: "tensor", message: "shape \(shape) holds \(n) elements but \(values.count) values were given")
        }
        let s = try Tensor.allocate(n, op: "tensor")
        values.withUnsafeBufferPointer { src in
            if n > 0 { s.pointer.update(from: src.baseAddress!, count: n) }
        }
        self.init(storage: s, shape: shape, strides: Tensor.contiguousStrides(shape), offset: 0)
    }

    /// A dense tensor whose elements the closure writes (it receives a buffer
    /// of exactly `elementCount(shape)` uninitialised elements).
    public init(shape: [Int], unsafeUninitialized fill: (UnsafeMutableBufferPointer<Float>) throws -> Void) throws {
        guard let n = Tensor.elementCount(shape) else {
            throw TensorError.invalidShape(op: "tensor", shape: shape)
        }
        let s = try Tensor.allocate(n, op: "tensor")
        try fill(UnsafeMutableBufferPointer(start: s.pointer, count: n))
        self.init(storage: s, shape: shape, strides: Tensor.contiguousStrides(shape), offset: 0)
    }

    /// A 0-d tensor holding one value.
    public init(scalar: Float) {
        let s = TensorStorage(uninitializedCount: 1)
        s.pointer.initialize(to: scalar)
        self.init(storage: s, shape: [], strides: [], offset: 0)
    }

    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// Number of elements.
    @inlinable public var count: Int { shape.reduce(1, &*) }

    /// True when the elements are laid out densely in row-major order
    /// starting at `offset` (dimensions of size 1 may have any stride).
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            let d = shape[axis]
            if d == 0 { return true }
            if d != 1 && strides[axis] != expected { return false }
            expected &*= d
        }
        return true
    }

    /// The same elements as a dense row-major tensor (self when already dense).
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let n = count
        let s = TensorStorage(uninitializedCount: n)
        copyElements(to: s.pointer)
        return Tensor(storage: s, shape: shape, strides: Tensor.contiguousStrides(shape), offset: 0)
    }

    /// Writes the elements in row-major order to `dst` (which holds `count`).
    public func copyElements(to dst: UnsafeMutablePointer<Float>) {
        let n = count
        if n == 0 { return }
        let src = storage.pointer
        if isContiguous {
            dst.update(from: src + offset, count: n)
            return
        }
        // Walk the index space with an odometer over all but the last axis,
        // copying the last axis as one strided run.
        let r = shape.count
        let inner = shape[r - 1], innerStride = strides[r - 1]
        var index = [Int](repeating: 0, count: r)
        var base = offset
        var out = dst
        while true {
            var p = src + base
            for _ in 0..<inner { out.pointee = p.pointee; out += 1; p += innerStride }
            var axis = r - 2
            while axis >= 0 {
                index[axis] += 1
                base += strides[axis]
                if index[axis] < shape[axis] { break }
                base -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    /// The elements in row-major order.
    public func toArray() -> [Float] {
        let n = count
        return [Float](unsafeUninitializedCapacity: n) { buf, initialized in
            if n > 0 { copyElements(to: buf.baseAddress!) }
            initialized = n
        }
    }

    /// The single element of a tensor that holds exactly one.
    public func scalarValue() throws -> Float {
        guard count == 1 else {
            throw TensorError.invalidArgument(
                op: "item", message: "a tensor of shape \(shape) has \(count) elements, not 1")
        }
        return storage.pointer[offset]
    }

    /// Reads the dense elements. Non-dense views are made dense first.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let t = contiguous()
        return try withExtendedLifetime(t) {
            try body(UnsafeBufferPointer(start: t.storage.pointer + t.offset, count: t.count))
        }
    }

    /// Writes the elements in place, after making the storage unique and dense.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        // Checked on the stored property itself: a local copy of the
        // reference would make the storage look shared every time.
        if !isContiguous || offset != 0 || storage.count != count || !isKnownUniquelyReferenced(&storage) {
            self = Tensor(copying: self)
        }
        return try body(UnsafeMutableBufferPointer(start: storage.pointer + offset, count: count))
    }

    /// A dense, unshared copy.
    public init(copying other: Tensor) {
        let n = other.count
        let s = TensorStorage(uninitializedCount: n)
        other.copyElements(to: s.pointer)
        self.init(storage: s, shape: other.shape, strides: Tensor.contiguousStrides(other.shape), offset: 0)
    }
}
