// Indexing: NumPy-style basic indexing (integers, ranges with steps,
// negative indices, new axes, ellipsis), assignment into slices, boolean
// masks, gather and take by index tensors.
//
// What stays true here: `slice` returns a view (no copy); assignment is
// copy-on-write (the tensor's storage is made unique and dense before it is
// written, so other tensors sharing it never change); index tensors hold
// integral Float values; every out-of-range index throws with the op, the
// index, the axis and its size.

/// One entry of an index expression `t[...]`.
public enum TensorIndex: Sendable, Equatable {
    /// A single position (negative counts from the end); removes the axis.
    case index(Int)
    /// Python's `start:end:step`; nil parts take their defaults.
    case range(Int?, Int?, Int?)
    /// The whole axis (`:`).
    case all
    /// Inserts a size-1 axis (`None` / `newaxis`).
    case newAxis
    /// As many `.all` as needed to cover the remaining axes (`...`).
    case ellipsis
}

/// Python's slice.indices: (start, count, step) for an axis of `size`.
@usableFromInline
func resolveRange(_ start: Int?, _ end: Int?, _ step: Int?, size: Int, axis: Int) throws -> (Int, Int, Int) {
    let step = step ?? 1
    guard step != 0 else {
        throw TensorError.invalidArgument(op: "index", message: "slice step cannot be 0 (axis \(axis))")
    }
    func norm(_ v: Int?, _ dflt: Int, _ lo: Int, _ hi: Int) -> Int {
        guard var v = v else { return dflt }
        if v < 0 { v = v < Int.min + size ? lo : v + size }
        return Swift.min(Swift.max(v, lo), hi)
    }
    if step > 0 {
        let s = norm(start, 0, 0, size), e = norm(end, size, 0, size)
        let n = e > s ? (e - s - 1) / step + 1 : 0
        return (s, n, step)
    } else {
        let s = norm(start, size - 1, -1, size - 1), e = norm(end, -1, -1, size - 1)
        // (s - e - 1) / -step, written so that step == Int.min cannot overflow.
        let n = s > e ? (s - e - 1) / step * -1 + 1 : 0
        return (s, n, step)
    }
}

extension Tensor {
    /// The view selected by `indices` (see TensorIndex).
    public func slice(_ indices: [TensorIndex]) throws -> Tensor {
        let consuming = indices.filter { $0 != .newAxis && $0 != .ellipsis }.count
        let ellipses = indices.filter { $0 == .ellipsis }.count
        guard ellipses <= 1 else {
            throw TensorError.invalidArgument(op: "index", message: "an index can have only one ellipsis")
        }
        guard consuming <= rank else {
            throw TensorError.invalidArgument(
                op: "index", message: "too many indices (\(consuming)) for a tensor of shape \(shape)")
        }
        var sh: [Int] = [], st: [Int] = []
        var off = offset
        var axis = 0
        func take(_ idx: TensorIndex) throws {
            switch idx {
            case let .index(i):
                let size = shape[axis]
                let j = i < 0 ? i + size : i
                guard j >= 0 && j < size else {
                    throw TensorError.indexOutOfRange(op: "index", index: i, axis: axis, size: size)
                }
                off += j * strides[axis]
                axis += 1
            case let .range(s, e, step):
                let (start, n, stp) = try resolveRange(s, e, step, size: shape[axis], axis: axis)
                if n > 0 { off += start * strides[axis] }
                // With one element or none the stride is never used (and a
                // huge step times the stride could overflow).
                sh.append(n); st.append(n > 1 ? strides[axis] * stp : strides[axis])
                axis += 1
            case .all:
                sh.append(shape[axis]); st.append(strides[axis])
                axis += 1
            case .newAxis:
                sh.append(1); st.append(1)
            case .ellipsis:
                for _ in 0..<(rank - consuming) { try take(.all) }
            }
        }
        for idx in indices { try take(idx) }
        while axis < rank { try take(.all) }
        return Tensor(storage: storage, shape: sh, strides: st, offset: off)
    }

    /// `t[i, 1..., .all]`: the view selected by the indices.
    public subscript(_ indices: TensorIndex...) -> Tensor {
        get throws { try slice(indices) }
    }

    /// The element at integer indices (one per axis; negative counts from the end).
    public func item(_ indices: [Int]) throws -> Float {
        guard indices.count == rank else {
            throw TensorError.invalidArgument(op: "item", message: "\(indices.count) indices for a tensor of shape \(shape)")
        }
        let v = try slice(indices.map { .index($0) })
        return v.storage.pointer[v.offset]
    }

    /// Makes the storage unique and dense (the copy-on-write step before a write).
    public mutating func makeUnique() {
        withUnsafeMutableBufferPointer { _ in }
    }

    /// Writes `value` (broadcast to the selection's shape) into the selection.
    public mutating func assign(_ indices: [TensorIndex], _ value: Tensor) throws {
        let target = try slice(indices)
        _ = try value.expand(to: target.shape)
        // A value that shares our storage is read from a copy, so that
        // overlapping source and destination cannot interfere.
        let source = value.storage === storage ? Tensor(copying: value) : value
        makeUnique()
        let view = try slice(indices)
        let src = try source.expand(to: view.shape)
        Tensor.stridedCopy(from: src, to: view)
    }

    /// Writes `value` into every element of the selection.
    public mutating func assign(_ indices: [TensorIndex], _ value: Float) throws {
        try assign(indices, Tensor(scalar: value))
    }

    /// Copies `src` into the elements addressed by `dst` (same shapes; `dst`
    /// must not overlap itself and its storage must not be shared).
    static func stridedCopy(from src: Tensor, to dst: Tensor) {
        let w = RowWalker(shape: dst.shape, strides: [dst.strides, src.strides], offsets: [dst.offset, src.offset])
        let pd = dst.storage.pointer, ps = src.storage.pointer
        let sd = w.innerStrides[0], ss = w.innerStrides[1]
        withExtendedLifetime((src, dst)) {
            for row in 0..<w.rows {
                var d = pd + w.rowOffset(row, operand: 0)
                var s = ps + w.rowOffset(row, operand: 1)
                for _ in 0..<w.inner { d.pointee = s.pointee; d += sd; s += ss }
            }
        }
    }

    // MARK: - Boolean masks

    /// Checks a mask's shape against the leading axes and returns the
    /// row-major positions (over those axes) where it is nonzero.
    private func maskPositions(_ mask: Tensor, op: String) throws -> [Int] {
        guard mask.rank >= 1, mask.rank <= rank, Array(shape[0..<mask.rank]) == mask.shape else {
            throw TensorError.shapeMismatch(
                op: op, shapes: [shape, mask.shape],
                detail: "a mask must have the shape of the tensor or of its leading axes")
        }
        return mask.withUnsafeBufferPointer { m in
            var pos: [Int] = []
            for i in 0..<m.count where m[i] != 0 { pos.append(i) }
            return pos
        }
    }

    /// The elements (or sub-tensors, for a mask over leading axes) where
    /// `mask` is nonzero, in row-major order: shape [selected] + remaining axes.
    public func masked(_ mask: Tensor) throws -> Tensor {
        let pos = try maskPositions(mask, op: "mask")
        let rest = Array(shape[mask.rank...])
        let block = rest.reduce(1, *)
        let flat = try contiguous().reshape([mask.count, block])
        return try Tensor(shape: [pos.count] + rest) { buf in
            guard let dst = buf.baseAddress else { return }
            withExtendedLifetime(flat) {
                let src = flat.storage.pointer + flat.offset
                for (k, p) in pos.enumerated() { (dst + k * block).update(from: src + p * block, count: block) }
            }
        }
    }

    /// Writes `value` where `mask` is nonzero; `value` broadcasts to the
    /// selection's shape [selected] + remaining axes (a scalar fills it).
    public mutating func assign(mask: Tensor, _ value: Tensor) throws {
        let pos = try maskPositions(mask, op: "mask assign")
        let rest = Array(shape[mask.rank...])
        let block = rest.reduce(1, *)
        let src = try value.expand(to: [pos.count] + rest).contiguous()
        makeUnique()
        let dst = storage.pointer + offset
        withExtendedLifetime(src) {
            let s = src.storage.pointer + src.offset
            for (k, p) in pos.enumerated() { (dst + p * block).update(from: s + k * block, count: block) }
        }
    }

    /// Writes `value` wherever `mask` is nonzero.
    public mutating func assign(mask: Tensor, _ value: Float) throws {
        try assign(mask: mask, Tensor(scalar: value))
    }

    // MARK: - Index tensors

    /// Reads integral Float indices for an axis of `size`, allowing negatives.
    static func integerIndices(_ t: Tensor, size: Int, axis: Int, op: String) throws -> [Int] {
        try t.withUnsafeBufferPointer { buf in
            var out = [Int](repeating: 0, count: buf.count)
            for i in 0..<buf.count {
                let v = buf[i]
                guard v.isFinite, v == v.rounded(), Swift.abs(v) < 9e15 else {
                    throw TensorError.invalidArgument(op: op, message: "index \(v) is not an integer")
                }
                var j = Int(v)
                if j < 0 { j += size }
                guard j >= 0 && j < size else {
                    throw TensorError.indexOutOfRange(op: op, index: Int(v), axis: axis, size: size)
                }
                out[i] = j
            }
            return out
        }
    }

    /// PyTorch's gather: out[i][j][k] = self[index[i][j][k]][j][k] for axis 0
    /// (and likewise for other axes). `index` has this tensor's rank and no
    /// dimension larger than this tensor's, except along `axis`.
    public func gather(axis: Int, index: Tensor) throws -> Tensor {
        let a = try Tensor.normalizeAxis(axis, rank: rank, op: "gather")
        guard index.rank == rank,
              (0..<rank).allSatisfy({ $0 == a || index.shape[$0] <= shape[$0] }) else {
            throw TensorError.shapeMismatch(
                op: "gather", shapes: [shape, index.shape],
                detail: "the index must have the tensor's rank and fit inside it except along axis \(axis)")
        }
        let idx = try Tensor.integerIndices(index, size: shape[a], axis: a, op: "gather")
        let outShape = index.shape
        let outStrides = Tensor.contiguousStrides(outShape)
        let src = storage.pointer
        return try Tensor(shape: outShape) { buf in
            withExtendedLifetime(self) {
                for flat in 0..<buf.count {
                    var rem = flat
                    var off = offset
                    for d in 0..<outShape.count {
                        let i = rem / outStrides[d]
                        rem -= i * outStrides[d]
                        off += (d == a ? idx[flat] : i) * strides[d]
                    }
                    buf[flat] = src[off]
                }
            }
        }
    }

    /// NumPy's take along one axis (PyTorch's index_select for 1-d indices):
    /// the result's shape is shape[..<axis] + indices.shape + shape[axis+1...].
    public func take(_ indices: Tensor, axis: Int = 0) throws -> Tensor {
        let a = try Tensor.normalizeAxis(axis, rank: rank, op: "take")
        let idx = try Tensor.integerIndices(indices, size: shape[a], axis: a, op: "take")
        let c = contiguous()
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        let size = shape[a]
        let outShape = Array(shape[..<a]) + indices.shape + Array(shape[(a + 1)...])
        return try Tensor(shape: outShape) { buf in
            guard let dst = buf.baseAddress else { return }
            withExtendedLifetime(c) {
                let src = c.storage.pointer + c.offset
                var d = dst
                for o in 0..<outer {
                    for j in idx {
                        d.update(from: src + (o * size + j) * inner, count: inner)
                        d += inner
                    }
                }
            }
        }
    }
}
