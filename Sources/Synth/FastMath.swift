/// Polynomial approximations used on the audio thread, where libm calls cannot be proven free of
/// locks and allocation.
///
/// Each is a truncated Taylor series on a range small enough that the first omitted term is below
/// single-precision rounding (stated per function), so no table or range reduction is needed.
enum FastMath {
    /// `sin(u)` for `u` in [−π/2, π/2]; absolute error below 6e-8 (the u¹³ term).
    @_noLocks @_noAllocation
    @inline(__always)
    static func sine(_ u: Float) -> Float {
        let u2 = u * u
        var p: Float = -2.505_210_8e-8  // −1/11!
        p = p * u2 + 2.755_731_9e-6  // 1/9!
        p = p * u2 - 1.984_127e-4  // −1/7!
        p = p * u2 + 8.333_333_3e-3  // 1/5!
        p = p * u2 - 0.166_666_67  // −1/3!
        return u + u * u2 * p
    }

    /// `sin(u)` lane by lane for `u` in [−π/2, π/2]; see ``sine(_:)-(Float)``.
    @_noLocks @_noAllocation
    @inline(__always)
    static func sine(_ u: SIMD8<Float>) -> SIMD8<Float> {
        let u2 = u * u
        var p = u2 * -2.505_210_8e-8 + 2.755_731_9e-6
        p = p * u2 - 1.984_127e-4
        p = p * u2 + 8.333_333_3e-3
        p = p * u2 - 0.166_666_67
        return u + u * u2 * p
    }

    /// `cos(u)` lane by lane for `u` in [−π/2, π/2]; absolute error below 7e-9 (the u¹⁴ term).
    @_noLocks @_noAllocation
    @inline(__always)
    static func cosine(_ u: SIMD8<Float>) -> SIMD8<Float> {
        let u2 = u * u
        var p = u2 * 2.087_675_7e-9 - 2.755_731_9e-7
        p = p * u2 + 2.480_158_7e-5
        p = p * u2 - 1.388_888_9e-3
        p = p * u2 + 4.166_666_8e-2
        p = p * u2 - 0.5
        return p * u2 + 1
    }

    /// The raised-cosine ramp `½ − ½·cos(πx)`: 0 at `x = 0`, 1 at `x = 1`, zero slope at both ends.
    ///
    /// Written as `½ + ½·sin(π(x − ½))` so the series argument stays inside [−π/2, π/2]; `x` is
    /// clamped to [0, 1].
    @_noLocks @_noAllocation
    @inline(__always)
    static func raisedCosine(_ x: Float) -> Float {
        let t = min(max(x, 0), 1) - 0.5
        return 0.5 + 0.5 * sine(Float.pi * t)
    }

    /// ``raisedCosine(_:)-(Float)`` lane by lane, for `x` already in [0, 1] (not clamped: the
    /// generic clamp is not inlined and would cost more than the polynomial).
    @_noLocks @_noAllocation
    @inline(__always)
    static func raisedCosine(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let u = (x - 0.5) * Float.pi
        return sine(u) * 0.5 + 0.5
    }

    /// `2^e` for `e` in [−1, 1]; relative error below 3e-6 (the 8th-order term of `exp(e·ln 2)` plus
    /// rounding).
    @_noLocks @_noAllocation
    @inline(__always)
    static func exp2(_ e: Float) -> Float {
        let y = min(max(e, -1), 1) * 0.693_147_2
        var p: Float = 1.0 / 5040
        p = p * y + 1.0 / 720
        p = p * y + 1.0 / 120
        p = p * y + 1.0 / 24
        p = p * y + 1.0 / 6
        p = p * y + 0.5
        p = p * y + 1
        return p * y + 1
    }

    /// `|x|` lane by lane (the generic SIMD helpers are not always inlined; this lowers to a blend).
    @_noLocks @_noAllocation
    @inline(__always)
    static func magnitude(_ x: SIMD8<Float>) -> SIMD8<Float> {
        x.replacing(with: -x, where: x .< 0)
    }

    /// The larger of `a` and `b` lane by lane.
    @_noLocks @_noAllocation
    @inline(__always)
    static func maximum(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        a.replacing(with: b, where: b .> a)
    }

    /// The largest lane.
    @_noLocks @_noAllocation
    @inline(__always)
    static func largest(_ x: SIMD8<Float>) -> Float {
        let half = x.lowHalf.replacing(with: x.highHalf, where: x.highHalf .> x.lowHalf)
        let quarter = half.lowHalf.replacing(with: half.highHalf, where: half.highHalf .> half.lowHalf)
        return max(quarter[0], quarter[1])
    }
}
