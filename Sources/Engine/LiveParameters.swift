import Synth

/// What the live engine plays with: the sound (every parameter and the source mixer, see
/// ``SoundSettings``) and what it does when frames stop coming.
///
/// The sound changes while it plays through `LiveEngine.update(_:)`; the idle behaviour is fixed
/// when the engine is made.
public struct LiveParameters: Sendable, Hashable {
    /// The sound; its source count is fitted to the corpus when the engine is made.
    public var sound: SoundSettings
    /// Seconds without a new frame before the sound fades out; nil keeps playing the last scene.
    public var idleTimeout: Double?
    /// Length of that fade-out, in seconds.
    public var fadeOut: Double
    /// Length of the fade-in when frames come (again), in seconds.
    public var fadeIn: Double

    /// Creates parameters.
    ///
    /// - Parameters:
    ///   - sound: the sound (the defaults follow the paper).
    ///   - idleTimeout: seconds without frames before fading out (nil: never).
    ///   - fadeOut: fade-out length in seconds.
    ///   - fadeIn: fade-in length in seconds.
    public init(
        sound: SoundSettings = SoundSettings(), idleTimeout: Double? = 10, fadeOut: Double = 2,
        fadeIn: Double = 0.25
    ) {
        self.sound = sound
        self.idleTimeout = idleTimeout
        self.fadeOut = fadeOut
        self.fadeIn = fadeIn
    }

    /// Checks the idle behaviour (the sound is valid by construction).
    ///
    /// - Throws: `SynthError.invalidParameter` naming the bad value.
    public func validate() throws {
        if let idleTimeout, !(idleTimeout > 0 && idleTimeout.isFinite) {
            throw SynthError.invalidParameter("idle timeout \(idleTimeout) s must be > 0")
        }
        guard fadeOut >= 0.01, fadeOut <= 60, fadeIn >= 0.01, fadeIn <= 60 else {
            throw SynthError.invalidParameter(
                "fades (in \(fadeIn) s, out \(fadeOut) s) must be in 0.01…60 s: shorter would click")
        }
    }
}
