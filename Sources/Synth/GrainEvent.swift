/// One grain as the audio thread started it: what the UI draws and what `--grain-log` writes.
public struct GrainEvent: Sendable, Hashable {
    /// Output sample frame at which the grain starts, counted from the synthesizer's first sample.
    public var outputFrame: Int64
    /// Corpus frame the grain was drawn for.
    public var frame: Int32
    /// Source the grain reads.
    public var source: Int32
    /// Sample frame in the source where the grain starts reading.
    public var sourceFrame: Int64
    /// Length of the grain in output sample frames.
    public var length: Int32
    /// Playback rate (1 unless rate jitter is on).
    public var rate: Float
    /// Peak linear gain of the grain's window (normalisation × output gain × source volume).
    public var gain: Float
    /// Pan in [−1, 1] (left to right); 0 for mono output.
    public var pan: Float
    /// Generation of the distribution the grain was drawn from (see ``GranularSynth/publish(_:generation:frameTime:)``).
    public var generation: UInt64

    /// Creates an event (on the audio thread, hence the annotations).
    @_noLocks @_noAllocation
    public init(
        outputFrame: Int64, frame: Int32, source: Int32, sourceFrame: Int64, length: Int32, rate: Float,
        gain: Float, pan: Float, generation: UInt64
    ) {
        self.outputFrame = outputFrame
        self.frame = frame
        self.source = source
        self.sourceFrame = sourceFrame
        self.length = length
        self.rate = rate
        self.gain = gain
        self.pan = pan
        self.generation = generation
    }
}
