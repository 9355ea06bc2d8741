// ResearchBindings: the regime probes of Data in the language:
// duplicate, noise, mix and holdout. Each validates its arguments by name,
// calls Data's transform (Regimes.swift) and wraps the dataset; validation
// blocks are never changed by any of them. And flops(), the cost of trained
// and scored tokens by the convention of Models/FLOPs.swift, so a script can
// charge a schedule for work done outside its run (a reference model).
import Data
import Models
import Script

/// Registers duplicate, noise, mix, holdout and flops.
func installResearchBindings(into interp: Interpreter) {
    interp.register("flops", [Param("model"), Param("data"), Param("trained", default: .number(0)),
                              Param("scored", default: .number(0))],
                    doc: "flops(model, data, trained: 0, scored: 0): FLOPs of training on `trained` tokens and scoring `scored` tokens (forward only) with model on data's context: 6N + 12LCT per trained token, 2N + 4LCT per scored token (N matmul parameters, L layers, C channels, T context). measure(model, data) scores data.train_blocks * data.context tokens.") { args in
        let model = try modelArgument(args, "model")
        let data = try datasetArgument(args, "data")
        let trained = try args.int("trained"), scored = try args.int("scored")
        guard trained >= 0, scored >= 0 else { throw RuntimeError("flops: trained and scored must be >= 0, got \(trained) and \(scored)") }
        return .number(FLOPs.of(model, sequenceLength: data.contextLength).total(trainedTokens: trained, scoredTokens: scored))
    }
    interp.register("duplicate", [Param("data"), Param("fraction"), Param("copies", default: .number(1)),
                                  Param("seed", default: .number(0))],
                    doc: "duplicate(data, fraction:, copies: 1, seed: 0): a copy of data in which round(fraction * training blocks) training blocks, chosen by seed, appear copies more times each (near-duplicates). Validation is unchanged.") { args in
        let d = try datasetArgument(args, "data")
        let out = try translatingErrors { try d.duplicating(fraction: try args.number("fraction"), copies: try args.int("copies"), seed: try seedArgument(args, "seed")) }
        return .object(DatasetValue(out.data))
    }
    interp.register("noise", [Param("data"), Param("fraction"), Param("seed", default: .number(0))],
                    doc: "noise(data, fraction:, seed: 0): a copy of data with blocks of uniformly random tokens added so they make up fraction of the training blocks. Validation is unchanged.") { args in
        let d = try datasetArgument(args, "data")
        let out = try translatingErrors { try d.addingNoise(fraction: try args.number("fraction"), seed: try seedArgument(args, "seed")) }
        return .object(DatasetValue(out.data))
    }
    interp.register("mix", [Param("datasets"), Param("weights"), Param("seed", default: .number(0))],
                    doc: "mix([d1, d2, ...], weights: [w1, w2, ...], seed: 0): training blocks of the datasets in proportion to the weights (as many as the scarcest allows); validation is d1's.") { args in
        let parts = try args.list("datasets").items.map { v -> Dataset in
            guard case .object(let d as DatasetValue) = v else { throw RuntimeError("mix: datasets must be a list of datasets") }
            return d.dataset
        }
        let weights = try args.list("weights").items.map { v -> Double in
            guard case .number(let w) = v else { throw RuntimeError("mix: weights must be a list of numbers") }
            return w
        }
        return .object(DatasetValue(try translatingErrors { try Dataset.mixing(parts, weights: weights, seed: try seedArgument(args, "seed")) }))
    }
    interp.register("holdout", [Param("data"), Param("fraction"), Param("seed", default: .number(0))],
                    doc: "holdout(data, fraction:, seed: 0) is [rest, held]: held trains on round(fraction * training blocks) of data's training blocks, rest on the others; both keep data's validation and block ids, so measure(reference, rest) scores rest's training blocks in its statistics' order.") { args in
        let d = try datasetArgument(args, "data")
        let (rest, held) = try translatingErrors { try d.holdingOut(fraction: try args.number("fraction"), seed: try seedArgument(args, "seed")) }
        return .list([.object(DatasetValue(rest)), .object(DatasetValue(held))])
    }
}
