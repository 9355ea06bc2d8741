// Reductions: sum, mean, max, min, argmax, argmin, var, std, logsumexp over
// one axis or all elements, and the same-shape row functions softmax,
// log_softmax and cumsum.
//
// What stays true here: every reduction runs over rows of a dense buffer
// (the reduced axis moved last and made contiguous, one copy when it is not
// already there), rows are split across workers with Parallel.forEachChunk,
// and sums accumulate in Double (softmax's row sums in Float lanes, their
// values lie in [1, n]). NaN propagates through max/min/sum; argmax/argmin
// return the first extreme (a NaN counts as the extreme, as in NumPy);
// reducing an empty axis with max/min/argmax/argmin throws; sum of nothing
// is 0 and mean of nothing is NaN. Results are fresh dense tensors.

/// What a reduction computes per row.
public enum ReduceOp: String, CaseIterable, Sendable {
    case sum, mean, max, min, argmax, argmin, logsumexp
}

// MARK: - Row kernels

@inline(__always)
func rowSumDouble(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var i = 0
    while i + 4 <= n {
        s0 += Double(p[i]); s1 += Double(p[i + 1]); s2 += Double(p[i + 2]); s3 += Double(p[i + 3])
        i += 4
    }
    while i < n { s0 += Double(p[i]); i += 1 }
    return (s0 + s1) + (s2 + s3)
}

@inline(__always)
func rowSumFloat(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= n {
        acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < n { s += p[i]; i += 1 }
    return s
}

/// The largest element (NaN if any element is NaN); n > 0.
@inline(__always)
func rowMax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var i = 0
    var m = -Float.infinity
    var nan = false
    if n >= 8 {
        let raw = UnsafeRawPointer(p)
        var acc = SIMD8<Float>(repeating: -.infinity)
        var nanLanes = SIMDMask<SIMD8<Int32>>(repeating: false)
        while i + 8 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc.replace(with: v, where: v .> acc)
            nanLanes .|= v .!= v
            i += 8
        }
        m = acc.max()
        nan = any(nanLanes)
    }
    while i < n {
        let v = p[i]
        if v > m { m = v }
        if v != v { nan = true }
        i += 1
    }
    return nan ? .nan : m
}

/// The smallest element (NaN if any element is NaN); n > 0.
@inline(__always)
func rowMin(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = Float.infinity
    var nan = false
    for i in 0..<n {
        let v = p[i]
        if v < m { m = v }
        if v != v { nan = true }
    }
    return nan ? .nan : m
}

extension Tensor {
    /// This tensor as dense rows along `axis` (moved last): (rows tensor, row
    /// count, row length, result shape with and without keepdims).
    func rowsAlong(_ axis: Int?, op: String) throws
        -> (rows: Tensor, outer: Int, n: Int, kept: [Int], dropped: [Int]) {
        guard let axis = axis else {
            let c = contiguous()
            return (c, 1, count, [Int](repeating: 1, count: rank), [])
        }
        let a = try Tensor.normalizeAxis(axis, rank: rank, op: op)
        var order = Array(0..<rank)
        order.remove(at: a)
        order.append(a)
        let moved = a == rank - 1 ? self : try permute(order)
        let c = moved.contiguous()
        var kept = shape
        kept[a] = 1
        var dropped = shape
        dropped.remove(at: a)
        return (c, shape[a] == 0 ? dropped.reduce(1, *) : c.count / shape[a], shape[a], kept, dropped)
    }

    /// Reduces along `axis` (all elements when nil), keeping a size-1 axis
    /// when `keepdims`.
    public func reduce(_ op: ReduceOp, axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
        let (rows, outer, n, kept, dropped) = try rowsAlong(axis, op: op.rawValue)
        if n == 0 && op != .sum && op != .mean && op != .logsumexp && outer > 0 {
            throw TensorError.invalidArgument(
                op: op.rawValue, message: "cannot reduce an empty axis (shape \(shape))")
        }
        let outShape = keepdims ? kept : dropped
        let out = TensorStorage(uninitializedCount: outer)
        let dst = out.pointer
        let src = rows.storage.pointer + rows.offset
        withExtendedLifetime(rows) {
            Parallel.forEachChunk(outer, grain: Swift.max(1, 65_536 / Swift.max(n, 1))) { r in
                for o in r {
                    let p = src + o * n
                    switch op {
                    case .sum: dst[o] = Float(rowSumDouble(p, n))
                    case .mean: dst[o] = Float(rowSumDouble(p, n) / Double(n))
                    case .max: dst[o] = rowMax(p, n)
                    case .min: dst[o] = rowMin(p, n)
                    case .argmax, .argmin:
                        var best = 0
                        var bv = p[0]
                        if bv == bv {
                            for i in 1..<Swift.max(n, 1) {
                                let v = p[i]
                                if v != v { best = i; break }
                                if op == .argmax ? v > bv : v < bv { bv = v; best = i }
                            }
                        }
                        dst[o] = Float(best)
                    case .logsumexp:
                        if n == 0 { dst[o] = -.infinity; continue }
                        let m = rowMax(p, n)
                        if !m.isFinite { dst[o] = m == -.infinity ? -.infinity : m; continue }
                        var s = 0.0
                        for i in 0..<n { s += Double(fastExp(p[i] - m)) }
                        dst[o] = m + Float(_log(s))
                    }
                }
            }
        }
        return Tensor(storage: out, shape: outShape, strides: Tensor.contiguousStrides(outShape), offset: 0)
    }

    public func sum(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor { try reduce(.sum, axis: axis, keepdims: keepdims) }
    public func mean(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor { try reduce(.mean, axis: axis, keepdims: keepdims) }
    public func max(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor { try reduce(.max, axis: axis, keepdims: keepdims) }
    public func min(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor { try reduce(.min, axis: axis, keepdims: keepdims) }
    /// Index of the first largest element (along `axis`, or in row-major order when nil).
    public func argmax(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor { try reduce(.argmax, axis: axis, keepdims: keepdims) }
    /// Index of the first smallest element (along `axis`, or in row-major order when nil).
    public func argmin(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor { try reduce(.argmin, axis: axis, keepdims: keepdims) }
    /// log(sum(exp(x))) computed stably (the row maximum is taken out first).
    public func logsumexp(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor { try reduce(.logsumexp, axis: axis, keepdims: keepdims) }

    /// Variance with `correction` subtracted from the count (0: population, 1: sample).
    /// NaN when count - correction <= 0.
    public func variance(axis: Int? = nil, correction: Int = 0, keepdims: Bool = false) throws -> Tensor {
        let (rows, outer, n, kept, dropped) = try rowsAlong(axis, op: "var")
        let outShape = keepdims ? kept : dropped
        let out = TensorStorage(uninitializedCount: outer)
        let dst = out.pointer
        let src = rows.storage.pointer + rows.offset
        let denominator = Double(n - correction)
        withExtendedLifetime(rows) {
            Parallel.forEachChunk(outer, grain: Swift.max(1, 65_536 / Swift.max(n, 1))) { r in
                for o in r {
                    let p = src + o * n
                    let mean = rowSumDouble(p, n) / Double(n)
                    var s = 0.0
                    for i in 0..<n { let d = Double(p[i]) - mean; s += d * d }
                    dst[o] = denominator > 0 ? Float(s / denominator) : .nan
                }
            }
        }
        return Tensor(storage: out, shape: outShape, strides: Tensor.contiguousStrides(outShape), offset: 0)
    }

    /// Standard deviation (the square root of `variance`).
    public func std(axis: Int? = nil, correction: Int = 0, keepdims: Bool = false) throws -> Tensor {
        try variance(axis: axis, correction: correction, keepdims: keepdims).map(.sqrt)
    }

    // MARK: - Same-shape row functions

    /// Which same-shape function `rowFunction` computes.
    enum RowFunction { case softmax, logSoftmax, cumsum }

    /// Applies a row function along `axis` and returns a tensor of this shape.
    func rowFunction(_ f: RowFunction, axis: Int, op: String) throws -> Tensor {
        let a = try Tensor.normalizeAxis(axis, rank: Swift.max(rank, 1), op: op)
        let base = rank == 0 ? try reshape([1]) : self
        let (rows, outer, n, _, _) = try base.rowsAlong(a, op: op)
        let out = TensorStorage(uninitializedCount: rows.count)
        let dst = out.pointer
        let src = rows.storage.pointer + rows.offset
        withExtendedLifetime(rows) {
            Parallel.forEachChunk(outer, grain: Swift.max(1, 16_384 / Swift.max(n, 1))) { r in
                for o in r {
                    let p = src + o * n, q = dst + o * n
                    switch f {
                    case .softmax:
                        let m = rowMax(p, n)
                        let shift = m.isFinite ? m : 0
                        for i in 0..<n { q[i] = fastExp(p[i] - shift) }
                        let inv = 1 / rowSumFloat(q, n)
                        for i in 0..<n { q[i] *= inv }
                    case .logSoftmax:
                        let m = rowMax(p, n)
                        let shift = m.isFinite ? m : 0
                        for i in 0..<n { q[i] = fastExp(p[i] - shift) }
                        let lse = shift + Float(_log(Double(rowSumFloat(q, n))))
                        for i in 0..<n { q[i] = p[i] - lse }
                    case .cumsum:
                        var s = 0.0
                        for i in 0..<n { s += Double(p[i]); q[i] = Float(s) }
                    }
                }
            }
        }
        // Rows were laid out with the axis last; move it back.
        var movedShape = base.shape
        let size = movedShape.remove(at: a)
        movedShape.append(size)
        let moved = Tensor(storage: out, shape: movedShape, strides: Tensor.contiguousStrides(movedShape), offset: 0)
        if a == base.rank - 1 { return rank == 0 ? try moved.reshape([]) : moved }
        var order = Array(0..<(base.rank - 1))
        order.insert(base.rank - 1, at: a)
        return try moved.permute(order).contiguous()
    }

    /// exp(x) / sum(exp(x)) along `axis` (max subtracted first).
    public func softmax(axis: Int = -1) throws -> Tensor { try rowFunction(.softmax, axis: axis, op: "softmax") }
    /// x - logsumexp(x) along `axis`.
    public func logSoftmax(axis: Int = -1) throws -> Tensor { try rowFunction(.logSoftmax, axis: axis, op: "log_softmax") }
    /// Running sums along `axis` (all elements in row-major order when nil, giving a 1-d result).
    public func cumsum(axis: Int? = nil) throws -> Tensor {
        guard let axis = axis else { return try flatten().rowFunction(.cumsum, axis: 0, op: "cumsum") }
        return try rowFunction(.cumsum, axis: axis, op: "cumsum")
    }
}
