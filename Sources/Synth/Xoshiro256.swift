/// The xoshiro256** pseudo-random generator (Blackman & Vigna): fast, 256 bits of state, and the
/// same sequence on every machine for a given seed, which is what makes renders bit-identical.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator whose state is expanded from `seed` by SplitMix64, as the authors advise.
    ///
    /// - Parameter seed: any value; equal seeds give equal sequences.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z &>> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    /// The next 64 random bits.
    ///
    /// - Returns: a uniformly distributed `UInt64`.
    @_noLocks @_noAllocation
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) &<< 7 | (s1 &* 5) &>> 57) &* 9
        let t = s1 &<< 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 &<< 45 | s3 &>> 19
        return result
    }

    /// A uniform value in [0, 1) with 24 random bits (every representable step of a `Float` there).
    ///
    /// - Returns: the value.
    @_noLocks @_noAllocation
    @inline(__always)
    public mutating func unitFloat() -> Float {
        Float(next() &>> 40) * 0x1p-24
    }

    /// A uniform value in [0, 1) with 53 random bits.
    ///
    /// - Returns: the value.
    @_noLocks @_noAllocation
    @inline(__always)
    public mutating func unitDouble() -> Double {
        Double(next() &>> 11) * 0x1p-53
    }
}
