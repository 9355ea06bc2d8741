// FastMath: scalar Float functions written so that a loop over unsafe
// buffers calling them vectorises (no libm calls, no branches, no traps).
//
// What stays true here: every function is straight-line code (selects, not
// branches), handles NaN and +-infinity, and is compared in the tests with
// the C library (expf, tanhf, erff) on a dense grid:
//   fastExp    Cody-Waite range reduction to |r| <= ln2/2, Cephes' degree-6
//              polynomial, scaling by 2^n done in two halves so that results
//              underflow gradually to 0 and overflow to +inf; rel. error ~2 ulp.
//   fastExpm1  same reduction, Taylor polynomial to r^8 for expm1(r), then
//              2^n * p + (2^n - 1): accurate near 0 (no cancellation).
//   fastTanh   sign(x) * -e / (2 + e) with e = expm1(-2|x|); abs. error ~1e-7.
//   geluErf    0.5 x (1 + erf(x / sqrt 2)) written with erfc so that the
//              negative tail keeps its relative accuracy; erfc(z) is the
//              Chebyshev fit t exp(-z^2 + P(t)), t = 1 / (1 + z/2) (fractional
//              error 1.2e-7, Numerical Recipes' erfcc), with z^2 split exactly
//              so that exp(-z^2) keeps its accuracy for large z.
//   geluTanh   the tanh approximation 0.5 x (1 + tanh(u)), evaluated as
//              x * sigmoid(2u) (the same value, without cancellation),
//              u = sqrt(2/pi) (x + 0.044715 x^3).

/// Two to the power `n` for -126 <= n <= 127, built from its bit pattern.
@inlinable @inline(__always)
func pow2i(_ n: Int32) -> Float {
    Float(bitPattern: UInt32(bitPattern: (n &+ 127) &<< 23))
}

/// e^x (see the file header for the method and accuracy).
@inlinable @inline(__always)
public func fastExp(_ x: Float) -> Float {
    var v = x > 89 ? 89 : x
    v = v < -104 ? -104 : v
    let t = v * 1.442_695_04
    let magic: Float = 12_582_912          // 1.5 * 2^23: adding it rounds to an integer
    let kf = t + magic
    let n = Int32(bitPattern: kf.bitPattern) &- 0x4B40_0000
    let k = kf - magic
    var r = v - k * 0.693_359_375
    r = r - k * -2.121_944_4e-4
    let z = r * r
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * z + r + 1
    let n1 = n &>> 1
    let n2 = n &- n1
    return p * pow2i(n1) * pow2i(n2)
}

/// e^x - 1, accurate for small |x| (see the file header).
@inlinable @inline(__always)
public func fastExpm1(_ x: Float) -> Float {
    var v = x > 88 ? 88 : x
    v = v < -30 ? -30 : v
    let t = v * 1.442_695_04
    let magic: Float = 12_582_912
    let kf = t + magic
    let n = Int32(bitPattern: kf.bitPattern) &- 0x4B40_0000
    let k = kf - magic
    var r = v - k * 0.693_359_375
    r = r - k * -2.121_944_4e-4
    // expm1(r) = r + r^2/2! + ... + r^8/8!
    var p: Float = 1.0 / 40320
    p = p * r + 1.0 / 5040
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r * r + r
    let n1 = n &>> 1
    let n2 = n &- n1
    let scale = pow2i(n1) * pow2i(n2)
    let result = scale * p + (scale - 1)
    return x > 88 ? Float.infinity : result
}

/// The hyperbolic tangent (see the file header).
@inlinable @inline(__always)
public func fastTanh(_ x: Float) -> Float {
    let signBit = x.bitPattern & 0x8000_0000
    let a = Float(bitPattern: x.bitPattern & 0x7FFF_FFFF)
    let e = fastExpm1(-2 * a)
    let t = -e / (2 + e)
    return Float(bitPattern: t.bitPattern | signBit)
}

/// The logistic function 1 / (1 + e^-x).
@inlinable @inline(__always)
public func fastSigmoid(_ x: Float) -> Float {
    1 / (1 + fastExp(-x))
}

/// erfc(z) for z >= 0 with relative error ~1e-6 (see the file header).
@inlinable @inline(__always)
public func fastErfcNonNegative(_ z: Float) -> Float {
    let t = 1 / (1 + 0.5 * z)
    var p: Float = 0.170_872_77
    p = p * t - 0.822_152_23
    p = p * t + 1.488_515_87
    p = p * t - 1.135_203_98
    p = p * t + 0.278_868_07
    p = p * t - 0.186_288_06
    p = p * t + 0.096_784_18
    p = p * t + 0.374_091_96
    p = p * t + 1.000_023_68
    p = p * t - 1.265_512_23
    // z * z split exactly (Veltkamp): hi has 12 significant bits, so hi * hi is exact.
    let c = 4097 * z
    let hi = c - (c - z)
    let lo = z - hi
    let rest = -(2 * hi * lo + lo * lo) + p
    let value = t * fastExp(-hi * hi) * fastExp(rest)
    return z > 9.5 ? 0 : value            // erfc underflows there; also keeps +inf from giving NaN
}

/// GELU in its exact form, 0.5 x (1 + erf(x / sqrt 2)) (see the file header).
@inlinable @inline(__always)
public func geluErf(_ x: Float) -> Float {
    let z = Float(bitPattern: x.bitPattern & 0x7FFF_FFFF) * 0.707_106_781_2
    let q = fastErfcNonNegative(z)         // erfc(|x| / sqrt 2)
    let half = q == 0 ? 0 : 0.5 * x * q   // q == 0 at +-inf, where x * q would be NaN
    return x >= 0 ? x - half : half
}

/// GELU with the tanh approximation (see the file header).
@inlinable @inline(__always)
public func geluTanh(_ x: Float) -> Float {
    let u = 0.797_884_560_8 * (x + 0.044_715 * x * x * x)
    let y = x / (1 + fastExp(-2 * u))
    return x < -20 ? 0 : y                // the exact value there is below 1e-37; avoids -inf / inf
}
