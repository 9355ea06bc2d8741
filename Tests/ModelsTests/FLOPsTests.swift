// FLOPsTests: FLOP counts against the formula of the PyTorch reference
// (6N + 12LCT per trained token, 2N + 4LCT per scored token, N = all GPT
// parameters but wpe), with N counted by hand for a small config.
import Testing
@testable import Models

@Suite struct FLOPsTests {
    // layers 2, dim 8, context 16, vocab 10, biases. Per layer: ln_1 16,
    // c_attn 24*8 + 24 = 216, c_proj 64 + 8 = 72, ln_2 16, c_fc 32*8 + 32 = 288,
    // mlp c_proj 8*32 + 8 = 264: 872. Total: wte 80 + wpe 128 + 2*872 + ln_f 16 = 1968.
    let config = GPTConfig(layers: 2, heads: 2, dim: 8, context: 16, vocab: 10, bias: true)

    @Test func matmulParametersAreAllButThePositionTable() throws {
        #expect(FLOPs.matmulParameters(config) == 1968 - 128)
        let model = try GPT(config: config, seed: 1)
        #expect(model.parameters.count == 1968)
        #expect(FLOPs.of(model, sequenceLength: 16).matmulParameters == model.parameters.count - 16 * 8)
    }

    @Test func perTokenCountsFollowTheFormula() {
        // L*C*T = 2*8*16 = 256: train 6*1840 + 12*256, score 2*1840 + 4*256.
        let f = FLOPs.gpt(config)
        #expect(f.perTrainedToken == 11040 + 3072)
        #expect(f.perScoredToken == 3680 + 1024)
        // A shorter sequence shrinks only the attention term (L*C*T = 64).
        let short = FLOPs.gpt(config, sequenceLength: 4)
        #expect(short.perTrainedToken == 11040 + 768)
        #expect(short.perScoredToken == 3680 + 256)
        #expect(f.total(trainedTokens: 1000, scoredTokens: 500) == 1000 * 14112 + 500 * 4704)
        #expect(f.total(trainedTokens: 0, scoredTokens: 0) == 0)
    }

    @Test func referenceConfigT() {
        // Config "T" of gpt_train.py at vocab 256: N = wte + 2 layers of 12C^2 + 13C + ln_f (2C).
        // Without biases a layer keeps only its two LayerNorm gains (12C^2 + 2C) and ln_f its gain (C).
        let c = GPTConfig(layers: 2, heads: 2, dim: 128, context: 128, vocab: 256, bias: true)
        let N = 256 * 128 + 2 * (12 * 128 * 128 + 13 * 128) + 2 * 128
        #expect(FLOPs.matmulParameters(c) == N)
        #expect(FLOPs.gpt(c).perTrainedToken == Double(6 * N + 12 * 2 * 128 * 128))
        let nb = GPTConfig(layers: 2, heads: 2, dim: 128, context: 128, vocab: 256, bias: false)
        #expect(FLOPs.matmulParameters(nb) == 256 * 128 + 2 * (12 * 128 * 128 + 2 * 128) + 128)
    }

    @Test func modelsWithoutAttentionAreChargedSixN() throws {
        let b = try Bigram(vocab: 5, seed: 1)
        let f = FLOPs.of(b, sequenceLength: 32)
        #expect(f.perTrainedToken == 6 * 25 && f.perScoredToken == 2 * 25)
    }
}
