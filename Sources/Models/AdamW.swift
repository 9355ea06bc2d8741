// AdamW: the optimizer (decoupled weight decay, Loshchilov & Hutter), global
// gradient-norm clipping and learning-rate schedules.
//
// What stays true: the update follows torch.optim.AdamW's arithmetic
// (decay p *= 1 - lr*wd first; denom = sqrt(v)/sqrt(1-b2^t) + eps; step
// lr/(1-b1^t)), so a golden comparison with PyTorch can be tight. Weight
// decay applies only to tensors whose WeightSpec says `decay` (matrices
// and embeddings, as nanoGPT; never biases or LayerNorm gains). The state
// (m, v, step, hyper-parameters) round-trips exactly through
// `stateTensors`/`restore`, so a resumed run is bit-identical.
import TensorCore
import CKernels

#if canImport(Glibc)
import Glibc
#endif

/// A learning rate as a function of the update index s = 0, 1, 2, ...
public enum LearningRateSchedule: Equatable, Sendable {
    /// The base rate at every step.
    case constant
    /// Linear warm-up: base * (s + 1) / steps for s < steps, then base.
    case warmup(steps: Int)
    /// Linear warm-up over `warmupSteps`, then cosine decay from base to
    /// `floor` (an absolute rate) at `totalSteps`, then `floor`.
    case cosine(warmupSteps: Int, totalSteps: Int, floor: Float)

    /// The rate for update index `s` (0-based) given the base rate.
    public func rate(step s: Int, base: Float) -> Float {
        switch self {
        case .constant:
            return base
        case let .warmup(steps):
            return s < steps ? base * Float(s + 1) / Float(steps) : base
        case let .cosine(warmupSteps, totalSteps, floor):
            if s < warmupSteps { return base * Float(s + 1) / Float(warmupSteps) }
            if s >= totalSteps { return floor }
            let progress = Double(s - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
            let c = 0.5 * (1 + cos(Double.pi * progress))
            return floor + Float(c) * (base - floor)
        }
    }

    /// Checks the schedule's numbers.
    public func validate() throws {
        switch self {
        case .constant: return
        case let .warmup(steps):
            if steps < 1 { throw ModelError.invalidArgument(op: "lr schedule", message: "warm-up steps must be >= 1, got \(steps)") }
        case let .cosine(w, total, floor):
            if w < 0 || total < 1 || w > total {
                throw ModelError.invalidArgument(
                    op: "lr schedule", message: "cosine needs 0 <= warm-up (\(w)) <= total steps (\(total)) and total >= 1")
            }
            if !(floor >= 0) { throw ModelError.invalidArgument(op: "lr schedule", message: "floor must be >= 0, got \(floor)") }
        }
    }
}

/// AdamW with optional global-norm clipping and a learning-rate schedule.
public final class AdamW {
    /// Base learning rate (the schedule scales it).
    public var learningRate: Float
    /// Exponential decay of the first moment (nanoGPT: 0.9).
    public var beta1: Float
    /// Exponential decay of the second moment (nanoGPT: 0.95).
    public var beta2: Float
    /// Added to the denominator (PyTorch default 1e-8).
    public var epsilon: Float
    /// Decoupled weight decay (nanoGPT: 0.1), on decaying tensors only.
    public var weightDecay: Float
    /// Clip the global gradient norm to this value (nil: no clipping).
    public var clipNorm: Float?
    /// Learning-rate schedule over the update index.
    public var schedule: LearningRateSchedule
    /// Updates done so far.
    public private(set) var step: Int = 0

    /// First and second moments (allocated on the first update; count = parameters).
    private var m: UnsafeMutablePointer<Float>?
    private var v: UnsafeMutablePointer<Float>?
    private var stateCount = 0

    public init(learningRate: Float = 3e-4, betas: (Float, Float) = (0.9, 0.95), epsilon: Float = 1e-8,
                weightDecay: Float = 0.1, clipNorm: Float? = 1.0, schedule: LearningRateSchedule = .constant) throws {
        guard learningRate >= 0, learningRate.isFinite else {
            throw ModelError.invalidArgument(op: "adamw", message: "learning rate must be a finite number >= 0, got \(learningRate)")
        }
        guard (0..<1).contains(betas.0), (0..<1).contains(betas.1) else {
            throw ModelError.invalidArgument(op: "adamw", message: "betas must be in [0, 1), got (\(betas.0), \(betas.1))")
        }
        guard epsilon > 0, weightDecay >= 0 else {
            throw ModelError.invalidArgument(op: "adamw", message: "epsilon must be > 0 and weight decay >= 0 (got \(epsilon), \(weightDecay))")
        }
        if let c = clipNorm, !(c > 0) {
            throw ModelError.invalidArgument(op: "adamw", message: "clip norm must be > 0, got \(c)")
        }
        try schedule.validate()
        self.learningRate = learningRate
        self.beta1 = betas.0
        self.beta2 = betas.1
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
        self.schedule = schedule
    }

    deinit {
        m?.deallocate()
        v?.deallocate()
    }

    /// The rate the next update will use.
    public var currentLearningRate: Float { schedule.rate(step: step, base: learningRate) }

    private func ensureState(_ count: Int) throws {
        if let _ = m {
            guard stateCount == count else {
                throw ModelError.invalidArgument(
                    op: "adamw", message: "this optimizer holds state for \(stateCount) parameters but the model has \(count); use a fresh optimizer per model")
            }
            return
        }
        let mm = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        mm.initialize(repeating: 0, count: max(count, 1))
        let vv = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        vv.initialize(repeating: 0, count: max(count, 1))
        m = mm
        v = vv
        stateCount = count
    }

    /// Applies one update from `parameters.grads`; returns the rate used and
    /// the global gradient norm before clipping.
    @discardableResult
    public func update(_ parameters: ParameterSet) throws -> (learningRate: Float, gradientNorm: Float) {
        try ensureState(parameters.count)
        guard let m, let v else { return (0, 0) }
        let norm = Float(parameters.gradientSquaredNorm().squareRoot())
        var gscale: Float = 1
        if let c = clipNorm, norm > c { gscale = c / (norm + 1e-6) }
        let lr = schedule.rate(step: step, base: learningRate)
        step += 1
        let t = Float(step)
        let b1 = beta1, b2 = beta2, eps = epsilon
        let bc1 = 1 - powf(b1, t)
        let bc2sqrt = (1 - powf(b2, t)).squareRoot()
        let stepSize = lr / bc1
        let decayFactor = 1 - lr * weightDecay
        let p = parameters.values, g = parameters.grads
        // Ranges of the buffer with their decay flag (specs tile the buffer).
        let ranges = parameters.specs.map { ($0.offset, $0.offset + $0.count, $0.decay) }
        Parallel.forEachChunk(parameters.count, grain: 32_768) { chunk in
            for (lo, hi, decays) in ranges {
                let a = max(lo, chunk.lowerBound), b = min(hi, chunk.upperBound)
                if a >= b { continue }
                // One C kernel (CKernels); it runs a short tail through the
                // same vector code, so a value's update does not depend on
                // where the chunk boundaries fall.
                lfr_adamw(p + a, g + a, m + a, v + a, b - a, gscale, b1, b2, eps, stepSize, bc2sqrt,
                          decays ? decayFactor : 1)
            }
        }
        return (lr, norm)
    }

    /// Forgets the moments and the step count.
    public func reset() {
        m?.deallocate(); v?.deallocate()
        m = nil; v = nil; stateCount = 0; step = 0
    }

    // MARK: - Saving and restoring the state exactly

    /// The moments as tensors named `optimizer.m.<param>` / `optimizer.v.<param>`
    /// (empty before the first update).
    public func stateTensors(for parameters: ParameterSet) -> [(name: String, tensor: Tensor)] {
        guard let m, let v, stateCount == parameters.count else { return [] }
        var out: [(name: String, tensor: Tensor)] = []
        for s in parameters.specs {
            for (prefix, buf) in [("optimizer.m.", m), ("optimizer.v.", v)] {
                let st = TensorStorage(uninitializedCount: s.count)
                st.pointer.update(from: buf + s.offset, count: s.count)
                out.append((prefix + s.name, Tensor(storage: st, shape: s.shape,
                                                    strides: Tensor.contiguousStrides(s.shape), offset: 0)))
            }
        }
        return out
    }

    /// Step count and hyper-parameters as strings (Floats by bit pattern, so
    /// they round-trip exactly).
    public var stateMetadata: [String: String] {
        var d: [String: String] = [
            "optimizer": "adamw",
            "optimizer.step": String(step),
            "optimizer.lr": hex(learningRate),
            "optimizer.beta1": hex(beta1),
            "optimizer.beta2": hex(beta2),
            "optimizer.eps": hex(epsilon),
            "optimizer.weight_decay": hex(weightDecay),
            "optimizer.schedule": AdamW.encode(schedule),
        ]
        if let c = clipNorm { d["optimizer.clip"] = hex(c) }
        return d
    }

    /// Restores the state written by `stateTensors` and `stateMetadata`.
    public func restore(metadata: [String: String], tensors: [String: Tensor], for parameters: ParameterSet) throws {
        func need(_ key: String) throws -> String {
            guard let s = metadata[key] else {
                throw ModelError.invalidArgument(op: "restore optimizer", message: "metadata has no \(key)")
            }
            return s
        }
        func float(_ key: String) throws -> Float {
            let s = try need(key)
            guard let bits = UInt32(s, radix: 16) else {
                throw ModelError.invalidArgument(op: "restore optimizer", message: "\(key) = \(s) is not a hex Float bit pattern")
            }
            return Float(bitPattern: bits)
        }
        guard let stepCount = Int(try need("optimizer.step")), stepCount >= 0 else {
            throw ModelError.invalidArgument(op: "restore optimizer", message: "optimizer.step is not a count")
        }
        let lr = try float("optimizer.lr"), b1 = try float("optimizer.beta1"), b2 = try float("optimizer.beta2")
        let eps = try float("optimizer.eps"), wd = try float("optimizer.weight_decay")
        let clip = metadata["optimizer.clip"] == nil ? nil : try float("optimizer.clip")
        let sched = try AdamW.decode(try need("optimizer.schedule"))
        // Moments: all present (after step >= 1) or none (before the first update).
        reset()
        if stepCount > 0 {
            try ensureState(parameters.count)
            for s in parameters.specs {
                for (prefix, buf) in [("optimizer.m.", m), ("optimizer.v.", v)] {
                    guard let buf, let t = tensors[prefix + s.name] else {
                        throw ModelError.invalidArgument(op: "restore optimizer", message: "missing tensor \(prefix + s.name)")
                    }
                    guard t.shape == s.shape else {
                        throw ModelError.invalidArgument(
                            op: "restore optimizer", message: "\(prefix + s.name) has shape \(t.shape), the model needs \(s.shape)")
                    }
                    t.withUnsafeBufferPointer { src in
                        if s.count > 0 { (buf + s.offset).update(from: src.baseAddress!, count: s.count) }
                    }
                }
            }
        }
        learningRate = lr; beta1 = b1; beta2 = b2; epsilon = eps; weightDecay = wd
        clipNorm = clip; schedule = sched; step = stepCount
    }

    private func hex(_ x: Float) -> String { String(x.bitPattern, radix: 16) }

    static func encode(_ s: LearningRateSchedule) -> String {
        switch s {
        case .constant: return "constant"
        case let .warmup(n): return "warmup:\(n)"
        case let .cosine(w, t, f): return "cosine:\(w):\(t):\(String(f.bitPattern, radix: 16))"
        }
    }

    static func decode(_ s: String) throws -> LearningRateSchedule {
        let parts = s.split(separator: ":").map(String.init)
        switch (parts.first, parts.count) {
        case ("constant", 1): return .constant
        case ("warmup", 2): if let n = Int(parts[1]) { return .warmup(steps: n) }
        case ("cosine", 4):
            if let w = Int(parts[1]), let t = Int(parts[2]), let b = UInt32(parts[3], radix: 16) {
                return .cosine(warmupSteps: w, totalSteps: t, floor: Float(bitPattern: b))
            }
        default: break
        }
        throw ModelError.invalidArgument(op: "restore optimizer", message: "unknown learning-rate schedule \(s)")
    }
}
