import Synth

/// Everything about the live sound that can change while it plays; the defaults follow the paper.
///
/// Hand a new value to `LiveEngine.update(_:)` from any thread: grain settings reach the audio
/// thread at its next block, and a new mapping or smoothing re-shapes the current p(t) at once,
/// even when no new frame comes.
public struct LiveParameters: Sendable, Hashable, Codable {
    /// Grain rate, durations, window, spread, output gain and per-source volume (0 mutes a source).
    public var grains: GrainParameters
    /// The map from distances to p(t): curve, temperature, top-k, floor.
    public var mapping: DistanceMapping
    /// Time constant of the smoothing of successive p(t), in seconds (0: none).
    public var smoothing: Double
    /// Time constant over which the similarity of the current shot's pictures accumulates, in
    /// seconds (0: each picture alone); a detected cut restarts it.
    public var evidence: Double
    /// Seconds without a new frame before the sound fades out; nil keeps playing the last scene.
    public var idleTimeout: Double?
    /// Length of that fade-out, in seconds.
    public var fadeOut: Double
    /// Length of the fade-in when frames come (again), in seconds.
    public var fadeIn: Double

    /// Creates parameters.
    ///
    /// - Parameters:
    ///   - grains: grain settings.
    ///   - mapping: distance → probability map.
    ///   - smoothing: p(t) smoothing time constant in seconds.
    ///   - evidence: evidence time constant in seconds.
    ///   - idleTimeout: seconds without frames before fading out (nil: never).
    ///   - fadeOut: fade-out length in seconds.
    ///   - fadeIn: fade-in length in seconds.
    public init(
        grains: GrainParameters = GrainParameters(), mapping: DistanceMapping = DistanceMapping(),
        smoothing: Double = 0.1, evidence: Double = SceneAnalyzer.standardEvidence, idleTimeout: Double? = 10,
        fadeOut: Double = 2, fadeIn: Double = 0.25
    ) {
        self.grains = grains
        self.mapping = mapping
        self.smoothing = smoothing
        self.evidence = evidence
        self.idleTimeout = idleTimeout
        self.fadeOut = fadeOut
        self.fadeIn = fadeIn
    }

    /// Checks every value's range.
    ///
    /// - Parameter sourceCount: the corpus's number of sources (for per-source volumes).
    /// - Throws: `SynthError.invalidParameter` naming the first bad value.
    public func validate(sourceCount: Int) throws {
        try grains.validate(sourceCount: sourceCount)
        try mapping.validate()
        try ProbabilityMap.validate(timeConstant: smoothing)
        try SceneEvidence.validate(timeConstant: evidence)
        if let idleTimeout, !(idleTimeout > 0 && idleTimeout.isFinite) {
            throw SynthError.invalidParameter("idle timeout \(idleTimeout) s must be > 0")
        }
        guard fadeOut >= 0.01, fadeOut <= 60, fadeIn >= 0.01, fadeIn <= 60 else {
            throw SynthError.invalidParameter(
                "fades (in \(fadeIn) s, out \(fadeOut) s) must be in 0.01…60 s: shorter would click")
        }
    }
}
