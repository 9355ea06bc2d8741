// SchedulesBench: the cost of LFR's bookkeeping (scripts/bench schedules).
//   - recording per-block statistics after a training step, against the
//     step itself on config T (layers 2, heads 2, dim 128, context 128,
//     batch 16): goal < 1% of a step;
//   - focus selection plus sampler set-up over 1,000,000 blocks (goal
//     < 100 ms), beside a plain sort of the same values as a reference;
//   - a policy written in lfr (`stats.ppl >= quantile(stats.ppl, 0.7)`)
//     over 1,000,000 blocks, called as the trainer calls it (goal < 200 ms).
// Medians of several runs.
import Foundation
import Models
import Schedules
import Script
import ScriptLibrary
import TensorCore

enum SchedulesBench {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    }

    static func median(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
        var ts: [Double] = []
        for _ in 0..<runs { ts.append(try seconds(body)) }
        return ts.sorted()[ts.count / 2]
    }

    static func run(_ args: [String]) throws {
        let n = 1_000_000
        var g = RandomGenerator(seed: 1)

        // 1. Recording overhead against a training step on config T.
        let model = try GPT(config: GPTConfig(layers: 2, heads: 2, dim: 128, context: 128, vocab: 256), seed: 1)
        let optimizer = try AdamW()
        let B = 16, L = 129
        let tokens = (0..<(B * L)).map { _ in Int32(g.nextInt(below: 256)) }
        let batch = try TokenBatch(blocks: tokens, blockLength: L)
        for _ in 0..<3 { try model.step(batch, optimizer: optimizer) }
        let step = try median(9) { try model.step(batch, optimizer: optimizer) }
        var stats = BlockStatistics(count: n)
        let ids = (0..<B).map { _ in Int32(g.nextInt(below: n)) }
        let losses = (0..<B).map { _ in Float(g.nextDouble() * 5) }
        let reps = 10_000
        let record = median(5) {
            for s in 0..<reps { stats.record(blocks: ids, losses: losses, step: s) }
        } / Double(reps)
        print(String(format: "record stats: %.2f µs per step of %d blocks, training step (config T) %.1f ms, overhead %.4f%% (goal < 1%%)",
                     record * 1e6, B, step * 1e3, record / step * 100))

        // 2. Focus selection and sampler set-up over 1M blocks.
        let all = (0..<Int32(n)).map { $0 }
        let values = (0..<n).map { _ in Float(g.nextDouble() * 5) }
        stats.record(blocks: all, losses: values, step: reps)
        let select = try median(5) {
            let chosen = try BlockSelector.choose(.dropEasiest(drop: 0.5, by: .ppl), stats: stats, step: 0,
                                                  phaseIndex: 1, phaseName: "focus")
            guard case .ids(let kept) = chosen else { return }
            _ = try BlockSampler(active: kept, rng: RandomGenerator(seed: 2))
        }
        let sortRef = median(5) { var v = values; v.sort() }
        print(String(format: "focus selection + sampler over 1,000,000 blocks: %.1f ms (goal < 100 ms); reference Swift sort of the values %.1f ms, ratio %.2f",
                     select * 1e3, sortRef * 1e3, sortRef / select))

        // 3. A policy written in lfr over 1M blocks.
        let interp = try Interpreter()
        try ScriptLibrary.install(into: interp)
        try interp.evaluate("fn hardest(stats, keep: 0.3) { stats.ppl >= quantile(stats.ppl, 1 - keep) }", file: "<bench>")
        guard let fn = interp.global("hardest") else { throw RuntimeError("bench: policy not defined") }
        let policy = policySelection(fn, name: "hardest", interpreter: interp)
        var kept = 0
        let policyTime = try median(5) {
            let chosen = try BlockSelector.choose(policy, stats: stats, step: 0, phaseIndex: 1, phaseName: "focus", blockIDs: all)
            kept = chosen.activeCount
        }
        print(String(format: "policy in lfr (ppl >= quantile) over 1,000,000 blocks: %.1f ms (goal < 200 ms), kept %d; ratio to built-in focus %.2f",
                     policyTime * 1e3, kept, select / policyTime))
    }
}
