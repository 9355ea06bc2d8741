// Measurements for scripts/bench-mpi (skipped unless LFR_MPI_BENCH=1):
// config T and S training tokens/s of the data-parallel step on this job, and the
// time of one gradient all-reduce against its size. Rank 0 prints.
import Cluster
import Data
import Foundation
import Models
import ScriptLibrary
import Schedules
import TensorCore
import XCTest

final class ScaleBench: XCTestCase {
    override func setUpWithError() throws {
        guard ProcessInfo.processInfo.environment["LFR_MPI_BENCH"] == "1" else { throw XCTSkip("set LFR_MPI_BENCH=1 to run") }
        try ScriptWorld.start()
        if let t = ProcessInfo.processInfo.environment["LFR_BENCH_THREADS"].flatMap(Int.init) {
            Parallel.workers = t
            BLAS.setThreads(t)
        }
    }

    func say(_ s: String) {
        if ScriptWorld.world.isRoot { FileHandle.standardError.write((s + "\n").data(using: .utf8)!) }
    }

    func testConfigTTokensPerSecond() throws {
        try measureConfig("T", layers: 2, heads: 2, dim: 128, context: 128, batch: 16, steps: 12)
    }

    func testConfigSTokensPerSecond() throws {
        try measureConfig("S", layers: 4, heads: 4, dim: 256, context: 256, batch: 8, steps: 7)
    }

    /// Training tokens/s of one lfr-bench config (layers, heads, dim, context,
    /// batch as in `lfr-bench models`) on this job, after two warm-up steps.
    func measureConfig(_ name: String, layers: Int, heads: Int, dim: Int, context: Int, batch: Int, steps: Int) throws {
        let world = ScriptWorld.world
        var g = RandomGenerator(seed: 2)
        let n = 2 * batch * context * 8 + 1
        let tokens = (0..<n).map { _ in Float(g.nextInt(below: 256)) }
        let data = try Dataset(tokens: Tensor(shape: [n], values: tokens), context: context, val: 0.05, seed: 3, vocab: 256)
        var config = TrainerConfig()
        config.batch = batch
        config.seed = 1
        let model = try GPT(config: GPTConfig(layers: layers, heads: heads, dim: dim, context: context, vocab: 256), seed: 1)
        let run = try Run(model: model, optimizer: AdamW(learningRate: 1e-3), data: data,
                          schedule: Schedule(phases: [.learn(.steps(steps))]), config: config)
        var t0 = 0.0
        DataParallel.reduceSeconds = 0
        _ = try run.advance(stopWhen: { r in
            if r.step == 2 { t0 = Clock.seconds(); DataParallel.reduceSeconds = 0 }   // two warm-up steps
            return false
        })
        let seconds = Clock.seconds() - t0
        let measured = steps - 2
        let tps = Double(measured * batch * context) / seconds
        say(String(format: "config %@: %d rank(s) x %d thread(s): %.0f tokens/s (%d steps of %d x %d tokens, %.1f ms/step, gradient all-reduce %.2f ms/step of %d bytes)",
                   name, world.size, Parallel.workers, tps, measured, batch, context, 1000 * seconds / Double(measured),
                   1000 * DataParallel.reduceSeconds / Double(measured), model.parameterCount * 4))
    }

    func testAllreduceTimeAgainstBytes() throws {
        let world = ScriptWorld.world
        guard world.size > 1 else { throw XCTSkip("needs several ranks") }
        for k in stride(from: 12, through: 24, by: 2) {
            var buf = [Float](repeating: 1, count: 1 << k)
            let reps = k <= 18 ? 50 : 10
            try buf.withUnsafeMutableBufferPointer { try world.allreduceSum($0) }   // warm-up
            try world.barrier()
            let t0 = world.seconds()
            for _ in 0..<reps { try buf.withUnsafeMutableBufferPointer { try world.allreduceSum($0) } }
            let dt = (world.seconds() - t0) / Double(reps)
            let bytes = 4 << k
            say(String(format: "allreduce %d ranks: %9d bytes %9.3f ms  %.2f GB/s (bytes / time)",
                       world.size, bytes, dt * 1000, Double(bytes) / dt / 1e9))
        }
    }
}
