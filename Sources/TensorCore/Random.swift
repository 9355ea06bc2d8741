// RandomGenerator: the one seeded, reproducible PRNG of lfr.
//
// Algorithm (fixed; changing it changes every seeded result):
//   seeding: SplitMix64 (Steele, Lea, Flood 2014) expands the 64-bit seed
//            into the four state words;
//   stream:  xoshiro256** 1.0 (Blackman, Vigna 2018);
//   uniform: the top 24 bits of a draw, times 2^-24, give a Float in [0, 1);
//            the top 53 bits give a Double in [0, 1);
//   normal:  Box-Muller in Double from two uniforms (u1 in (0, 1]), both
//            outputs used in order.
// Integer arithmetic only wraps (&+, &*, rotates), so the same seed gives the
// same numbers on every machine. The state is four words plus the cached
// second normal, all public, so runs can save and restore it exactly.

/// A seeded xoshiro256** generator (see the file header for the algorithm).
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    public var state: (UInt64, UInt64, UInt64, UInt64)
    /// The second Box-Muller output, waiting to be used.
    public var pendingNormal: Double?

    public init(seed: UInt64) {
        var sm = seed
        func splitmix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitmix(), splitmix(), splitmix(), splitmix())
        pendingNormal = nil
    }

    /// Restores a generator from saved state words.
    public init(state: (UInt64, UInt64, UInt64, UInt64), pendingNormal: Double? = nil) {
        self.state = state
        self.pendingNormal = pendingNormal
    }

    public static func == (a: RandomGenerator, b: RandomGenerator) -> Bool {
        a.state == b.state && a.pendingNormal == b.pendingNormal
    }

    @inlinable
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = RandomGenerator.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = RandomGenerator.rotl(state.3, 45)
        return result
    }

    /// A Float uniformly distributed in [0, 1).
    @inlinable
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A Double uniformly distributed in [0, 1).
    @inlinable
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal sample (Box-Muller, see the file header).
    public mutating func nextNormal() -> Double {
        if let z = pendingNormal {
            pendingNormal = nil
            return z
        }
        let u1 = 1.0 - nextDouble()          // (0, 1]: log is finite
        let u2 = nextDouble()
        let r = (-2.0 * _log(u1)).squareRoot()
        let theta = 2.0 * Double.pi * u2
        pendingNormal = r * _sin(theta)
        return r * _cos(theta)
    }

    /// An integer uniformly distributed in 0..<bound (bound > 0), without
    /// modulo bias (Lemire's multiply-shift with rejection).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Shuffles a buffer in place (Fisher-Yates from the last element).
    public mutating func shuffle<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        var i = buffer.count - 1
        while i > 0 {
            let j = nextInt(below: i + 1)
            buffer.swapAt(i, j)
            i -= 1
        }
    }
}

#if canImport(Glibc)
import Glibc
@usableFromInline func _log(_ x: Double) -> Double { Glibc.log(x) }
@usableFromInline func _sin(_ x: Double) -> Double { Glibc.sin(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Foundation
@usableFromInline func _log(_ x: Double) -> Double { Foundation.log(x) }
@usableFromInline func _sin(_ x: Double) -> Double { Foundation.sin(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Foundation.cos(x) }
#endif
