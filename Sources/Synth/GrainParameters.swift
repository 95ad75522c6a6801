/// The grain engine's settings that can change while it plays; the defaults follow the paper.
///
/// Hand a new value to ``GranularSynth/update(_:)`` from any thread: the audio thread picks it up at
/// its next block without locks. Changes apply to grains that start after that; grains already
/// playing finish as they began, so a change never clicks.
public struct GrainParameters: Sendable, Hashable, Codable {
    /// Grain onsets per second (the paper's text says about 100 Hz, its figure 10 Hz); 0 stops new grains.
    public var grainRate: Double
    /// How irregular the onsets are: each gap is uniform in `(1 ± onsetJitter) / grainRate`; in [0, 1].
    public var onsetJitter: Double
    /// Shortest grain, in seconds.
    public var minDuration: Double
    /// Longest grain, in seconds; durations are uniform between the two.
    public var maxDuration: Double
    /// Share of the grain spent fading in (raised cosine); `attack + release ≤ 1`.
    public var attack: Double
    /// Share of the grain spent fading out. With `attack = release = 0.5` the window is a Hann
    /// window; smaller values give a Tukey window with a flat middle.
    public var release: Double
    /// Playback-rate jitter in semitones: each grain's rate is `2^(u·rateJitter/12)`, `u` uniform in
    /// [−1, 1]; 0 (the default) plays at the original pitch; at most 12.
    public var rateJitter: Double
    /// Stereo spread: pans are uniform in [−spread, spread]; 0 is centred, 1 the full field.
    public var stereoSpread: Double
    /// Output gain, linear, applied before the limiter; 1 keeps the corpus loudness.
    public var gain: Double
    /// Volume of each source, in source order, linear; 0 mutes a source. Empty means all 1.
    public var sourceVolumes: [Float]
    /// Where the output limiter starts reducing gain, in dBFS; below `limiterCeilingDecibels`.
    public var limiterThresholdDecibels: Double
    /// The limiter never lets a sample exceed this level, in dBFS.
    public var limiterCeilingDecibels: Double
    /// How fast the limiter's gain recovers, in seconds.
    public var limiterRelease: Double

    /// Creates parameters; every default is the paper's setting.
    ///
    /// - Parameters:
    ///   - grainRate: onsets per second.
    ///   - onsetJitter: onset irregularity in [0, 1].
    ///   - minDuration: shortest grain in seconds.
    ///   - maxDuration: longest grain in seconds.
    ///   - attack: fade-in share of the grain.
    ///   - release: fade-out share of the grain.
    ///   - rateJitter: playback-rate jitter in semitones.
    ///   - stereoSpread: pan spread in [0, 1].
    ///   - gain: linear output gain.
    ///   - sourceVolumes: per-source linear volume (empty: all 1).
    ///   - limiterThresholdDecibels: limiter threshold in dBFS.
    ///   - limiterCeilingDecibels: limiter ceiling in dBFS.
    ///   - limiterRelease: limiter recovery time in seconds.
    public init(
        grainRate: Double = 100, onsetJitter: Double = 0.5, minDuration: Double = 0.05,
        maxDuration: Double = 0.1, attack: Double = 0.5, release: Double = 0.5, rateJitter: Double = 0,
        stereoSpread: Double = 1, gain: Double = 1, sourceVolumes: [Float] = [],
        limiterThresholdDecibels: Double = -3, limiterCeilingDecibels: Double = -1,
        limiterRelease: Double = 0.15
    ) {
        self.grainRate = grainRate
        self.onsetJitter = onsetJitter
        self.minDuration = minDuration
        self.maxDuration = maxDuration
        self.attack = attack
        self.release = release
        self.rateJitter = rateJitter
        self.stereoSpread = stereoSpread
        self.gain = gain
        self.sourceVolumes = sourceVolumes
        self.limiterThresholdDecibels = limiterThresholdDecibels
        self.limiterCeilingDecibels = limiterCeilingDecibels
        self.limiterRelease = limiterRelease
    }

    /// Checks every setting's range.
    ///
    /// - Parameter sourceCount: the number of sources, which `sourceVolumes` must match if not empty.
    /// - Throws: ``SynthError/invalidParameter(_:)`` naming the first bad setting.
    public func validate(sourceCount: Int) throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw SynthError.invalidParameter(message) }
        }
        try check(grainRate >= 0 && grainRate <= 10_000, "grain rate \(grainRate)/s must be in 0…10000")
        try check(onsetJitter >= 0 && onsetJitter <= 1, "onset jitter \(onsetJitter) must be in 0…1")
        try check(
            minDuration >= 0.001 && minDuration <= maxDuration && maxDuration <= 2,
            "grain durations \(minDuration)…\(maxDuration) s must satisfy 0.001 ≤ min ≤ max ≤ 2")
        try check(
            attack >= 0 && release >= 0 && attack + release <= 1,
            "attack \(attack) and release \(release) must be ≥ 0 with a sum ≤ 1")
        try check(rateJitter >= 0 && rateJitter <= 12, "rate jitter \(rateJitter) semitones must be in 0…12")
        try check(stereoSpread >= 0 && stereoSpread <= 1, "stereo spread \(stereoSpread) must be in 0…1")
        try check(gain >= 0 && gain <= 100, "gain \(gain) must be in 0…100")
        try check(
            sourceVolumes.isEmpty || sourceVolumes.count == sourceCount,
            "\(sourceVolumes.count) source volumes for \(sourceCount) sources")
        try check(sourceVolumes.allSatisfy { $0 >= 0 && $0 <= 100 }, "source volumes must be in 0…100")
        try check(
            limiterCeilingDecibels <= 0 && limiterCeilingDecibels > -40,
            "limiter ceiling \(limiterCeilingDecibels) dBFS must be in (−40, 0]")
        try check(
            limiterThresholdDecibels < limiterCeilingDecibels && limiterThresholdDecibels > -60,
            "limiter threshold \(limiterThresholdDecibels) dBFS must be below the ceiling and above −60")
        try check(
            limiterRelease > 0 && limiterRelease <= 10,
            "limiter release \(limiterRelease) s must be in (0, 10]")
    }

    /// The mean of the squared window over a grain: sustain counts 1, each raised-cosine ramp 3/8.
    public var windowPower: Double { 1 - 0.625 * (attack + release) }

    /// The gain that makes the output's power equal to the corpus audio's, whatever the rate and
    /// durations: grains come from unrelated moments, so their powers (not amplitudes) add, and on
    /// average `grainRate × mean duration × windowPower` of them overlap.
    ///
    /// - Returns: the linear gain per grain (before `gain` and source volumes); 0 when no grain plays.
    public func overlapNormalisation() -> Double {
        let overlap = grainRate * (minDuration + maxDuration) / 2 * windowPower
        return overlap > 0 ? 1 / overlap.squareRoot() : 0
    }
}
