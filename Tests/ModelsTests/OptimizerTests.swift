// OptimizerTests: AdamW against a naive Double reference of PyTorch's
// update (decay only where the spec says so, clipping), learning-rate
// schedules, and an exact state round trip.
import Testing
@testable import Models
import TensorCore

#if canImport(Glibc)
import Glibc
#endif

@Suite struct OptimizerTests {
    /// A two-tensor parameter set: "w" decays, "b" does not.
    func params() -> ParameterSet {
        let p = try! ParameterSet(layout: [("w", [3, 4], true), ("b", [5], false)], model: "test")
        let v = randomValues(p.count, seed: 40)
        for i in 0..<p.count { p.values[i] = v[i] }
        return p
    }

    func setGrads(_ p: ParameterSet, seed: UInt64, scale: Double = 1) {
        let g = randomValues(p.count, seed: seed, scale: scale)
        for i in 0..<p.count { p.grads[i] = g[i] }
    }

    @Test func adamWMatchesNaiveReference() throws {
        let p = params()
        let opt = try AdamW(learningRate: 0.01, betas: (0.9, 0.95), epsilon: 1e-8, weightDecay: 0.1, clipNorm: 1.0)
        var ref = (0..<p.count).map { Double(p.values[$0]) }
        var m = [Double](repeating: 0, count: p.count), v = m
        for step in 1...3 {
            setGrads(p, seed: UInt64(step), scale: 2)           // norm ~ 8: clipping active
            var norm = 0.0
            for i in 0..<p.count { norm += Double(p.grads[i]) * Double(p.grads[i]) }
            norm = norm.squareRoot()
            let clip = norm > 1 ? 1 / (norm + 1e-6) : 1
            let (lr, reported) = try opt.update(p)
            #expect(lr == 0.01)
            #expect(abs(Double(reported) - norm) < 1e-5 * norm)
            for i in 0..<p.count {
                let g = Double(p.grads[i]) * clip
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.95 * v[i] + 0.05 * g * g
                let decay = i < 12 ? 0.1 : 0                   // "w" decays, "b" does not
                ref[i] *= 1 - 0.01 * decay
                let mhat = m[i] / (1 - pow(0.9, Double(step)))
                let vhat = v[i] / (1 - pow(0.95, Double(step)))
                ref[i] -= 0.01 * mhat / (vhat.squareRoot() + 1e-8)
            }
        }
        for i in 0..<p.count { #expect(abs(Double(p.values[i]) - ref[i]) < 2e-6) }
        #expect(opt.step == 3)
    }

    @Test func schedulesGiveDocumentedRates() throws {
        #expect(LearningRateSchedule.constant.rate(step: 7, base: 0.5) == 0.5)
        let w = LearningRateSchedule.warmup(steps: 4)
        #expect([0, 1, 3, 10].map { w.rate(step: $0, base: 1) } == [0.25, 0.5, 1, 1])
        let c = LearningRateSchedule.cosine(warmupSteps: 2, totalSteps: 12, floor: 0.1)
        #expect(c.rate(step: 0, base: 1) == 0.5)
        #expect(c.rate(step: 2, base: 1) == 1)
        #expect(abs(c.rate(step: 7, base: 1) - 0.55) < 1e-6)     // halfway: floor + (1 - floor) / 2
        #expect(c.rate(step: 12, base: 1) == 0.1)
        #expect(c.rate(step: 100, base: 1) == 0.1)
        #expect(throws: ModelError.self) { try AdamW(schedule: .cosine(warmupSteps: 5, totalSteps: 2, floor: 0)) }
        #expect(throws: ModelError.self) { try AdamW(learningRate: -1) }
        #expect(throws: ModelError.self) { try AdamW(betas: (1, 0.9)) }
    }

    /// Saving the state (tensors + metadata) and restoring it into a fresh
    /// optimizer continues bit for bit.
    @Test func stateRoundTripIsExact() throws {
        // One run uninterrupted, one saved and restored after 2 steps.
        let q1 = params(), q2 = params()
        let x = try AdamW(learningRate: 0.003, clipNorm: 0.5, schedule: .warmup(steps: 3))
        for s in 1...2 { setGrads(q1, seed: UInt64(s)); try x.update(q1) }
        let tensors = Dictionary(uniqueKeysWithValues: x.stateTensors(for: q1).map { ($0.name, $0.tensor) })
        let meta = x.stateMetadata
        for i in 0..<q1.count { q2.values[i] = q1.values[i] }
        let y = try AdamW()
        try y.restore(metadata: meta, tensors: tensors, for: q2)
        #expect(y.step == 2 && y.clipNorm == 0.5 && y.schedule == .warmup(steps: 3))
        for s in 3...5 {
            setGrads(q1, seed: UInt64(s)); try x.update(q1)
            setGrads(q2, seed: UInt64(s)); try y.update(q2)
        }
        for i in 0..<q1.count { #expect(q1.values[i].bitPattern == q2.values[i].bitPattern) }
        // Missing moments are a clear error.
        var partial = tensors
        partial["optimizer.m.w"] = nil
        #expect(throws: ModelError.self) { try AdamW().restore(metadata: meta, tensors: partial, for: q2) }
        // An optimizer is bound to one parameter count.
        let other = try ParameterSet(layout: [("z", [2], true)], model: "test")
        #expect(throws: ModelError.self) { try x.update(other) }
    }
}
