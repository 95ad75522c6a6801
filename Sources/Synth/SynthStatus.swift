/// What the audio thread last reported: output level and running counts, read without locks.
public struct SynthStatus: Sendable, Hashable {
    /// Largest absolute sample of the last rendered block.
    public var peak: Float
    /// Root mean square of the last rendered block (all channels).
    public var rms: Float
    /// Output frames rendered so far.
    public var framesRendered: Int
    /// Grains started so far.
    public var grainsStarted: Int
    /// Grains faded out early to make room under the voice limit.
    public var grainsStolen: Int
    /// Grains skipped because even the stealing reserve was full.
    public var grainsDropped: Int
    /// Grain events lost because nobody drained the ring in time.
    public var eventsDropped: Int
    /// Grains sounding at the end of the last block.
    public var activeVoices: Int
    /// Generation of the distribution the audio thread is drawing from (0 before the first).
    public var generation: UInt64
    /// When the frame behind that distribution arrived, in the publisher's seconds.
    public var frameTime: Double
}
