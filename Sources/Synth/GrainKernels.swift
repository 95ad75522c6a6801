/// The inner loops of the grain engine: a grain's window (raised-cosine ramps, a constant middle,
/// a steal fade) computed eight frames at a time and applied at once to the grain's source and the
/// mix, in each of the four channel layouts (``GrainTarget``).
///
/// Each loop is flat, eight lanes at a time with a scalar tail, with no calls that could lock or
/// allocate. The loops are generic over the target, so one loop per window shape serves every
/// layout; the render path calls the four non-generic ``applyWindow(_:from:count:to:envelope:)``
/// entry points, in whose specialisations everything is inlined. (The targets live in this file
/// too, so they are inlined even when the module is compiled file by file, as in debug builds.)
enum GrainKernels {
    /// Applies a mono grain's window × gain for frames `from..<from + count` to a mono mix.
    ///
    /// - Parameters:
    ///   - voice: the grain.
    ///   - position: the grain's frame at the first frame of `target`.
    ///   - count: frames to apply.
    ///   - target: where the windowed source goes.
    ///   - envelope: room for `count` floats, used for a stolen grain's fade.
    @_noLocks @_noAllocation
    static func applyWindow(
        _ voice: Voice, from position: Int, count: Int, to target: MonoIntoMono,
        envelope: UnsafeMutablePointer<Float>
    ) {
        window(voice, from: position, count: count, to: target, envelope: envelope)
    }

    /// A stereo grain into a mono mix; see ``applyWindow(_:from:count:to:envelope:)-(_,_,_,MonoIntoMono,_)``.
    @_noLocks @_noAllocation
    static func applyWindow(
        _ voice: Voice, from position: Int, count: Int, to target: StereoIntoMono,
        envelope: UnsafeMutablePointer<Float>
    ) {
        window(voice, from: position, count: count, to: target, envelope: envelope)
    }

    /// A mono grain into a stereo mix; see ``applyWindow(_:from:count:to:envelope:)-(_,_,_,MonoIntoMono,_)``.
    @_noLocks @_noAllocation
    static func applyWindow(
        _ voice: Voice, from position: Int, count: Int, to target: MonoIntoStereo,
        envelope: UnsafeMutablePointer<Float>
    ) {
        window(voice, from: position, count: count, to: target, envelope: envelope)
    }

    /// A stereo grain into a stereo mix; see ``applyWindow(_:from:count:to:envelope:)-(_,_,_,MonoIntoMono,_)``.
    @_noLocks @_noAllocation
    static func applyWindow(
        _ voice: Voice, from position: Int, count: Int, to target: StereoIntoStereo,
        envelope: UnsafeMutablePointer<Float>
    ) {
        window(voice, from: position, count: count, to: target, envelope: envelope)
    }

    /// The grain's window for frames `from..<from + count`, applied to `target`: computed in the
    /// loop that reads the source for a sounding grain; for a stolen one first written to
    /// `envelope` and multiplied by its fade.
    @inline(__always)
    static func window<Target: GrainTarget>(
        _ voice: Voice, from position: Int, count: Int, to target: Target,
        envelope: UnsafeMutablePointer<Float>
    ) {
        guard voice.fadeStart != Int.max else {
            windowShape(voice, from: position, count: count, to: target)
            return
        }
        windowShape(voice, from: position, count: count, to: WindowStore(envelope: envelope))
        // A raised-cosine fade to silence at the grain's new end.
        let span = Float(voice.end - voice.fadeStart + 1)
        for k in 0..<count where position + k >= voice.fadeStart {
            envelope[k] *= FastMath.raisedCosine(Float(voice.end - position - k) / span)
        }
        applyEnvelope(target, envelope, count: count)
    }

    /// The grain's window × gain (attack ramp, flat middle, release ramp) for frames
    /// `from..<from + count`, applied to `target`.
    ///
    /// The window is sampled at frame centres (`n + ½`), so attack and release are mirror images.
    @inline(__always)
    static func windowShape<Target: GrainTarget>(
        _ voice: Voice, from position: Int, count: Int, to target: Target
    ) {
        let attackEnd = voice.attack
        let releaseStart = voice.length - voice.release
        var done = 0
        if position < attackEnd {
            let frames = min(count, attackEnd - position)
            let step = 1 / Float(voice.attack)
            applyRamp(
                target, from: 0, count: frames, x0: (Float(position) + 0.5) * step, dx: step, gain: voice.gain
            )
            done = frames
        }
        if done < count, position + done < releaseStart {
            let frames = min(count - done, releaseStart - position - done)
            applyConstant(target, from: done, count: frames, gain: voice.gain)
            done += frames
        }
        if done < count {
            let step = 1 / Float(voice.release)
            applyRamp(
                target, from: done, count: count - done,
                x0: (Float(voice.length - position - done) - 0.5) * step, dx: -step, gain: voice.gain)
        }
    }

    /// Frames between restarts of the ramp's rotation from the polynomial, so rounding cannot build
    /// up over a long call (32 rotations of 32 frames).
    static let rotationRun = 1024

    /// Applies `gain · raisedCosine(x0 + k·dx)` for `k` in `0..<count`, all arguments in [0, 1], to
    /// frames `start + k` of `target`.
    ///
    /// For long ramps the polynomial is evaluated once, for 32 consecutive frames; after that each
    /// lane's pair (cos πx, sin πx) is rotated by the angle of 32 frames: two multiplies and two
    /// multiply-adds per 8 samples instead of a dozen operations, in four independent chains so the
    /// rotation's latency is hidden. Rounding drifts by about 1e-7 per step, below 1e-5 over the at
    /// most 32 steps before the chains restart from the polynomial. Short ramps and the tail use the
    /// polynomial directly.
    @inline(__always)
    static func applyRamp<Target: GrainTarget>(
        _ target: Target, from start: Int, count: Int, x0: Float, dx: Float, gain: Float
    ) {
        let lanes = SIMD8<Float>(0, 1, 2, 3, 4, 5, 6, 7)
        let half = SIMD8<Float>(repeating: 0.5 * gain)
        var k = 0
        // The rotation angle must stay within the polynomial's range: |32π·dx| ≤ π/2.
        if abs(dx) <= 1.0 / 64 {
            let angle = SIMD8<Float>(repeating: 32 * Float.pi * dx)
            let step = (cos: FastMath.cosine(angle), sin: FastMath.sine(angle))
            while count &- k >= 64 {
                let run = min(count &- k, rotationRun) & ~31
                // cos πx = −sin π(x − ½) and sin πx = cos π(x − ½), with π(x − ½) inside the series' range.
                let u0 = rampPhase(x0, dx, from: k)
                let u1 = rampPhase(x0, dx, from: k &+ 8)
                let u2 = rampPhase(x0, dx, from: k &+ 16)
                let u3 = rampPhase(x0, dx, from: k &+ 24)
                var cos0 = -FastMath.sine(u0)
                var cos1 = -FastMath.sine(u1)
                var cos2 = -FastMath.sine(u2)
                var cos3 = -FastMath.sine(u3)
                var sin0 = FastMath.cosine(u0)
                var sin1 = FastMath.cosine(u1)
                var sin2 = FastMath.cosine(u2)
                var sin3 = FastMath.cosine(u3)
                let end = k &+ run
                while k < end {
                    let at = start &+ k
                    target.apply(half - half * cos0, at: at)
                    target.apply(half - half * cos1, at: at &+ 8)
                    target.apply(half - half * cos2, at: at &+ 16)
                    target.apply(half - half * cos3, at: at &+ 24)
                    rotate(&cos0, &sin0, by: step)
                    rotate(&cos1, &sin1, by: step)
                    rotate(&cos2, &sin2, by: step)
                    rotate(&cos3, &sin3, by: step)
                    k &+= 32
                }
            }
        }
        while k &+ 8 <= count {
            let x = (SIMD8(repeating: Float(k)) + lanes) * dx + x0
            target.apply(FastMath.raisedCosine(x) * gain, at: start &+ k)
            k &+= 8
        }
        while k < count {
            target.apply(FastMath.raisedCosine(x0 + Float(k) * dx) * gain, at: start &+ k)
            k &+= 1
        }
    }

    /// `π(x − ½)` for the eight frames from `k` of a ramp starting at `x0` with step `dx`.
    @_noLocks @_noAllocation
    @inline(__always)
    static func rampPhase(_ x0: Float, _ dx: Float, from k: Int) -> SIMD8<Float> {
        let lanes = SIMD8<Float>(0, 1, 2, 3, 4, 5, 6, 7)
        return (lanes * dx + (x0 + Float(k) * dx) - 0.5) * Float.pi
    }

    /// Rotates the pairs `(c, s)` lane by lane by the angle whose cosine and sine are `step`.
    @_noLocks @_noAllocation
    @inline(__always)
    static func rotate(
        _ c: inout SIMD8<Float>, _ s: inout SIMD8<Float>, by step: (cos: SIMD8<Float>, sin: SIMD8<Float>)
    ) {
        let rotated = c * step.cos - s * step.sin
        s = s * step.cos + c * step.sin
        c = rotated
    }

    /// Applies the constant window `gain` to frames `start..<start + count` of `target`.
    @inline(__always)
    static func applyConstant<Target: GrainTarget>(_ target: Target, from start: Int, count: Int, gain: Float)
    {
        let window = SIMD8<Float>(repeating: gain)
        var k = 0
        while k &+ 8 <= count {
            target.apply(window, at: start &+ k)
            k &+= 8
        }
        while k < count {
            target.apply(gain, at: start &+ k)
            k &+= 1
        }
    }

    /// Applies the window `envelope[k]` to frames `k` in `0..<count` of `target`.
    @inline(__always)
    static func applyEnvelope<Target: GrainTarget>(
        _ target: Target, _ envelope: UnsafePointer<Float>, count: Int
    ) {
        var k = 0
        while k &+ 8 <= count {
            target.apply(load(envelope + k), at: k)
            k &+= 8
        }
        while k < count {
            target.apply(envelope[k], at: k)
            k &+= 1
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

/// Where a grain's window goes, eight frames at a time (one at a time for a tail): multiplied by the
/// grain's source and added into the mix, in one of the four channel layouts, or simply kept.
///
/// The initializers are spelled out because the audio thread calls them from another file, where
/// the synthesized ones would not be visible to the performance checks.
///
/// The window kernels in ``GrainKernels`` are generic over the target and, being inlined into the
/// render path, are specialised for each layout at compile time: the window is computed and used
/// in the same loop, with no envelope buffer in between and no dynamic dispatch per sample.
protocol GrainTarget {
    /// Applies the window for frames `k..<k + 8`.
    func apply(_ window: SIMD8<Float>, at k: Int)
    /// Applies the window for frame `k`.
    func apply(_ window: Float, at k: Int)
}

/// A mono grain into a mono mix: `mix[k] += source[k] · w[k]`.
struct MonoIntoMono: GrainTarget {
    let mix: UnsafeMutablePointer<Float>
    let source: UnsafePointer<Float>

    @_noLocks @_noAllocation
    init(mix: UnsafeMutablePointer<Float>, source: UnsafePointer<Float>) {
        self.mix = mix
        self.source = source
    }

    @_noLocks @_noAllocation
    @inline(__always)
    func apply(_ window: SIMD8<Float>, at k: Int) {
        GrainKernels.store(
            GrainKernels.load(source + k) * window + GrainKernels.load(mix + k), mix + k)
    }

    @_noLocks @_noAllocation
    @inline(__always)
    func apply(_ window: Float, at k: Int) {
        mix[k] += source[k] * window
    }
}

/// A stereo grain (interleaved) into a mono mix: `mix[k] += (L[k] + R[k]) · w[k]`, the ½ of the
/// average being folded into the grain's gain.
struct StereoIntoMono: GrainTarget {
    let mix: UnsafeMutablePointer<Float>
    let source: UnsafePointer<Float>

    @_noLocks @_noAllocation
    init(mix: UnsafeMutablePointer<Float>, source: UnsafePointer<Float>) {
        self.mix = mix
        self.source = source
    }

    @_noLocks @_noAllocation
    @inline(__always)
    func apply(_ window: SIMD8<Float>, at k: Int) {
        let pair = GrainKernels.load16(source + 2 * k)
        GrainKernels.store(
            (pair.evenHalf + pair.oddHalf) * window + GrainKernels.load(mix + k), mix + k)
    }

    @_noLocks @_noAllocation
    @inline(__always)
    func apply(_ window: Float, at k: Int) {
        mix[k] += (source[2 * k] + source[2 * k + 1]) * window
    }
}

/// The two halves of a stereo mix and a grain's gains into them (pan or balance).
struct StereoMix {
    let left: UnsafeMutablePointer<Float>
    let right: UnsafeMutablePointer<Float>
    let leftGain: Float
    let rightGain: Float

    @_noLocks @_noAllocation
    init(
        left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, leftGain: Float,
        rightGain: Float
    ) {
        self.left = left
        self.right = right
        self.leftGain = leftGain
        self.rightGain = rightGain
    }
}

/// A mono grain into a stereo mix with pan gains.
struct MonoIntoStereo: GrainTarget {
    let mix: StereoMix
    let source: UnsafePointer<Float>

    @_noLocks @_noAllocation
    init(mix: StereoMix, source: UnsafePointer<Float>) {
        self.mix = mix
        self.source = source
    }

    @_noLocks @_noAllocation
    @inline(__always)
    func apply(_ window: SIMD8<Float>, at k: Int) {
        let sample = GrainKernels.load(source + k) * window
        GrainKernels.store(sample * mix.leftGain + GrainKernels.load(mix.left + k), mix.left + k)
        GrainKernels.store(
            sample * mix.rightGain + GrainKernels.load(mix.right + k), mix.right + k)
    }

    @_noLocks @_noAllocation
    @inline(__always)
    func apply(_ window: Float, at k: Int) {
        let sample = source[k] * window
        mix.left[k] += sample * mix.leftGain
        mix.right[k] += sample * mix.rightGain
    }
}

/// A stereo grain (interleaved) into a stereo mix with balance gains.
struct StereoIntoStereo: GrainTarget {
    let mix: StereoMix
    let source: UnsafePointer<Float>

    @_noLocks @_noAllocation
    init(mix: StereoMix, source: UnsafePointer<Float>) {
        self.mix = mix
        self.source = source
    }

    @_noLocks @_noAllocation
    @inline(__always)
    func apply(_ window: SIMD8<Float>, at k: Int) {
        let pair = GrainKernels.load16(source + 2 * k)
        GrainKernels.store(
            pair.evenHalf * window * mix.leftGain + GrainKernels.load(mix.left + k), mix.left + k)
        GrainKernels.store(
            pair.oddHalf * window * mix.rightGain + GrainKernels.load(mix.right + k),
            mix.right + k)
    }

    @_noLocks @_noAllocation
    @inline(__always)
    func apply(_ window: Float, at k: Int) {
        mix.left[k] += source[2 * k] * window * mix.leftGain
        mix.right[k] += source[2 * k + 1] * window * mix.rightGain
    }
}

/// The window itself, stored in `envelope`: for a stolen grain, whose window is then multiplied
/// by its fade before it meets the source.
struct WindowStore: GrainTarget {
    let envelope: UnsafeMutablePointer<Float>

    @_noLocks @_noAllocation
    init(envelope: UnsafeMutablePointer<Float>) {
        self.envelope = envelope
    }

    @_noLocks @_noAllocation
    @inline(__always)
    func apply(_ window: SIMD8<Float>, at k: Int) {
        GrainKernels.store(window, envelope + k)
    }

    @_noLocks @_noAllocation
    @inline(__always)
    func apply(_ window: Float, at k: Int) {
        envelope[k] = window
    }
}
