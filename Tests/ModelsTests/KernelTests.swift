// KernelTests: every C kernel of CKernels against a naive Float64 reference
// written here, once per instruction set (the portable x86-64 build and the
// AVX2+FMA build), on sizes that are not multiples of 8 so the padded tails
// run; and the two builds against each other. The layer tests
// (LayerTests.swift) check the same kernels' gradients by finite differences.
import Foundation
import Testing
import CKernels
@testable import Models

/// Runs `body` once per instruction set this CPU has (the choice is per
/// thread, so other tests running meanwhile are not affected).
private func forEachISA(_ body: (Int) throws -> Void) rethrows {
    defer { _ = lfr_kernels_select(-1) }
    _ = lfr_kernels_select(0)
    try body(0)
    _ = lfr_kernels_select(1)
    if lfr_kernels_isa() == 1 { try body(1) }
}

private func maxRelError(_ got: [Float], _ want: [Double], floor: Double = 1) -> Double {
    var worst = 0.0
    for (g, w) in zip(got, want) { worst = max(worst, abs(Double(g) - w) / max(floor, abs(w))) }
    return got.count == want.count ? worst : .infinity
}

private func phi(_ x: Double) -> Double { 0.5 * (1 + erf(x / 2.0.squareRoot())) }

@Suite struct KernelTests {
    @Test func isaSelection() {
        let process = lfr_kernels_isa()
        _ = lfr_kernels_select(0)
        #expect(lfr_kernels_isa() == 0)
        _ = lfr_kernels_select(-1)
        #expect(lfr_kernels_isa() == process)
    }

    @Test func geluForwardAndBackward() {
        let n = 1003
        let x = randomValues(n, seed: 1, scale: 3), d = randomValues(n, seed: 2)
        forEachISA { isa in
            let out = Buf(zeros: n), cdf = Buf(zeros: n), dx = Buf(zeros: n), dx2 = Buf(zeros: n)
            lfr_gelu_forward(out.p, cdf.p, x, n)
            lfr_gelu_backward(dx.p, x, cdf.p, d, n)
            lfr_gelu_backward(dx2.p, x, nil, d, n)
            let xs = x.map(Double.init)
            #expect(maxRelError(out.array, xs.map { $0 * phi($0) }) < 1e-6, "isa \(isa)")
            #expect(maxRelError(cdf.array, xs.map(phi)) < 1e-6, "isa \(isa)")
            let g = zip(xs, d).map { x, d in Double(d) * (phi(x) + x * exp(-x * x / 2) / (2 * Double.pi).squareRoot()) }
            #expect(maxRelError(dx.array, g) < 2e-6, "isa \(isa)")
            #expect(dx.array == dx2.array, "recomputed Phi equals the saved one (isa \(isa))")
            // In place (out aliases inp), as eval mode does.
            let inplace = Buf(x)
            lfr_gelu_forward(inplace.p, nil, inplace.p, n)
            #expect(inplace.array == out.array)
        }
    }

    @Test func layerNormRowsAndParameterGradients() {
        for C in [37, 64] {
            let N = 9
            let x = randomValues(N * C, seed: 3, scale: 2), w = randomValues(C, seed: 4), b = randomValues(C, seed: 5)
            let dout = randomValues(N * C, seed: 6)
            forEachISA { isa in
                let out = Buf(zeros: N * C), mean = Buf(zeros: N), rstd = Buf(zeros: N)
                lfr_layernorm_forward_rows(out.p, mean.p, rstd.p, x, w, b, 0, N, C, 1e-5)
                let dinp = Buf([Float](repeating: 0.5, count: N * C))   // accumulates
                lfr_layernorm_backward_rows(dinp.p, dout, x, w, mean.p, rstd.p, 0, N, C)
                let dw = Buf(zeros: C), db = Buf(zeros: C)
                lfr_layernorm_param_grads(dw.p, db.p, dout, x, mean.p, rstd.p, N, C, 0, C)
                var wantOut: [Double] = [], wantDx: [Double] = []
                var wantDw = [Double](repeating: 0, count: C), wantDb = [Double](repeating: 0, count: C)
                for r in 0..<N {
                    let row = (0..<C).map { Double(x[r * C + $0]) }
                    let m = row.reduce(0, +) / Double(C)
                    let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(C)
                    let s = 1 / (v + 1e-5).squareRoot()
                    let xhat = row.map { ($0 - m) * s }
                    wantOut += (0..<C).map { xhat[$0] * Double(w[$0]) + Double(b[$0]) }
                    let dn = (0..<C).map { Double(dout[r * C + $0]) * Double(w[$0]) }
                    let mD = dn.reduce(0, +) / Double(C)
                    let mDX = zip(dn, xhat).map(*).reduce(0, +) / Double(C)
                    wantDx += (0..<C).map { 0.5 + s * (dn[$0] - mD - xhat[$0] * mDX) }
                    for c in 0..<C {
                        wantDw[c] += Double(dout[r * C + c]) * xhat[c]
                        wantDb[c] += Double(dout[r * C + c])
                    }
                }
                #expect(maxRelError(out.array, wantOut) < 1e-5, "C \(C) isa \(isa)")
                #expect(maxRelError(dinp.array, wantDx) < 1e-5, "C \(C) isa \(isa)")
                #expect(maxRelError(dw.array, wantDw) < 1e-5, "C \(C) isa \(isa)")
                #expect(maxRelError(db.array, wantDb) < 1e-5, "C \(C) isa \(isa)")
                // A column range touches only its columns.
                let part = Buf(zeros: C)
                lfr_layernorm_param_grads(part.p, nil, dout, x, mean.p, rstd.p, N, C, 8, 21)
                #expect(part.array.enumerated().allSatisfy { (8..<21).contains($0.offset) || $0.element == 0 })
                #expect(Array(part.array[8..<21]) == Array(dw.array[8..<21]))
            }
        }
    }

    @Test func columnSums() {
        let rows = 11, columns = 77
        let m = randomValues(rows * columns, seed: 7)
        forEachISA { isa in
            let into = Buf([Float](repeating: 1, count: columns))
            lfr_column_sums(into.p, m, rows, columns, 0, columns)
            let want = (0..<columns).map { c in 1 + (0..<rows).map { Double(m[$0 * columns + c]) }.reduce(0, +) }
            #expect(maxRelError(into.array, want) < 1e-6, "isa \(isa)")
        }
    }

    @Test func causalSoftmaxForwardAndBackward() {
        let T = 70, block = 64
        let scores = randomValues(T * T, seed: 8, scale: 4), dy = randomValues(T * T, seed: 9)
        forEachISA { isa in
            let a = Buf(scores)
            lfr_causal_softmax(a.p, T, block)
            let d = Buf(dy)
            lfr_causal_softmax_backward(d.p, a.p, T, block, 0.25)
            for t in 0..<T {
                let n = t + 1, end = min(T, (t / block + 1) * block)
                let row = (0..<n).map { Double(scores[t * T + $0]) }
                let m = row.max()!
                let e = row.map { exp($0 - m) }
                let s = e.reduce(0, +)
                let p = e.map { $0 / s }
                #expect(maxRelError(Array(a.array[(t * T)..<(t * T + n)]), p, floor: 1e-3) < 1e-5, "row \(t) isa \(isa)")
                #expect(a.array[(t * T + n)..<(t * T + end)].allSatisfy { $0 == 0 })
                // Past the block end the entries are untouched.
                #expect(Array(a.array[(t * T + end)..<(t * T + T)]) == Array(scores[(t * T + end)..<(t * T + T)]))
                let dot = (0..<n).map { p[$0] * Double(dy[t * T + $0]) }.reduce(0, +)
                let want = (0..<n).map { 0.25 * p[$0] * (Double(dy[t * T + $0]) - dot) }
                #expect(maxRelError(Array(d.array[(t * T)..<(t * T + n)]), want, floor: 1e-3) < 1e-5, "row \(t) isa \(isa)")
                #expect(d.array[(t * T + n)..<(t * T + end)].allSatisfy { $0 == 0 })
            }
        }
    }

    @Test func crossEntropyLossAndGradient() {
        let N = 5, V = 259
        let z = randomValues(N * V, seed: 10, scale: 3)
        let targets: [Int32] = [0, 258, 7, 7, 100]
        forEachISA { isa in
            let logits = Buf(z), losses = Buf(zeros: N)
            lfr_cross_entropy_rows(logits.p, losses.p, targets, 0, N, V, 0.5, 1)
            for r in 0..<N {
                let row = (0..<V).map { Double(z[r * V + $0]) }
                let m = row.max()!
                let s = row.map { exp($0 - m) }.reduce(0, +)
                let y = Int(targets[r])
                #expect(abs(Double(losses[r]) - (log(s) + m - row[y])) < 1e-5, "isa \(isa)")
                let want = (0..<V).map { 0.5 * (exp(row[$0] - m) / s - ($0 == y ? 1 : 0)) }
                #expect(maxRelError(Array(logits.array[(r * V)..<(r * V + V)]), want, floor: 1e-3) < 1e-5)
            }
            // Without the gradient the losses are the same.
            let l2 = Buf(z), losses2 = Buf(zeros: N)
            lfr_cross_entropy_rows(l2.p, losses2.p, targets, 0, N, V, 0, 0)
            #expect(losses2.array == losses.array)
        }
    }

    @Test func adamWMatchesTheFormulaAndIgnoresChunking() {
        let n = 45
        let p0 = randomValues(n, seed: 11), g = randomValues(n, seed: 12)
        let m0 = randomValues(n, seed: 13, scale: 0.1), v0 = randomValues(n, seed: 14, scale: 0.1).map(abs)
        let (gs, b1, b2, eps, step, bc, decay): (Float, Float, Float, Float, Float, Float, Float) =
            (0.7, 0.9, 0.95, 1e-8, 1e-3, 0.3, 0.999)
        forEachISA { isa in
            let p = Buf(p0), m = Buf(m0), v = Buf(v0)
            lfr_adamw(p.p, g, m.p, v.p, n, gs, b1, b2, eps, step, bc, decay)
            for i in 0..<n {
                let gi = Double(g[i]) * Double(gs)
                let mi = Double(b1) * Double(m0[i]) + (1 - Double(b1)) * gi
                let vi = Double(b2) * Double(v0[i]) + (1 - Double(b2)) * gi * gi
                let pi = Double(p0[i]) * Double(decay) - Double(step) * mi / (vi.squareRoot() / Double(bc) + Double(eps))
                #expect(abs(Double(p[i]) - pi) < 1e-6, "isa \(isa)")
                #expect(abs(Double(m[i]) - mi) < 1e-6 && abs(Double(v[i]) - vi) < 1e-6)
            }
            // Split at an odd place: bit-identical to one call.
            let p2 = Buf(p0), m2 = Buf(m0), v2 = Buf(v0)
            lfr_adamw(p2.p, g, m2.p, v2.p, 13, gs, b1, b2, eps, step, bc, decay)
            g.withUnsafeBufferPointer { gb in
                lfr_adamw(p2.p + 13, gb.baseAddress! + 13, m2.p + 13, v2.p + 13, n - 13, gs, b1, b2, eps, step, bc, decay)
            }
            #expect(p2.array == p.array && m2.array == m.array && v2.array == v.array, "isa \(isa)")
        }
    }

    @Test func bothBuildsAgree() {
        defer { _ = lfr_kernels_select(-1) }
        _ = lfr_kernels_select(1)
        guard lfr_kernels_isa() == 1 else { return }
        let n = 4099
        let x = randomValues(n, seed: 15, scale: 3)
        var outs: [[Float]] = []
        for isa in [0, 1] {
            _ = lfr_kernels_select(Int32(isa))
            let out = Buf(zeros: n)
            lfr_gelu_forward(out.p, nil, x, n)
            outs.append(out.array)
        }
        // Absolute for small values: 1 + erf(x) cancels for negative x, so
        // FMA contraction moves tiny outputs by ~1e-7 absolute.
        #expect(maxRelError(outs[0], outs[1].map(Double.init), floor: 1) < 1e-6)
    }
}
