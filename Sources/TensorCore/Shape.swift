// Shape: reshape, transpose, permute, squeeze/unsqueeze, flatten, concat
// and stack.
//
// What stays true here: reshape, transpose, T, permute, squeeze and
// unsqueeze return views sharing storage whenever the layout allows (reshape
// of a non-contiguous view copies once, as NumPy does); concat and stack
// always return fresh dense tensors. Every bad shape or axis throws an error
// naming the op and the shapes involved.

extension Tensor {
    /// The same elements in a new shape; one dimension may be -1 (inferred).
    public func reshape(_ newShape: [Int]) throws -> Tensor {
        var target = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1 else {
            throw TensorError.invalidArgument(op: "reshape", message: "only one dimension can be -1, got \(newShape)")
        }
        if let bad = newShape.first(where: { $0 < -1 }) {
            throw TensorError.invalidArgument(op: "reshape", message: "invalid dimension \(bad) in \(newShape)")
        }
        let n = count
        if let i = inferred.first {
            var known = target
            known[i] = 1
            guard let rest = Tensor.elementCount(known) else { throw TensorError.invalidShape(op: "reshape", shape: newShape) }
            guard rest != 0, n % rest == 0 else {
                throw TensorError.shapeMismatch(
                    op: "reshape", shapes: [shape, newShape],
                    detail: "cannot infer -1: \(n) elements do not divide into \(rest)")
            }
            target[i] = n / rest
        }
        guard let m = Tensor.elementCount(target), m == n else {
            throw TensorError.shapeMismatch(
                op: "reshape", shapes: [shape, newShape],
                detail: "\(n) elements cannot take a shape of \(Tensor.elementCount(target).map(String.init) ?? "too many") elements")
        }
        let base = isContiguous ? self : contiguous()
        return Tensor(storage: base.storage, shape: target, strides: Tensor.contiguousStrides(target), offset: base.offset)
    }

    /// A 1-d view (or copy, when not dense) of all elements.
    public func flatten() -> Tensor {
        let base = isContiguous ? self : contiguous()
        return Tensor(storage: base.storage, shape: [count], strides: [1], offset: base.offset)
    }

    /// A view with axes `axis0` and `axis1` swapped.
    public func transpose(_ axis0: Int, _ axis1: Int) throws -> Tensor {
        let a = try Tensor.normalizeAxis(axis0, rank: rank, op: "transpose")
        let b = try Tensor.normalizeAxis(axis1, rank: rank, op: "transpose")
        var sh = shape, st = strides
        sh.swapAt(a, b); st.swapAt(a, b)
        return Tensor(storage: storage, shape: sh, strides: st, offset: offset)
    }

    /// The view with all axes reversed (the matrix transpose for 2-d; NumPy's `.T`).
    public var T: Tensor {
        Tensor(storage: storage, shape: shape.reversed(), strides: strides.reversed(), offset: offset)
    }

    /// A view whose axis i is this tensor's axis `order[i]`.
    public func permute(_ order: [Int]) throws -> Tensor {
        guard order.count == rank else {
            throw TensorError.invalidArgument(op: "permute", message: "order \(order) must list all \(rank) axes of shape \(shape)")
        }
        let axes = try order.map { try Tensor.normalizeAxis($0, rank: rank, op: "permute") }
        guard Set(axes).count == rank else {
            throw TensorError.invalidArgument(op: "permute", message: "order \(order) repeats an axis")
        }
        return Tensor(storage: storage, shape: axes.map { shape[$0] }, strides: axes.map { strides[$0] }, offset: offset)
    }

    /// A view without the size-1 axis `axis`, or without every size-1 axis when nil.
    public func squeeze(axis: Int? = nil) throws -> Tensor {
        if let axis = axis {
            let a = try Tensor.normalizeAxis(axis, rank: rank, op: "squeeze")
            guard shape[a] == 1 else {
                throw TensorError.invalidArgument(op: "squeeze", message: "axis \(axis) of shape \(shape) has size \(shape[a]), not 1")
            }
            var sh = shape, st = strides
            sh.remove(at: a); st.remove(at: a)
            return Tensor(storage: storage, shape: sh, strides: st, offset: offset)
        }
        let keep = shape.indices.filter { shape[$0] != 1 }
        return Tensor(storage: storage, shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, offset: offset)
    }

    /// A view with a new size-1 axis at position `axis` (0...rank; negative counts from the end).
    public func unsqueeze(axis: Int) throws -> Tensor {
        let a = try Tensor.normalizeAxis(axis, rank: rank + 1, op: "unsqueeze")
        var sh = shape, st = strides
        sh.insert(1, at: a)
        st.insert(a < rank ? strides[a] * shape[a] : 1, at: a)
        return Tensor(storage: storage, shape: sh, strides: st, offset: offset)
    }

    /// Joins tensors along an existing axis; the other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw TensorError.invalidArgument(op: "concat", message: "needs at least one tensor")
        }
        guard first.rank > 0 else {
            throw TensorError.invalidArgument(op: "concat", message: "cannot concatenate 0-d tensors (use stack)")
        }
        let a = try normalizeAxis(axis, rank: first.rank, op: "concat")
        var total = 0
        for t in tensors {
            guard t.rank == first.rank,
                  (0..<first.rank).allSatisfy({ $0 == a || t.shape[$0] == first.shape[$0] }) else {
                throw TensorError.shapeMismatch(
                    op: "concat", shapes: [first.shape, t.shape],
                    detail: "all dimensions except axis \(axis) must match")
            }
            let (sum, overflow) = total.addingReportingOverflow(t.shape[a])
            guard !overflow else { throw TensorError.invalidShape(op: "concat", shape: first.shape) }
            total = sum
        }
        var outShape = first.shape
        outShape[a] = total
        guard Tensor.elementCount(outShape) != nil else { throw TensorError.invalidShape(op: "concat", shape: outShape) }
        let outer = first.shape[..<a].reduce(1, *)
        let innerOut = outShape[a...].reduce(1, *)
        return try Tensor(shape: outShape) { buf in
            guard let dst = buf.baseAddress else { return }
            var column = 0
            for t in tensors {
                let c = t.contiguous()
                let block = t.shape[a...].reduce(1, *)
                withExtendedLifetime(c) {
                    let src = c.storage.pointer + c.offset
                    for o in 0..<outer {
                        (dst + o * innerOut + column).update(from: src + o * block, count: block)
                    }
                }
                column += block
            }
        }
    }

    /// Joins same-shaped tensors along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw TensorError.invalidArgument(op: "stack", message: "needs at least one tensor")
        }
        for t in tensors where t.shape != first.shape {
            throw TensorError.shapeMismatch(op: "stack", shapes: [first.shape, t.shape],
                                            detail: "all tensors must have the same shape")
        }
        let a = try normalizeAxis(axis, rank: first.rank + 1, op: "stack")
        return try concat(tensors.map { try $0.unsqueeze(axis: a) }, axis: a)
    }
}
