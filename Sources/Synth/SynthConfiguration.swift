/// The synthesizer's fixed shape, chosen when it is created: output format, capacity and seed (the
/// limiter, which may change while it plays, is in ``GrainParameters``).
public struct SynthConfiguration: Sendable, Hashable {
    /// Output channels: 1 (mono) or 2 (interleaved stereo).
    public var channels: Int
    /// The most grains that sound at once; a new grain beyond this fades the one closest to its end
    /// out over ``stealFade`` seconds instead of cutting it.
    public var maxVoices: Int
    /// Length of the fade given to a stolen grain, in seconds.
    public var stealFade: Double
    /// Seed of the random generator: the same seed, inputs and calls give the same samples.
    public var seed: UInt64

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - channels: 1 or 2.
    ///   - maxVoices: voice limit, 1…4096.
    ///   - stealFade: fade of a stolen grain in seconds.
    ///   - seed: random seed.
    public init(channels: Int = 2, maxVoices: Int = 256, stealFade: Double = 0.003, seed: UInt64 = 0) {
        self.channels = channels
        self.maxVoices = maxVoices
        self.stealFade = stealFade
        self.seed = seed
    }

    /// Checks every setting's range.
    ///
    /// - Throws: ``SynthError/invalidParameter(_:)`` naming the first bad setting.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw SynthError.invalidParameter(message) }
        }
        try check(channels == 1 || channels == 2, "\(channels) output channels (1 or 2 are supported)")
        try check(maxVoices >= 1 && maxVoices <= 4096, "voice limit \(maxVoices) must be in 1…4096")
        try check(stealFade >= 0 && stealFade <= 0.1, "steal fade \(stealFade) s must be in 0…0.1")
    }
}
