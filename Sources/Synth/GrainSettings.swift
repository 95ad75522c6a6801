#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// ``GrainParameters`` turned into what the audio thread uses directly: frames instead of seconds,
/// octaves instead of semitones, and the overlap normalisation already worked out (the square root
/// is taken here, on the writer's thread, not in the render path).
struct GrainSettings {
    /// Mean output frames between onsets; 0 when no grain should start.
    var onsetInterval: Double
    var onsetJitter: Double
    var minLength: Int
    /// `maxLength − minLength`.
    var lengthRange: Int
    var attack: Float
    var release: Float
    var rateJitterOctaves: Float
    var stereoSpread: Float
    /// Overlap normalisation × output gain.
    var gain: Float
    /// The limiter's threshold and ceiling (linear) and its per-block recovery.
    var limiterThreshold: Float
    var limiterCeiling: Float
    var limiterRecovery: Float

    /// Derives the settings for a sample rate.
    ///
    /// - Parameters:
    ///   - parameters: validated parameters.
    ///   - sampleRate: in Hz.
    init(_ parameters: GrainParameters, sampleRate: Int) {
        let rate = Double(sampleRate)
        onsetInterval = parameters.grainRate > 0 ? rate / parameters.grainRate : 0
        onsetJitter = parameters.onsetJitter
        minLength = max(1, Int((parameters.minDuration * rate).rounded()))
        lengthRange = max(0, Int((parameters.maxDuration * rate).rounded()) - minLength)
        attack = Float(parameters.attack)
        release = Float(parameters.release)
        rateJitterOctaves = Float(parameters.rateJitter / 12)
        stereoSpread = Float(parameters.stereoSpread)
        gain = Float(parameters.overlapNormalisation() * parameters.gain)
        limiterThreshold = Float(pow(10, parameters.limiterThresholdDecibels / 20))
        limiterCeiling = Float(pow(10, parameters.limiterCeilingDecibels / 20))
        limiterRecovery = SoftLimiter.recovery(release: parameters.limiterRelease, sampleRate: sampleRate)
    }
}
