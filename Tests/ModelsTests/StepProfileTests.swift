// StepProfileTests: profiling a GPT step changes no result and charges
// every part of the step; the FMA peak loop measures something positive.
import Testing
@testable import Models
import TensorCore

@Suite(.serialized) struct StepProfileTests {
    @Test func profilingChangesNoResultAndChargesEveryPart() throws {
        let cfg = GPTConfig(layers: 2, heads: 2, dim: 16, context: 8, vocab: 13)
        let batch = try TokenBatch(inputs: tokens(32, vocab: 13, seed: 3), targets: tokens(32, vocab: 13, seed: 4),
                                   batchSize: 4, sequenceLength: 8)
        func train(profiled: Bool) throws -> [UInt32] {
            let m = try GPT(config: cfg, seed: 7)
            let opt = try AdamW(learningRate: 1e-2)
            StepProfile.reset()
            StepProfile.isOn = profiled
            defer { StepProfile.isOn = false }
            var bits: [UInt32] = []
            for _ in 0..<3 {
                let loss = try m.computeGradients(batch)
                _ = try StepProfile.time(.optimizer) { try opt.update(m.parameters) }
                bits.append(loss.mean.bitPattern)
            }
            return bits + [m.parameters.values[5].bitPattern, m.parameters.values[m.parameters.count - 1].bitPattern]
        }
        let plain = try train(profiled: false)
        #expect(StepProfile.snapshot().allSatisfy { $0.totals.calls == 0 })
        let profiled = try train(profiled: true)
        #expect(plain == profiled)
        for (part, t) in StepProfile.snapshot() {
            #expect(t.calls > 0 && t.wall > 0, "\(part.label)")
        }
        // 3 steps x (2 layers x 4 linear forwards + 4 linear backwards, plus the LM head's 2)
        let matmul = StepProfile.snapshot().first { $0.part == .matmul }!.totals
        #expect(matmul.calls == 3 * (2 * 8 + 2))
    }

    @Test func fmaPeakIsPositiveWhenTheCPUHasFMA() {
        let peak = ModelKernels.fmaPeak(threads: 1, rounds: 1, iterations: 200_000)
        if ModelKernels.fmaWidth > 0 { #expect(peak > 1) } else { #expect(peak == 0) }
    }
}
