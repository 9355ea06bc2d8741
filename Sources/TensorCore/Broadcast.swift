// Broadcast: NumPy broadcasting rules, axis normalisation and the strided
// row walker that every general (non-contiguous) kernel path uses.
//
// What stays true here: nothing in this file allocates element storage or
// touches element values; it only computes shapes, strides and offsets.
// Broadcast views give size-1 (or missing) dimensions a stride of 0, so a
// broadcast view never copies. The row walker splits an index space into
// "rows" (all dimensions but the last) and gives the caller each row's
// starting offset in every operand, so inner loops stay simple strided loops.

extension Tensor {
    /// Normalises `axis` (negative counts from the end) for a tensor of `rank`.
    @usableFromInline
    static func normalizeAxis(_ axis: Int, rank: Int, op: String) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < rank else {
            throw TensorError.invalidArgument(
                op: op, message: "axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return a
    }

    /// The shape two operands broadcast to (NumPy rules: align from the right,
    /// sizes must be equal or one of them 1).
    public static func broadcastShape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let r = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            if da == db || db == 1 { out[i] = da }
            else if da == 1 { out[i] = db }
            else {
                throw TensorError.shapeMismatch(
                    op: op, shapes: [a, b],
                    detail: "cannot broadcast: dimension \(i - r) is \(da) and \(db)")
            }
        }
        // [0, n, 1] and [0, 1, n] are each valid, their broadcast may not be.
        guard elementCount(out) != nil else { throw TensorError.invalidShape(op: op, shape: out) }
        return out
    }

    /// Strides that read this tensor as if it had `shape` (which it must
    /// broadcast to): broadcast dimensions get stride 0.
    @usableFromInline
    func broadcastStrides(to target: [Int]) -> [Int] {
        var s = [Int](repeating: 0, count: target.count)
        let lead = target.count - shape.count
        for i in 0..<shape.count { s[lead + i] = shape[i] == 1 ? 0 : strides[i] }
        return s
    }

    /// A view of this tensor broadcast to `shape` (no copy).
    public func expand(to target: [Int]) throws -> Tensor { try expand(to: target, op: "expand") }

    /// `expand(to:)` whose error names the calling op.
    func expand(to target: [Int], op: String) throws -> Tensor {
        let b = try? Tensor.broadcastShape(shape, target, op: op)
        guard b == target else {
            throw TensorError.shapeMismatch(op: op, shapes: [shape, target],
                                            detail: "cannot broadcast \(shape) to \(target)")
        }
        return Tensor(storage: storage, shape: target, strides: broadcastStrides(to: target), offset: offset)
    }
}

/// Walks the rows of a strided index space shared by several operands.
/// `shape` is the common shape; `strides[k]` are operand k's strides (already
/// broadcast); `offsets[k]` its base offset. Dimensions are merged first where
/// every operand allows it, so most walks have one or two dimensions.
@usableFromInline
struct RowWalker {
    @usableFromInline var shape: [Int]
    @usableFromInline var strides: [[Int]]
    @usableFromInline var offsets: [Int]
    /// Length of the innermost dimension (the row length).
    @usableFromInline var inner: Int
    /// Innermost stride of each operand.
    @usableFromInline var innerStrides: [Int]
    /// Number of rows.
    @usableFromInline var rows: Int

    @usableFromInline
    init(shape: [Int], strides: [[Int]], offsets: [Int]) {
        // Drop size-1 dimensions, then merge neighbours that are contiguous
        // with each other in every operand.
        var dims: [Int] = []
        var st: [[Int]] = Array(repeating: [], count: strides.count)
        for i in 0..<shape.count where shape[i] != 1 {
            if !dims.isEmpty,
               (0..<strides.count).allSatisfy({ st[$0][st[$0].count - 1] == strides[$0][i] * shape[i] }) {
                dims[dims.count - 1] *= shape[i]
                for k in 0..<strides.count { st[k][st[k].count - 1] = strides[k][i] }
            } else {
                dims.append(shape[i])
                for k in 0..<strides.count { st[k].append(strides[k][i]) }
            }
        }
        if dims.isEmpty {
            dims = [1]
            for k in 0..<strides.count { st[k] = [0] }
        }
        self.shape = dims
        self.strides = st
        self.offsets = offsets
        self.inner = dims[dims.count - 1]
        self.innerStrides = st.map { $0[$0.count - 1] }
        var r = 1
        for d in dims.dropLast() { r *= d }
        self.rows = dims.contains(0) ? 0 : r
    }

    /// Starting offset of `row` in operand `k`.
    @inlinable
    func rowOffset(_ row: Int, operand k: Int) -> Int {
        var rem = row
        var off = offsets[k]
        var axis = shape.count - 2
        while axis >= 0 {
            let d = shape[axis]
            off += (rem % d) * strides[k][axis]
            rem /= d
            axis -= 1
        }
        return off
    }
}
