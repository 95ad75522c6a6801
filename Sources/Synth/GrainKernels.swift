/// The inner loops of the grain engine: fill a window, read a source, add into the mix.
///
/// Each is a flat loop over preallocated buffers, eight lanes at a time with a scalar tail, and
/// no calls that could lock or allocate. Splitting "compute the window" from "multiply-add the
/// source" keeps the four channel layouts down to four short loops and the window to one.
enum GrainKernels {
    /// `envelope[k] = gain · raisedCosine(x0 + k·dx)` for `k` in `0..<count`, all arguments in [0, 1].
    ///
    /// For long ramps the polynomial is evaluated once, for 32 consecutive frames; after that each
    /// lane's pair (cos πx, sin πx) is rotated by the angle of 32 frames: two multiplies and three
    /// multiply-adds per 8 samples instead of a dozen operations, in four independent chains so the
    /// rotation's latency is hidden. Rounding drifts by about 1e-7 per step, below 1e-5 over the at
    /// most 32 steps of one call. Short ramps and the tail use the polynomial directly.
    @_noLocks @_noAllocation
    @inline(__always)
    static func fillRamp(
        _ envelope: UnsafeMutablePointer<Float>, count: Int, x0: Float, dx: Float, gain: Float
    ) {
        let lanes = SIMD8<Float>(0, 1, 2, 3, 4, 5, 6, 7)
        var k = 0
        // The rotation angle must stay within the polynomial's range: |32π·dx| ≤ π/2.
        if count >= 64, abs(dx) <= 1.0 / 64 {
            // cos πx = −sin π(x − ½) and sin πx = cos π(x − ½), with π(x − ½) inside the series' range.
            func phase(_ block: Float) -> SIMD8<Float> {
                (SIMD8(repeating: x0 + 8 * block * dx).addingProduct(lanes, dx) - 0.5) * Float.pi
            }
            let u0 = phase(0)
            let u1 = phase(1)
            let u2 = phase(2)
            let u3 = phase(3)
            var cos0 = -FastMath.sine(u0)
            var cos1 = -FastMath.sine(u1)
            var cos2 = -FastMath.sine(u2)
            var cos3 = -FastMath.sine(u3)
            var sin0 = FastMath.cosine(u0)
            var sin1 = FastMath.cosine(u1)
            var sin2 = FastMath.cosine(u2)
            var sin3 = FastMath.cosine(u3)
            let angle = SIMD8<Float>(repeating: 32 * Float.pi * dx)
            let stepCos = FastMath.cosine(angle)
            let stepSin = FastMath.sine(angle)
            let half = SIMD8<Float>(repeating: 0.5 * gain)
            @inline(__always)
            func rotate(_ c: inout SIMD8<Float>, _ s: inout SIMD8<Float>) {
                let rotated = (c * stepCos).addingProduct(-s, stepSin)
                s = (s * stepCos).addingProduct(c, stepSin)
                c = rotated
            }
            while k &+ 32 <= count {
                store(half.addingProduct(-half, cos0), envelope + k)
                store(half.addingProduct(-half, cos1), envelope + (k &+ 8))
                store(half.addingProduct(-half, cos2), envelope + (k &+ 16))
                store(half.addingProduct(-half, cos3), envelope + (k &+ 24))
                rotate(&cos0, &sin0)
                rotate(&cos1, &sin1)
                rotate(&cos2, &sin2)
                rotate(&cos3, &sin3)
                k &+= 32
            }
        }
        while k &+ 8 <= count {
            let x = SIMD8(repeating: x0).addingProduct(SIMD8(repeating: Float(k)) + lanes, dx)
            store(FastMath.raisedCosine(x) * gain, envelope + k)
            k &+= 8
        }
        while k < count {
            envelope[k] = FastMath.raisedCosine(x0 + Float(k) * dx) * gain
            k &+= 1
        }
    }

    /// `envelope[k] = gain` for `k` in `0..<count`.
    @_noLocks @_noAllocation
    @inline(__always)
    static func fillConstant(_ envelope: UnsafeMutablePointer<Float>, count: Int, gain: Float) {
        envelope.update(repeating: gain, count: count)
    }

    /// `mix[k] += source[k] · envelope[k]`: a mono grain into a mono mix.
    @_noLocks @_noAllocation
    @inline(__always)
    static func addMono(
        _ mix: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>,
        _ envelope: UnsafePointer<Float>, count: Int
    ) {
        var k = 0
        while k + 8 <= count {
            store(load(mix + k).addingProduct(load(source + k), load(envelope + k)), mix + k)
            k += 8
        }
        while k < count {
            mix[k] += source[k] * envelope[k]
            k += 1
        }
    }

    /// `mix[k] += ½(L[k] + R[k]) · envelope[k]` with L, R interleaved in `source`: a stereo grain into
    /// a mono mix (the ½ is folded into the envelope by the caller).
    @_noLocks @_noAllocation
    @inline(__always)
    static func addStereoToMono(
        _ mix: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>,
        _ envelope: UnsafePointer<Float>, count: Int
    ) {
        var k = 0
        while k + 8 <= count {
            let pair = load16(source + 2 * k)
            store(load(mix + k).addingProduct(pair.evenHalf + pair.oddHalf, load(envelope + k)), mix + k)
            k += 8
        }
        while k < count {
            mix[k] += (source[2 * k] + source[2 * k + 1]) * envelope[k]
            k += 1
        }
    }

    /// A mono grain into a stereo mix with pan gains.
    @_noLocks @_noAllocation
    @inline(__always)
    static func addMonoToStereo(
        _ left: UnsafeMutablePointer<Float>, _ right: UnsafeMutablePointer<Float>,
        _ source: UnsafePointer<Float>, _ envelope: UnsafePointer<Float>, count: Int,
        leftGain: Float, rightGain: Float
    ) {
        var k = 0
        while k + 8 <= count {
            let sample = load(source + k) * load(envelope + k)
            store(load(left + k).addingProduct(sample, leftGain), left + k)
            store(load(right + k).addingProduct(sample, rightGain), right + k)
            k += 8
        }
        while k < count {
            let sample = source[k] * envelope[k]
            left[k] += sample * leftGain
            right[k] += sample * rightGain
            k += 1
        }
    }

    /// A stereo grain (interleaved) into a stereo mix with balance gains.
    @_noLocks @_noAllocation
    @inline(__always)
    static func addStereo(
        _ left: UnsafeMutablePointer<Float>, _ right: UnsafeMutablePointer<Float>,
        _ source: UnsafePointer<Float>, _ envelope: UnsafePointer<Float>, count: Int,
        leftGain: Float, rightGain: Float
    ) {
        var k = 0
        while k + 8 <= count {
            let pair = load16(source + 2 * k)
            let window = load(envelope + k)
            store(load(left + k).addingProduct(pair.evenHalf * window, leftGain), left + k)
            store(load(right + k).addingProduct(pair.oddHalf * window, rightGain), right + k)
            k += 8
        }
        while k < count {
            left[k] += source[2 * k] * envelope[k] * leftGain
            right[k] += source[2 * k + 1] * envelope[k] * rightGain
            k += 1
        }
    }

    /// Reads `count` output frames of a source at a fractional rate by linear interpolation.
    ///
    /// - Parameters:
    ///   - source: the grain's first source sample (interleaved).
    ///   - channels: 1 or 2.
    ///   - first: output frame index of the first frame to read, within the grain.
    ///   - rate: source frames per output frame.
    ///   - destination: receives `count × channels` interleaved samples.
    @_noLocks @_noAllocation
    @inline(__always)
    static func resample(
        _ source: UnsafePointer<Float>, channels: Int, first: Int, rate: Double, count: Int,
        into destination: UnsafeMutablePointer<Float>
    ) {
        for k in 0..<count {
            let position = Double(first + k) * rate
            let index = Int(position)
            let fraction = Float(position - Double(index))
            for channel in 0..<channels {
                let a = source[index * channels + channel]
                let b = source[(index + 1) * channels + channel]
                destination[k * channels + channel] = a + (b - a) * fraction
            }
        }
    }

    @_noLocks @_noAllocation

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @_noLocks @_noAllocation

    @inline(__always)
    static func load(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @_noLocks @_noAllocation

    @inline(__always)
    static func load16(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    @_noLocks @_noAllocation

    @inline(__always)
    static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}
