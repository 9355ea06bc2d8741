// ModelsBench: in-process timing of GPT training and inference steps, the
// lfr half of `scripts/bench-parts/models` (which runs the PyTorch reference
// beside it and prints the ratios).
//
// Same protocol as ../shared/bench/torch/gpt_train.py: random tokens in
// [0, vocab), AdamW(lr 3e-4, betas 0.9/0.95, weight decay 0.1, no clipping),
// `warmup` untimed steps then `steps` timed ones, median; a train step is
// zero-grad + forward + loss + backward + update; an infer step is an
// eval-mode forward over all B*T positions. Prints one JSON line, with the
// model FLOPs per token (Sources/Models/FLOPs.swift) so the bench can give
// the achieved fraction of the FMA peak (`lfr-bench models peak`).
// `--profile` prints where a training step's time goes instead (StepProfile).
import Foundation
import Models
import TensorCore

enum ModelsBench {
    static let configs: [String: (layers: Int, heads: Int, dim: Int, context: Int, batch: Int)] = [
        "S": (4, 4, 256, 256, 8),
        "T": (2, 2, 128, 128, 16),
        "M": (6, 6, 384, 256, 16),      // nanoGPT's shakespeare_char size
    ]

    static func peakMemoryKB() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first { Int($0) != nil }.flatMap { Int($0) } ?? 0)
        }
        return 0
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }

    /// `lfr-bench models gemm`: the model's panel-split GEMM against one
    /// multi-threaded BLAS call on the shapes of configs S and T (GFLOP/s of each).
    static func gemm() {
        BLAS.setThreads(2)
        Parallel.workers = 2
        let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
            ("qkv fwd", 2048, 768, 256, false, true), ("fc fwd", 2048, 1024, 256, false, true),
            ("fcproj fwd", 2048, 256, 1024, false, true), ("fc dinp", 2048, 256, 1024, false, false),
            ("fc dW", 1024, 256, 2048, true, false), ("lm head", 2048, 256, 256, false, true),
            // config T (dim 128, 2048 rows)
            ("T qkv fwd", 2048, 384, 128, false, true), ("T fc fwd", 2048, 512, 128, false, true),
            ("T fcproj fwd", 2048, 128, 512, false, true), ("T qkv dinp", 2048, 128, 384, false, false),
            ("T qkv dW", 384, 128, 2048, true, false), ("T fc dW", 512, 128, 2048, true, false),
            ("T fcproj dW", 128, 512, 2048, true, false), ("T lm dW", 256, 128, 2048, true, false),
        ]
        for (name, m, n, k, ta, tb) in shapes {
            let (s, b) = ModelKernels.compareGEMM(m: m, n: n, k: k, transA: ta, transB: tb, reps: 15)
            let f = 2.0 * Double(m * n * k) / 1e9
            print("gemm \(name) [\(m)x\(n)x\(k)]: split \(Int(f / s)) GFLOP/s, blas \(Int(f / b)) GFLOP/s")
        }
    }

    /// `lfr-bench models peak [--threads n]`: the FMA peak of `threads`
    /// cores (CKernels' FMA loop on every thread at once), as one JSON line.
    static func peak(_ args: [String]) throws {
        var threads = 2
        if let i = args.firstIndex(of: "--threads"), i + 1 < args.count, let n = Int(args[i + 1]) { threads = n }
        let gflops = ModelKernels.fmaPeak(threads: threads)
        let json: [String: Any] = ["threads": threads, "fma_lanes": ModelKernels.fmaWidth, "peak_gflops": gflops]
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// `--profile`: `steps` training steps (`--mode infer`: inference
    /// passes) after the warm-up with StepProfile on, then one table of
    /// where a step's time went.
    /// With `inference`, the passes profiled are eval-mode forwards (as `--mode infer` times).
    static func profile(name: String, model: GPT, optimizer: AdamW, batch: TokenBatch,
                        threads: Int, steps: Int, warmup: Int, inference: Bool) throws {
        func pass() throws {
            if inference { _ = try model.loss(batch); return }
            let loss = try model.computeGradients(batch)
            guard loss.mean.isFinite else { throw ModelError.nonFiniteLoss(step: optimizer.step + 1, loss: loss.mean) }
            _ = try StepProfile.time(.optimizer) { try optimizer.update(model.parameters) }
        }
        for _ in 0..<warmup { try pass() }
        StepProfile.reset()
        StepProfile.isOn = true
        var wall = 0.0, cpu = 0.0
        for _ in 0..<steps {
            let w0 = Clock.seconds(), c0 = StepProfile.cpuSeconds()
            try pass()
            wall += Clock.seconds() - w0
            cpu += StepProfile.cpuSeconds() - c0
        }
        StepProfile.isOn = false
        let n = Double(steps), tokens = Double(batch.batchSize * batch.sequenceLength)
        let flops = FLOPs.gpt(model.configuration, sequenceLength: batch.sequenceLength)
        // Linear-layer FLOPs per token: 6 per matmul parameter in training
        // (forward 2, backward 4), 2 in a forward pass.
        let perParameter: Double = inference ? 2 : 6
        let perToken = inference ? flops.perScoredToken : flops.perTrainedToken
        let linearFlops = perParameter * Double(flops.matmulParameters) * tokens
        let attentionFlops = (perToken - perParameter * Double(flops.matmulParameters)) * tokens
        func row(_ label: String, _ w: Double, _ c: Double, _ extra: String) -> String {
            let ms = w / n * 1e3
            let pct = wall > 0 ? 100 * w / wall : 0
            let busy = w > 0 ? c / w : 0
            let idle = max(0, Double(threads) * w - c) / n * 1e3
            return label.padding(toLength: 16, withPad: " ", startingAt: 0)
                + " \(fmtF(ms, 1).leftPad(8)) ms \(fmtF(pct, 1).leftPad(6))%  cores busy \(fmtF(busy, 2))"
                + "  idle \(fmtF(idle, 1).leftPad(6)) core-ms" + extra
        }
        print("profile \(name): \(steps) \(inference ? "inference passes" : "training steps") of \(batch.batchSize) x \(batch.sequenceLength) tokens, "
              + "\(threads) threads, kernels \(ModelKernels.instructionSet)")
        var parts = 0.0, partsCPU = 0.0
        for (part, t) in StepProfile.snapshot() {
            parts += t.wall; partsCPU += t.cpu
            var extra = ""
            if part == .matmul, t.wall > 0 { extra = "  \(Int(linearFlops * n / t.wall / 1e9)) GFLOP/s" }
            if part == .attention, t.wall > 0 {
                extra = "  \(Int(attentionFlops * n / t.wall / 1e9)) GFLOP/s (full T x T count)"
            }
            print(row(part.label, t.wall, t.cpu, extra))
        }
        print(row("overhead", wall - parts, cpu - partsCPU, "  (zero-grad, arena, Swift glue, clock reads)"))
        print(row(inference ? "pass" : "step", wall, cpu, "  \(Int(perToken * tokens * n / wall / 1e9)) GFLOP/s model FLOPs"))
    }

    static func fmtF(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    /// `lfr-bench models <S|T|M> [--threads n] [--steps n] [--warmup n] [--mode train|infer|both] [--profile] [--batch n]`
    static func run(_ args: [String]) throws {
        if args.first == "gemm" { gemm(); return }
        if args.first == "peak" { try peak(Array(args.dropFirst())); return }
        if args.first == "train-text" { try ModelsTrainText.run(Array(args.dropFirst())); return }
        if args.first == "golden" { try ModelsGolden.run(args.count > 1 ? args[1] : "data/golden"); return }
        var name = "S", threads = 2, steps = 20, warmup = 5, mode = "both", profiling = false
        var batchOverride: Int? = nil
        var i = 0
        while i < args.count {
            let a = args[i]
            let v = i + 1 < args.count ? Int(args[i + 1]) : nil
            switch a {
            case "--threads": threads = v ?? threads; i += 1
            case "--steps": steps = v ?? steps; i += 1
            case "--warmup": warmup = v ?? warmup; i += 1
            case "--mode": mode = i + 1 < args.count ? args[i + 1] : mode; i += 1
            case "--profile": profiling = true
            case "--batch": batchOverride = v; i += 1
            default: name = a
            }
            i += 1
        }
        guard let c = configs[name] else {
            print("lfr-bench models: unknown config \(name) (S, T or M)")
            exit(2)
        }
        BLAS.setThreads(threads)
        Parallel.workers = threads
        let V = 256, B = max(1, batchOverride ?? c.batch), T = c.context
        let model = try GPT(config: GPTConfig(layers: c.layers, heads: c.heads, dim: c.dim, context: T, vocab: V), seed: 0)
        let opt = try AdamW(learningRate: 3e-4, betas: (0.9, 0.95), weightDecay: 0.1, clipNorm: nil)
        var rng = RandomGenerator(seed: 0)
        let x = (0..<(B * T)).map { _ in Int32(rng.nextInt(below: V)) }
        let y = (0..<(B * T)).map { _ in Int32(rng.nextInt(below: V)) }
        let batch = try TokenBatch(inputs: x, targets: y, batchSize: B, sequenceLength: T)
        if profiling {
            try profile(name: name, model: model, optimizer: opt, batch: batch, threads: threads,
                        steps: steps, warmup: warmup, inference: mode == "infer")
            return
        }

        func timed(_ body: () throws -> Void) rethrows -> Double {
            for _ in 0..<warmup { try body() }
            var ts: [Double] = []
            for _ in 0..<steps {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try body()
                ts.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            return median(ts)
        }
        var losses: [Float] = []
        let train = mode == "infer" ? 0 : try timed { losses.append(try model.step(batch, optimizer: opt).loss.mean) }
        let infer = mode == "train" ? 0 : try timed { _ = try model.loss(batch) }
        let tokens = Double(B * T)
        let flops = FLOPs.gpt(model.configuration, sequenceLength: T)
        var json: [String: Any] = [
            "config": name, "batch": B, "threads": threads, "params": model.parameterCount,
            "loss_first": Double(losses.first ?? 0), "loss_last": Double(losses.last ?? 0),
            "peak_rss_kb": peakMemoryKB(),
            "flops_per_token_train": flops.perTrainedToken, "flops_per_token_infer": flops.perScoredToken,
        ]
        if mode != "infer" { json["train_step_ms_median"] = train * 1e3; json["train_tok_s"] = tokens / train }
        if mode != "train" { json["infer_ms_median"] = infer * 1e3; json["infer_tok_s"] = tokens / infer }
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
