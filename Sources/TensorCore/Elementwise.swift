// Elementwise: unary and binary maps with NumPy broadcasting, comparisons
// (0/1 Float results), where, clamp, and the operator spellings.
//
// What stays true here: every result is a fresh dense tensor. Each op has
// one row kernel (`unaryRow`, `binaryRow`) that loops over unsafe pointers
// with the op's scalar function inlined; contiguous operands take a
// unit-stride loop the compiler vectorises, broadcast scalars a loop with one
// fixed operand, everything else a strided loop. Dense inputs are split into
// chunks for `Parallel.forEachChunk`; strided inputs are walked by rows
// (see RowWalker in Broadcast.swift). Shape errors name the op and both shapes.
import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// Elementwise functions of one tensor.
public enum UnaryOp: String, CaseIterable, Sendable {
    case neg, abs, exp, log, sqrt, tanh, sigmoid, relu, gelu, geluTanh, square
    case sign, floor, ceil, round, sin, cos, log1p, expm1, reciprocal
}

/// Elementwise functions of two broadcast tensors. Comparisons give 1 or 0.
public enum ElementwiseOp: String, CaseIterable, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", pow = "**"
    case maximum, minimum
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
}

// MARK: - Row kernels

@inline(__always)
func mapRow(_ src: UnsafePointer<Float>, _ ss: Int, _ dst: UnsafeMutablePointer<Float>, _ n: Int,
            _ f: (Float) -> Float) {
    if ss == 1 {
        for i in 0..<n { dst[i] = f(src[i]) }
    } else {
        var p = src
        for i in 0..<n { dst[i] = f(p.pointee); p += ss }
    }
}

/// dst[i] = op(src[i * ss]) for i in 0..<n.
@usableFromInline
func unaryRow(_ op: UnaryOp, _ src: UnsafePointer<Float>, _ ss: Int,
              _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    switch op {
    case .neg: mapRow(src, ss, dst, n) { -$0 }
    case .abs: mapRow(src, ss, dst, n) { Swift.abs($0) }
    case .exp:
        // Dense rows take CKernels' vector exp (fastExp in AVX-512/AVX2
        // lanes, picked at run time: Swift's own loop compiles to SSE).
        if ss == 1 { lfr_exp(dst, src, n) } else { mapRow(src, ss, dst, n) { fastExp($0) } }
    case .log: mapRow(src, ss, dst, n) { logf($0) }
    case .sqrt: mapRow(src, ss, dst, n) { $0.squareRoot() }
    case .tanh: mapRow(src, ss, dst, n) { fastTanh($0) }
    case .sigmoid: mapRow(src, ss, dst, n) { fastSigmoid($0) }
    case .relu: mapRow(src, ss, dst, n) { $0 < 0 ? 0 : $0 }   // NaN stays NaN, as in maximum and clamp
    case .gelu: mapRow(src, ss, dst, n) { geluErf($0) }
    case .geluTanh: mapRow(src, ss, dst, n) { geluTanh($0) }
    case .square: mapRow(src, ss, dst, n) { $0 * $0 }
    case .sign: mapRow(src, ss, dst, n) { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) }
    case .floor: mapRow(src, ss, dst, n) { $0.rounded(.down) }
    case .ceil: mapRow(src, ss, dst, n) { $0.rounded(.up) }
    case .round: mapRow(src, ss, dst, n) { $0.rounded(.toNearestOrEven) }
    case .sin: mapRow(src, ss, dst, n) { sinf($0) }
    case .cos: mapRow(src, ss, dst, n) { cosf($0) }
    case .log1p: mapRow(src, ss, dst, n) { log1pf($0) }
    case .expm1: mapRow(src, ss, dst, n) { fastExpm1($0) }
    case .reciprocal: mapRow(src, ss, dst, n) { 1 / $0 }
    }
}

@inline(__always)
func zipRow(_ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
            _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Float, Float) -> Float) {
    if sa == 1 && sb == 1 {
        for i in 0..<n { dst[i] = f(a[i], b[i]) }
    } else if sa == 1 && sb == 0 {
        let y = b.pointee
        for i in 0..<n { dst[i] = f(a[i], y) }
    } else if sa == 0 && sb == 1 {
        let x = a.pointee
        for i in 0..<n { dst[i] = f(x, b[i]) }
    } else {
        var p = a, q = b
        for i in 0..<n { dst[i] = f(p.pointee, q.pointee); p += sa; q += sb }
    }
}

@inline(__always) func powf32(_ x: Float, _ y: Float) -> Float {
    y == 2 ? x * x : (y == 1 ? x : powf(x, y))
}

/// dst[i] = op(a[i * sa], b[i * sb]) for i in 0..<n.
@usableFromInline
func binaryRow(_ op: ElementwiseOp, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
               _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    switch op {
    case .add: zipRow(a, sa, b, sb, dst, n) { $0 + $1 }
    case .sub: zipRow(a, sa, b, sb, dst, n) { $0 - $1 }
    case .mul: zipRow(a, sa, b, sb, dst, n) { $0 * $1 }
    case .div: zipRow(a, sa, b, sb, dst, n) { $0 / $1 }
    case .pow: zipRow(a, sa, b, sb, dst, n) { powf32($0, $1) }
    // NaN propagates through maximum/minimum (as in NumPy).
    case .maximum: zipRow(a, sa, b, sb, dst, n) { $0 != $0 || $0 > $1 ? $0 : $1 }
    case .minimum: zipRow(a, sa, b, sb, dst, n) { $0 != $0 || $0 < $1 ? $0 : $1 }
    case .eq: zipRow(a, sa, b, sb, dst, n) { $0 == $1 ? 1 : 0 }
    case .ne: zipRow(a, sa, b, sb, dst, n) { $0 != $1 ? 1 : 0 }
    case .lt: zipRow(a, sa, b, sb, dst, n) { $0 < $1 ? 1 : 0 }
    case .le: zipRow(a, sa, b, sb, dst, n) { $0 <= $1 ? 1 : 0 }
    case .gt: zipRow(a, sa, b, sb, dst, n) { $0 > $1 ? 1 : 0 }
    case .ge: zipRow(a, sa, b, sb, dst, n) { $0 >= $1 ? 1 : 0 }
    }
}

/// Smallest number of elements worth a thread for a map.
@usableFromInline let elementwiseGrain = 65_536

/// Runs `row(offset0, offset1, offset2, dstOffset, count)` over every row of
/// a walk of up to three operands (missing ones get offset 0), in parallel
/// chunks; a walk with a single long row is split inside the row.
@inline(__always)
func forEachRowChunk(_ w: RowWalker, _ row: (Int, Int, Int, _ dst: Int, _ count: Int) -> Void) {
    let operands = w.offsets.count
    @inline(__always) func offset(_ k: Int, _ r: Int) -> Int { k < operands ? w.rowOffset(r, operand: k) : 0 }
    if w.rows == 1 {
        Parallel.forEachChunk(w.inner, grain: elementwiseGrain) { r in
            @inline(__always) func at(_ k: Int) -> Int {
                k < operands ? w.offsets[k] + r.lowerBound * w.innerStrides[k] : 0
            }
            row(at(0), at(1), at(2), r.lowerBound, r.count)
        }
    } else if w.rows > 1 {
        Parallel.forEachChunk(w.rows, grain: max(1, elementwiseGrain / max(w.inner, 1))) { r in
            for i in r { row(offset(0, i), offset(1, i), offset(2, i), i * w.inner, w.inner) }
        }
    }
}

extension Tensor {
    // MARK: - Unary

    /// Applies `op` to every element.
    public func map(_ op: UnaryOp) -> Tensor {
        let n = count
        let out = TensorStorage(uninitializedCount: n)
        let dst = out.pointer, src = storage.pointer
        let w = RowWalker(shape: shape, strides: [strides], offsets: [offset])
        withExtendedLifetime(self) {
            forEachRowChunk(w) { o0, _, _, d, c in
                unaryRow(op, src + o0, w.innerStrides[0], dst + d, c)
            }
        }
        return Tensor(storage: out, shape: shape, strides: Tensor.contiguousStrides(shape), offset: 0)
    }

    public func neg() -> Tensor { map(.neg) }
    public func abs() -> Tensor { map(.abs) }
    public func exp() -> Tensor { map(.exp) }
    public func log() -> Tensor { map(.log) }
    public func sqrt() -> Tensor { map(.sqrt) }
    public func tanh() -> Tensor { map(.tanh) }
    public func sigmoid() -> Tensor { map(.sigmoid) }
    public func relu() -> Tensor { map(.relu) }
    /// GELU; `approximate: true` uses the tanh form (GPT-2's), else the exact erf form.
    public func gelu(approximate: Bool = false) -> Tensor { map(approximate ? .geluTanh : .gelu) }

    /// Elements limited to [min, max] (either bound may be nil). NaN stays NaN.
    public func clamp(min lo: Float? = nil, max hi: Float? = nil) throws -> Tensor {
        if let lo = lo, let hi = hi, lo > hi {
            throw TensorError.invalidArgument(op: "clamp", message: "min \(lo) is greater than max \(hi)")
        }
        var t = self
        if let lo = lo { t = try Tensor.binary(.maximum, t, Tensor(scalar: lo)) }
        if let hi = hi { t = try Tensor.binary(.minimum, t, Tensor(scalar: hi)) }
        return lo == nil && hi == nil ? Tensor(copying: self) : t
    }

    // MARK: - Binary

    /// Applies `op` to the operands broadcast to a common shape.
    public static func binary(_ op: ElementwiseOp, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let shape = try broadcastShape(a.shape, b.shape, op: op.rawValue)
        guard let n = elementCount(shape) else { throw TensorError.invalidShape(op: op.rawValue, shape: shape) }
        let out = try allocate(n, op: op.rawValue)
        let dst = out.pointer, pa = a.storage.pointer, pb = b.storage.pointer
        let w = RowWalker(shape: shape,
                          strides: [a.broadcastStrides(to: shape), b.broadcastStrides(to: shape)],
                          offsets: [a.offset, b.offset])
        withExtendedLifetime((a, b)) {
            forEachRowChunk(w) { o0, o1, _, d, c in
                binaryRow(op, pa + o0, w.innerStrides[0], pb + o1, w.innerStrides[1], dst + d, c)
            }
        }
        return Tensor(storage: out, shape: shape, strides: contiguousStrides(shape), offset: 0)
    }

    public static func binary(_ op: ElementwiseOp, _ a: Tensor, _ b: Float) throws -> Tensor {
        try binary(op, a, Tensor(scalar: b))
    }
    public static func binary(_ op: ElementwiseOp, _ a: Float, _ b: Tensor) throws -> Tensor {
        try binary(op, Tensor(scalar: a), b)
    }

    public func pow(_ exponent: Tensor) throws -> Tensor { try Tensor.binary(.pow, self, exponent) }
    public func pow(_ exponent: Float) throws -> Tensor { try Tensor.binary(.pow, self, exponent) }
    public static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor { try binary(.maximum, a, b) }
    public static func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor { try binary(.minimum, a, b) }

    // MARK: - where

    /// Picks `a` where `condition` is nonzero and `b` elsewhere, all three broadcast.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let s1 = try broadcastShape(condition.shape, a.shape, op: "where")
        let shape = try broadcastShape(s1, b.shape, op: "where")
        guard let n = elementCount(shape) else { throw TensorError.invalidShape(op: "where", shape: shape) }
        let out = try allocate(n, op: "where")
        let dst = out.pointer
        let pc = condition.storage.pointer, pa = a.storage.pointer, pb = b.storage.pointer
        let w = RowWalker(shape: shape,
                          strides: [condition.broadcastStrides(to: shape), a.broadcastStrides(to: shape),
                                    b.broadcastStrides(to: shape)],
                          offsets: [condition.offset, a.offset, b.offset])
        let sc = w.innerStrides[0], sa = w.innerStrides[1], sb = w.innerStrides[2]
        withExtendedLifetime((condition, a, b)) {
            forEachRowChunk(w) { o0, o1, o2, d, c in
                var p = pc + o0, q = pa + o1, r = pb + o2
                let o = dst + d
                for i in 0..<c {
                    o[i] = p.pointee != 0 ? q.pointee : r.pointee
                    p += sc; q += sa; r += sb
                }
            }
        }
        return Tensor(storage: out, shape: shape, strides: contiguousStrides(shape), offset: 0)
    }

    public static func `where`(_ condition: Tensor, _ a: Float, _ b: Float) throws -> Tensor {
        try `where`(condition, Tensor(scalar: a), Tensor(scalar: b))
    }
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Float) throws -> Tensor {
        try `where`(condition, a, Tensor(scalar: b))
    }
    public static func `where`(_ condition: Tensor, _ a: Float, _ b: Tensor) throws -> Tensor {
        try `where`(condition, Tensor(scalar: a), b)
    }

    // MARK: - Operators (throwing: `try a + b`)

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try binary(.add, a, b) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try binary(.sub, a, b) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try binary(.mul, a, b) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try binary(.div, a, b) }
    public static func + (a: Tensor, b: Float) throws -> Tensor { try binary(.add, a, b) }
    public static func - (a: Tensor, b: Float) throws -> Tensor { try binary(.sub, a, b) }
    public static func * (a: Tensor, b: Float) throws -> Tensor { try binary(.mul, a, b) }
    public static func / (a: Tensor, b: Float) throws -> Tensor { try binary(.div, a, b) }
    public static func + (a: Float, b: Tensor) throws -> Tensor { try binary(.add, a, b) }
    public static func - (a: Float, b: Tensor) throws -> Tensor { try binary(.sub, a, b) }
    public static func * (a: Float, b: Tensor) throws -> Tensor { try binary(.mul, a, b) }
    public static func / (a: Float, b: Tensor) throws -> Tensor { try binary(.div, a, b) }
    public static prefix func - (a: Tensor) -> Tensor { a.map(.neg) }

    // Elementwise comparisons use the SIMD spellings (.<, .== ...) and give 0/1 tensors.
    public static func .== (a: Tensor, b: Tensor) throws -> Tensor { try binary(.eq, a, b) }
    public static func .!= (a: Tensor, b: Tensor) throws -> Tensor { try binary(.ne, a, b) }
    public static func .< (a: Tensor, b: Tensor) throws -> Tensor { try binary(.lt, a, b) }
    public static func .<= (a: Tensor, b: Tensor) throws -> Tensor { try binary(.le, a, b) }
    public static func .> (a: Tensor, b: Tensor) throws -> Tensor { try binary(.gt, a, b) }
    public static func .>= (a: Tensor, b: Tensor) throws -> Tensor { try binary(.ge, a, b) }
    public static func .== (a: Tensor, b: Float) throws -> Tensor { try binary(.eq, a, b) }
    public static func .!= (a: Tensor, b: Float) throws -> Tensor { try binary(.ne, a, b) }
    public static func .< (a: Tensor, b: Float) throws -> Tensor { try binary(.lt, a, b) }
    public static func .<= (a: Tensor, b: Float) throws -> Tensor { try binary(.le, a, b) }
    public static func .> (a: Tensor, b: Float) throws -> Tensor { try binary(.gt, a, b) }
    public static func .>= (a: Tensor, b: Float) throws -> Tensor { try binary(.ge, a, b) }
}
