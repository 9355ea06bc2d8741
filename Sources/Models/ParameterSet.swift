// ParameterSet: the named parameters of a model and their gradients, each
// carved from ONE allocation (llm.c style), in a fixed documented order.
//
// What stays true: `values` and `grads` each hold exactly `count` Floats;
// every spec's [offset, offset + elementCount) range lies inside them and
// the ranges tile the buffer in spec order without gaps. Names follow
// nanoGPT's state_dict keys where the model has a nanoGPT counterpart.
import TensorCore

/// One named parameter tensor inside a ParameterSet.
public struct WeightSpec: Equatable, Sendable {
    /// nanoGPT-style name, e.g. `transformer.h.0.attn.c_attn.weight`.
    public let name: String
    /// Row-major shape; Linear weights are [out, in] as in PyTorch.
    public let shape: [Int]
    /// First element inside the flat buffer.
    public let offset: Int
    /// Whether AdamW applies weight decay (matrices and embeddings: yes;
    /// biases and LayerNorm gains: no).
    public let decay: Bool
    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
}

/// The flat parameter and gradient buffers of one model.
public final class ParameterSet: @unchecked Sendable {
    /// The tensors, in buffer order.
    public let specs: [WeightSpec]
    /// Total number of parameters.
    public let count: Int
    /// All parameter values (count).
    public let values: UnsafeMutablePointer<Float>
    /// All gradients (count), accumulated by backward passes.
    public let grads: UnsafeMutablePointer<Float>

    /// Lays the named shapes out one after another, zero-filled, after
    /// checking that the values, the gradients and AdamW's two moments
    /// (4 Floats per parameter) fit in the memory available.
    convenience init(layout: [(name: String, shape: [Int], decay: Bool)], model: String) throws {
        var total = 0
        for entry in layout {
            guard let n = Tensor.elementCount(entry.shape) else {
                throw ModelError.invalidConfig(model: model, message: "tensor \(entry.name) of shape \(entry.shape) is too large")
            }
            let (sum, overflow) = total.addingReportingOverflow(n)
            guard !overflow, sum <= Int.max / 16 else {
                throw ModelError.invalidConfig(model: model, message: "too many parameters to count")
            }
            total = sum
        }
        do {
            try MemoryBudget.check(count: total, elementSize: 16,
                                   what: "a \(model) of \(total) parameters (values, gradients, AdamW moments)")
        } catch let e as TensorError {
            throw ModelError.invalidConfig(model: model, message: e.description)
        }
        self.init(unchecked: layout)
    }

    /// Lays the named shapes out one after another, zero-filled.
    private init(unchecked layout: [(name: String, shape: [Int], decay: Bool)]) {
        var specs: [WeightSpec] = []
        var offset = 0
        for entry in layout {
            let spec = WeightSpec(name: entry.name, shape: entry.shape, offset: offset, decay: entry.decay)
            specs.append(spec)
            offset += spec.count
        }
        self.specs = specs
        self.count = offset
        values = .allocate(capacity: max(offset, 1))
        values.initialize(repeating: 0, count: max(offset, 1))
        grads = .allocate(capacity: max(offset, 1))
        grads.initialize(repeating: 0, count: max(offset, 1))
    }

    deinit {
        values.deallocate()
        grads.deallocate()
    }

    /// A deep copy (values and gradients).
    func copy() -> ParameterSet {
        let p = ParameterSet(unchecked: specs.map { ($0.name, $0.shape, $0.decay) })
        p.values.update(from: values, count: count)
        p.grads.update(from: grads, count: count)
        return p
    }

    /// Sets every gradient to zero.
    public func zeroGrads() { grads.update(repeating: 0, count: count) }

    /// The spec with this name, if any.
    public func spec(named name: String) -> WeightSpec? { specs.first { $0.name == name } }

    /// Pointer to the values of a named tensor (internal: names are fixed by the model).
    func pointer(_ name: String) -> UnsafeMutablePointer<Float> {
        guard let s = spec(named: name) else { preconditionFailure("ParameterSet: no tensor \(name) (model bug)") }
        return values + s.offset
    }

    /// Pointer to the gradients of a named tensor.
    func gradPointer(_ name: String) -> UnsafeMutablePointer<Float> {
        guard let s = spec(named: name) else { preconditionFailure("ParameterSet: no tensor \(name) (model bug)") }
        return grads + s.offset
    }

    /// A copy of one parameter tensor's values as a Tensor.
    public func tensor(_ spec: WeightSpec) -> Tensor {
        let s = TensorStorage(uninitializedCount: spec.count)
        s.pointer.update(from: values + spec.offset, count: spec.count)
        return Tensor(storage: s, shape: spec.shape, strides: Tensor.contiguousStrides(spec.shape), offset: 0)
    }

    /// A copy of one parameter tensor's gradient as a Tensor.
    public func gradient(_ spec: WeightSpec) -> Tensor {
        let s = TensorStorage(uninitializedCount: spec.count)
        s.pointer.update(from: grads + spec.offset, count: spec.count)
        return Tensor(storage: s, shape: spec.shape, strides: Tensor.contiguousStrides(spec.shape), offset: 0)
    }

    /// Every parameter as (name, tensor), in buffer order.
    public var named: [(name: String, tensor: Tensor)] { specs.map { ($0.name, tensor($0)) } }

    /// Overwrites one tensor's values; the shape must match exactly.
    public func set(_ name: String, from t: Tensor) throws {
        guard let s = spec(named: name) else {
            throw ModelError.invalidArgument(op: "set parameter", message: "the model has no parameter named \(name)")
        }
        guard t.shape == s.shape else {
            throw ModelError.invalidArgument(
                op: "set parameter", message: "\(name) has shape \(s.shape) but the tensor has shape \(t.shape)")
        }
        t.withUnsafeBufferPointer { src in
            if s.count > 0 { (values + s.offset).update(from: src.baseAddress!, count: s.count) }
        }
    }

    /// Sum of squared gradients, in Double, over fixed 64Ki-element chunks
    /// summed in order (so it does not depend on the worker count).
    public func gradientSquaredNorm() -> Double {
        let chunk = 65_536
        let chunks = (count + chunk - 1) / chunk
        var partial = [Double](repeating: 0, count: max(chunks, 1))
        let g = grads
        partial.withUnsafeMutableBufferPointer { out in
            Parallel.forEachChunk(chunks, grain: 4) { range in
                for c in range {
                    var s8 = SIMD8<Float>()
                    var s: Double = 0
                    let lo = c * chunk, hi = min(count, lo + chunk)
                    var i = lo
                    let raw = UnsafeRawPointer(g)
                    while i + 8 <= hi {
                        let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                        s8 += v * v
                        i += 8
                        if (i - lo) % 1024 == 0 { s += Double(s8.sum()); s8 = SIMD8<Float>() }
                    }
                    s += Double(s8.sum())
                    while i < hi { s += Double(g[i]) * Double(g[i]); i += 1 }
                    out[c] = s
                }
            }
        }
        return partial.reduce(0, +)
    }
}
