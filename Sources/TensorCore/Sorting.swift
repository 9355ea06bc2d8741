// Sorting: sort, argsort, topk and quantile along an axis.
//
// What stays true here: the order is total and stable. NaN counts as larger
// than every number (ascending sorts put NaNs last, descending first, as
// PyTorch does), and equal elements keep their original order in both
// directions, so argsort is deterministic on every machine. Indices are
// returned as integral Float tensors. Rows are sorted independently and in
// parallel. quantile interpolates linearly between the two nearest ranks,
// like NumPy's default ("linear", position q * (n - 1)).

extension Tensor {
    /// Permutation sorting each row of `rows` (n per row) into `perm` (Int32).
    static func sortRows(_ src: UnsafePointer<Float>, outer: Int, n: Int, descending: Bool,
                         perm: UnsafeMutablePointer<Int32>) {
        Parallel.forEachChunk(outer, grain: Swift.max(1, 8_192 / Swift.max(n, 1))) { r in
            for o in r {
                let p = src + o * n
                var idx = UnsafeMutableBufferPointer(start: perm + o * n, count: n)
                for i in 0..<n { idx[i] = Int32(i) }
                idx.sort { i, j in
                    let a = p[Int(i)], b = p[Int(j)]
                    let an = a != a, bn = b != b
                    if an || bn {
                        if an && bn { return i < j }
                        return descending ? an : bn     // NaN is the largest
                    }
                    if a == b { return i < j }
                    return descending ? a > b : a < b
                }
            }
        }
    }

    /// Shared part of sort/argsort/topk: sorted values and indices of the
    /// first `k` per row along `axis`, with the axis moved back in place.
    func sorted(axis: Int, descending: Bool, k: Int?, op: String) throws -> (values: Tensor, indices: Tensor) {
        let base = rank == 0 ? try reshape([1]) : self
        let a = try Tensor.normalizeAxis(axis, rank: base.rank, op: op)
        let (rows, outer, n, _, _) = try base.rowsAlong(a, op: op)
        let keep = k ?? n
        guard keep >= 0 && keep <= n else {
            throw TensorError.invalidArgument(op: op, message: "k = \(keep) is out of range for axis \(axis) of size \(n) (shape \(shape))")
        }
        guard n < Int(Int32.max) else {
            throw TensorError.invalidArgument(op: op, message: "axis too long to sort")
        }
        let perm = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(outer * n, 1))
        defer { perm.deallocate() }
        let src = rows.storage.pointer + rows.offset
        withExtendedLifetime(rows) {
            Tensor.sortRows(src, outer: outer, n: n, descending: descending, perm: perm)
        }
        var movedShape = base.shape
        movedShape.remove(at: a)
        movedShape.append(keep)
        let values = try Tensor(shape: movedShape) { buf in
            withExtendedLifetime(rows) {
                for o in 0..<outer { for j in 0..<keep { buf[o * keep + j] = src[o * n + Int(perm[o * n + j])] } }
            }
        }
        let indices = try Tensor(shape: movedShape) { buf in
            for o in 0..<outer { for j in 0..<keep { buf[o * keep + j] = Float(perm[o * n + j]) } }
        }
        func moveBack(_ t: Tensor) throws -> Tensor {
            if rank == 0 { return try t.reshape([]) }
            if a == base.rank - 1 { return t }
            var order = Array(0..<(base.rank - 1))
            order.insert(base.rank - 1, at: a)
            return try t.permute(order).contiguous()
        }
        return (try moveBack(values), try moveBack(indices))
    }

    /// The elements sorted along `axis` (stable; NaN largest).
    public func sort(axis: Int = -1, descending: Bool = false) throws -> Tensor {
        try sorted(axis: axis, descending: descending, k: nil, op: "sort").values
    }

    /// The indices that sort along `axis` (stable; NaN largest).
    public func argsort(axis: Int = -1, descending: Bool = false) throws -> Tensor {
        try sorted(axis: axis, descending: descending, k: nil, op: "argsort").indices
    }

    /// The `k` largest (or smallest) elements along `axis`, in order, with
    /// their indices; ties keep the lower index first.
    public func topk(_ k: Int, axis: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        try sorted(axis: axis, descending: largest, k: k, op: "topk")
    }

    /// The q-th quantile (0 <= q <= 1) along `axis` (all elements when nil),
    /// interpolating linearly between ranks as NumPy's default does.
    /// A row containing NaN gives NaN; an empty row throws.
    public func quantile(_ q: Double, axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
        guard q >= 0 && q <= 1 else {
            throw TensorError.invalidArgument(op: "quantile", message: "q must be in [0, 1], not \(q)")
        }
        let (rows, outer, n, kept, dropped) = try rowsAlong(axis, op: "quantile")
        guard n > 0 || outer == 0 else {
            throw TensorError.invalidArgument(op: "quantile", message: "cannot take a quantile of an empty axis (shape \(shape))")
        }
        let src = rows.storage.pointer + rows.offset
        let outShape = keepdims ? kept : dropped
        let pos = q * Double(n - 1)
        let lo = Swift.max(0, Swift.min(Int(pos.rounded(.down)), n - 1))
        let hi = Swift.min(lo + 1, n - 1)
        let t = pos - Double(lo)
        return try withExtendedLifetime(rows) {
            try Tensor(shape: outShape) { out in
                guard let dst = out.baseAddress, outer > 0 else { return }
                // Each row's values are copied and sorted directly (only the
                // order statistics matter here, not which element was where).
                Parallel.forEachChunk(outer, grain: Swift.max(1, 8_192 / Swift.max(n, 1))) { r in
                    var scratch = [Float](repeating: 0, count: n)
                    scratch.withUnsafeMutableBufferPointer { row in
                        for o in r {
                            let p = src + o * n
                            var hasNaN = false
                            for i in 0..<n { row[i] = p[i]; if p[i] != p[i] { hasNaN = true } }
                            if hasNaN { dst[o] = .nan; continue }
                            row.sort()
                            let a = Double(row[lo]), b = Double(row[hi])
                            // NumPy's lerp: stable at both ends of the interval.
                            dst[o] = Float(t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t))
                        }
                    }
                }
            }
        }
    }
}
