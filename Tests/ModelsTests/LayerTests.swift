// LayerTests: each layer's backward against finite differences, and each fast
// kernel against a naive reference (see TestSupport for the tolerance).
import Testing
@testable import Models
import TensorCore

#if canImport(Glibc)
import Glibc
#endif

@Suite struct LayerTests {
    @Test func embeddingBackwardMatchesFiniteDifferences() {
        let B = 2, T = 3, C = 4, V = 5
        let wte = randomBuffer(V * C, seed: 1), wpe = randomBuffer(T * C, seed: 2)
        let tokens: [Int32] = [1, 4, 1, 0, 2, 1]
        let r = randomBuffer(B * T * C, seed: 3)
        let out = Buf(zeros: B * T * C)
        func objective() -> Double {
            Layers.embeddingForward(out: out.p, tokens: tokens, wte: wte.p, wpe: wpe.p, B: B, T: T, C: C)
            return weightedSum(out, r)
        }
        let dwte = Buf(zeros: V * C), dwpe = Buf(zeros: T * C)
        Layers.embeddingBackward(dwte: dwte.p, dwpe: dwpe.p, dout: r.p, tokens: tokens, B: B, T: T, C: C)
        let a = gradCheck(values: wte, analytic: dwte, indices: sampleIndices(V * C), objective: objective)
        let b = gradCheck(values: wpe, analytic: dwpe, indices: sampleIndices(T * C), objective: objective)
        #expect(a.passed, "\(a.details)")
        #expect(b.passed, "\(b.details)")
    }

    @Test(arguments: [true, false]) func layerNormBackwardMatchesFiniteDifferences(withBias: Bool) {
        let N = 5, C = 12
        let inp = randomBuffer(N * C, seed: 4, scale: 2)
        let w = Buf(randomValues(C, seed: 5).map { 1 + 0.3 * $0 }), b = randomBuffer(C, seed: 6)
        let r = randomBuffer(N * C, seed: 7)
        let out = Buf(zeros: N * C), mean = Buf(zeros: N), rstd = Buf(zeros: N)
        func objective() -> Double {
            Layers.layerNormForward(out: out.p, mean: mean.p, rstd: rstd.p, inp: inp.p, weight: w.p,
                                    bias: withBias ? UnsafePointer(b.p) : nil, N: N, C: C)
            return weightedSum(out, r)
        }
        _ = objective()
        // Reference of the forward itself, in Double.
        for n in 0..<N {
            let x = (0..<C).map { Double(inp[n * C + $0]) }
            let m = x.reduce(0, +) / Double(C)
            let v = x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(C)
            for c in 0..<C {
                let ref = (x[c] - m) / (v + 1e-5).squareRoot() * Double(w[c]) + (withBias ? Double(b[c]) : 0)
                #expect(abs(Double(out[n * C + c]) - ref) < 1e-5)
            }
        }
        let dinp = Buf(zeros: N * C), dw = Buf(zeros: C), db = Buf(zeros: C)
        Layers.layerNormBackward(dinp: dinp.p, dweight: dw.p, dbias: withBias ? db.p : nil, dout: r.p,
                                 inp: inp.p, weight: w.p, mean: mean.p, rstd: rstd.p, N: N, C: C)
        let a = gradCheck(values: inp, analytic: dinp, indices: sampleIndices(N * C), objective: objective)
        let g = gradCheck(values: w, analytic: dw, indices: Array(0..<C), objective: objective)
        #expect(a.passed, "\(a.details)")
        #expect(g.passed, "\(g.details)")
        if withBias {
            let c = gradCheck(values: b, analytic: db, indices: Array(0..<C), objective: objective)
            #expect(c.passed, "\(c.details)")
        }
    }

    @Test func linearForwardMatchesNaiveAndBackwardMatchesFiniteDifferences() {
        let N = 7, IC = 5, OC = 9
        let inp = randomBuffer(N * IC, seed: 8), w = randomBuffer(OC * IC, seed: 9), b = randomBuffer(OC, seed: 10)
        let r = randomBuffer(N * OC, seed: 11)
        let out = Buf(zeros: N * OC)
        func objective() -> Double {
            Layers.linearForward(out: out.p, inp: inp.p, weight: w.p, bias: b.p, N: N, IC: IC, OC: OC)
            return weightedSum(out, r)
        }
        _ = objective()
        for n in 0..<N {
            for o in 0..<OC {
                var s = Double(b[o])
                for i in 0..<IC { s += Double(inp[n * IC + i]) * Double(w[o * IC + i]) }
                #expect(abs(Double(out[n * OC + o]) - s) < 1e-5)
            }
        }
        let dinp = Buf(zeros: N * IC), dw = Buf(zeros: OC * IC), db = Buf(zeros: OC)
        Layers.linearBackward(dinp: dinp.p, dweight: dw.p, dbias: db.p, dout: r.p, inp: inp.p, weight: w.p,
                              N: N, IC: IC, OC: OC)
        for (values, grads) in [(inp, dinp), (w, dw), (b, db)] {
            let rep = gradCheck(values: values, analytic: grads, indices: sampleIndices(grads.count), objective: objective)
            #expect(rep.passed, "\(rep.details)")
        }
        // The fused residual variant: out = res + linear.
        let res = randomBuffer(N * OC, seed: 12)
        let fused = Buf(zeros: N * OC)
        Layers.residualLinearForward(out: fused.p, residual: res.p, inp: inp.p, weight: w.p, bias: b.p,
                                     N: N, IC: IC, OC: OC)
        _ = objective()
        for i in 0..<(N * OC) { #expect(abs(fused[i] - (out[i] + res[i])) < 1e-5) }
    }

    @Test func geluMatchesErfFormulaAndFiniteDifferences() {
        let n = 67   // not a multiple of 8: the scalar tail runs too
        let x = randomBuffer(n, seed: 13, scale: 2)
        let r = randomBuffer(n, seed: 14)
        let out = Buf(zeros: n)
        func objective() -> Double {
            Layers.geluForward(out: out.p, inp: x.p, count: n)
            return weightedSum(out, r)
        }
        _ = objective()
        for i in 0..<n {
            let xd = Double(x[i])
            let ref = 0.5 * xd * (1 + erf(xd / 2.0.squareRoot()))
            #expect(abs(Double(out[i]) - ref) < 1e-6)
        }
        let dx = Buf(zeros: n)
        Layers.geluBackward(dinp: dx.p, inp: x.p, dout: r.p, count: n)
        let rep = gradCheck(values: x, analytic: dx, indices: Array(0..<n), objective: objective)
        #expect(rep.passed, "\(rep.details)")
        // With Phi saved by the forward, the backward gives the same values.
        let cdf = Buf(zeros: n), out2 = Buf(zeros: n), dx2 = Buf(zeros: n)
        Layers.geluForward(out: out2.p, cdf: cdf.p, inp: x.p, count: n)
        Layers.geluBackward(dinp: dx2.p, inp: x.p, cdf: cdf.p, dout: r.p, count: n)
        _ = objective()                                  // out at the unperturbed x
        #expect(out2.array == out.array)
        for i in 0..<n { #expect(abs(dx2[i] - dx[i]) <= 1e-6 * max(1, abs(dx[i]))) }
    }

    @Test func residualBackwardMatchesFiniteDifferences() {
        let n = 10
        let a = randomBuffer(n, seed: 15), b = randomBuffer(n, seed: 16)
        let r = randomBuffer(n, seed: 17)
        let out = Buf(zeros: n)
        func objective() -> Double {
            Layers.residualForward(out: out.p, a: a.p, b: b.p, count: n)
            return weightedSum(out, r)
        }
        let da = Buf(zeros: n), db = Buf(zeros: n)
        Layers.residualBackward(da: da.p, db: db.p, dout: r.p, count: n)
        let x = gradCheck(values: a, analytic: da, indices: Array(0..<n), objective: objective)
        let y = gradCheck(values: b, analytic: db, indices: Array(0..<n), objective: objective)
        #expect(x.passed && y.passed)
    }

    /// Plain triple-loop causal attention in Double (the reference).
    static func naiveAttention(_ qkv: Buf, B: Int, T: Int, C: Int, H: Int) -> [Double] {
        let hs = C / H
        var out = [Double](repeating: 0, count: B * T * C)
        for b in 0..<B {
            for h in 0..<H {
                func at(_ tt: Int, _ part: Int, _ i: Int) -> Double {
                    Double(qkv[(b * T + tt) * 3 * C + part * C + h * hs + i])
                }
                for t in 0..<T {
                    var s = [Double](repeating: 0, count: t + 1)
                    for j in 0...t {
                        var d = 0.0
                        for i in 0..<hs { d += at(t, 0, i) * at(j, 1, i) }
                        s[j] = d / Double(hs).squareRoot()
                    }
                    let m = s.max() ?? 0
                    let e = s.map { exp($0 - m) }
                    let z = e.reduce(0, +)
                    for i in 0..<hs {
                        var y = 0.0
                        for j in 0...t { y += e[j] / z * at(j, 2, i) }
                        out[(b * T + t) * C + h * hs + i] = y
                    }
                }
            }
        }
        return out
    }

    /// T = 70 crosses the 64-row causal block, so both block paths run.
    @Test(arguments: [[2, 5, 8, 2], [1, 70, 8, 2]])
    func attentionMatchesNaiveAndFiniteDifferences(shape: [Int]) {
        let B = shape[0], T = shape[1], C = shape[2], H = shape[3]
        let qkv = randomBuffer(B * T * 3 * C, seed: 18)
        let r = randomBuffer(B * T * C, seed: 19)
        let out = Buf(zeros: B * T * C), att = Buf(zeros: B * H * T * T)
        func objective() -> Double {
            Layers.attentionForward(out: out.p, att: att.p, qkv: qkv.p, B: B, T: T, C: C, H: H)
            return weightedSum(out, r)
        }
        _ = objective()
        let ref = LayerTests.naiveAttention(qkv, B: B, T: T, C: C, H: H)
        var maxErr = 0.0
        for i in 0..<ref.count { maxErr = max(maxErr, abs(ref[i] - Double(out[i]))) }
        #expect(maxErr < 1e-5)
        let dqkv = Buf(zeros: B * T * 3 * C), datt = Buf(zeros: B * H * T * T)
        Layers.attentionBackward(dqkv: dqkv.p, datt: datt.p, dout: r.p, qkv: qkv.p, att: att.p, B: B, T: T, C: C, H: H)
        let rep = gradCheck(values: qkv, analytic: dqkv, indices: sampleIndices(qkv.count, max: 60), objective: objective)
        #expect(rep.passed, "\(rep.details)")
    }

    @Test func softmaxCrossEntropyMatchesFiniteDifferences() {
        let N = 4, V = 7
        let logits = randomBuffer(N * V, seed: 20, scale: 2)
        let targets: [Int32] = [0, 6, 3, 3]
        let losses = Buf(zeros: N), scratch = Buf(zeros: N * V)
        func objective() -> Double {
            scratch.p.update(from: logits.p, count: N * V)
            Layers.softmaxCrossEntropy(logits: scratch.p, losses: losses.p, targets: targets, N: N, V: V, gradScale: nil)
            return losses.array.map(Double.init).reduce(0, +) / Double(N)
        }
        _ = objective()
        for n in 0..<N {
            let row = (0..<V).map { Double(logits[n * V + $0]) }
            let m = row.max() ?? 0
            let lse = log(row.map { exp($0 - m) }.reduce(0, +)) + m
            #expect(abs(Double(losses[n]) - (lse - row[Int(targets[n])])) < 1e-5)
        }
        let d = Buf(logits.array)
        Layers.softmaxCrossEntropy(logits: d.p, losses: losses.p, targets: targets, N: N, V: V, gradScale: 1 / Float(N))
        let rep = gradCheck(values: logits, analytic: d, indices: Array(0..<(N * V)), objective: objective)
        #expect(rep.passed, "\(rep.details)")
    }

    /// The checker itself must reject a wrong gradient (here: GELU's
    /// derivative without its x * pdf term).
    @Test func gradientCheckRejectsABrokenBackward() {
        let n = 16
        let x = randomBuffer(n, seed: 21, scale: 2)
        let r = randomBuffer(n, seed: 22)
        let out = Buf(zeros: n)
        let wrong = Buf((0..<n).map { i in r[i] * 0.5 * (1 + Float(erf(Double(x[i]) / 2.0.squareRoot()))) })
        let rep = gradCheck(values: x, analytic: wrong, indices: Array(0..<n)) {
            Layers.geluForward(out: out.p, inp: x.p, count: n)
            return weightedSum(out, r)
        }
        #expect(!rep.passed)
    }
}

@Suite struct GEMMTests {
    /// The panel-split GEMM (rows or columns, every transpose) against a
    /// naive Double product; sizes are above the split threshold and not
    /// multiples of 16, so uneven panels and the last-panel remainder run.
    @Test(arguments: [[100, 37, 80], [37, 100, 80], [300, 300, 9]])
    func splitGEMMMatchesNaive(shape: [Int]) {
        let m = shape[0], n = shape[1], k = shape[2]
        for transA in [false, true] {
            for transB in [false, true] {
                let a = randomBuffer(m * k, seed: 30), b = randomBuffer(k * n, seed: 31)
                let c0 = randomValues(m * n, seed: 32)
                let c = Buf(c0)
                Layers.withModelThreads {
                    Layers.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.p,
                                lda: transA ? m : k, b: b.p, ldb: transB ? k : n, beta: 2, c: c.p, ldc: n)
                }
                var maxErr = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        var s = 0.0
                        for p in 0..<k {
                            let av = transA ? a[p * m + i] : a[i * k + p]
                            let bv = transB ? b[j * k + p] : b[p * n + j]
                            s += Double(av) * Double(bv)
                        }
                        let ref = 0.5 * s + 2 * Double(c0[i * n + j])
                        maxErr = max(maxErr, abs(ref - Double(c[i * n + j])))
                    }
                }
                #expect(maxErr < 1e-3, "transA \(transA) transB \(transB): \(maxErr)")
            }
        }
    }
}
