/// What the live engine is doing, for a user interface to draw: the paper's inside view.
public struct LiveSnapshot: Sendable, Hashable, Codable {
    /// A corpus frame close to the camera frame.
    public struct Neighbour: Sendable, Hashable, Codable {
        /// Index of the corpus frame (for `Corpus.thumbnailJPEG(ofFrame:)`).
        public var frame: Int
        /// Index of its source.
        public var source: Int
        /// Its source's name.
        public var sourceName: String
        /// Its time in the source, in seconds.
        public var time: Double
        /// Its distance from the shot's evidence, in the similarity measure's space.
        public var distance: Float
    }

    /// p(t) over one source's timeline, summed into equal bins.
    public struct SourceCurve: Sendable, Hashable, Codable {
        /// Index of the source.
        public var source: Int
        /// Its name.
        public var name: String
        /// Its audio's length in seconds (the curve spans it).
        public var duration: Double
        /// Probability mass per bin; over all sources the bins sum to 1 (0 before the first frame).
        public var probability: [Float]
    }

    /// A grain the audio thread started.
    public struct Grain: Sendable, Hashable, Codable {
        /// Sequence number, increasing by one per grain since the engine started.
        public var sequence: UInt64
        /// When it starts in the output, in seconds since the engine started.
        public var outputTime: Double
        /// Its source.
        public var source: Int
        /// Where it reads in its source, in seconds.
        public var sourceTime: Double
        /// Its length in seconds.
        public var duration: Double
        /// Peak gain of its window.
        public var gain: Float
        /// Pan in −1…1.
        public var pan: Float
        /// The frame id whose p(t) it was drawn from (0 when none).
        public var frameID: UInt64
    }

    /// An ImageNet class and its softmax probability.
    public struct Label: Sendable, Hashable, Codable {
        /// The class name.
        public var name: String
        /// Its softmax probability.
        public var probability: Float
    }

    /// Whether the sound follows frames, has faded out for lack of them, or has not started.
    public enum State: String, Sendable, Hashable, Codable {
        /// No frame has come yet: silence.
        case waiting
        /// Frames are coming (or the last scene is being kept).
        case playing
        /// No frame for longer than the idle timeout: the sound fades out or is silent.
        case idle
    }

    /// The last frame the vision loop finished (0 before the first).
    public var frameID: UInt64
    /// Seconds from that frame's arrival until its p(t) reached the audio thread (nil before the first).
    public var visionSeconds: Double?
    /// The nearest corpus frames to it, nearest first.
    public var nearest: [Neighbour]
    /// p(t) per source, as the audio thread is sampling it.
    public var curves: [SourceCurve]
    /// Its top-5 ImageNet labels.
    public var labels: [Label]
    /// Grains started after the cursor passed to `snapshot(grainsAfter:)`, oldest first.
    public var grains: [Grain]
    /// The sequence number of the last grain known; pass it back to get only newer grains.
    public var grainCursor: UInt64
    /// Output peak meter, linear (1 = full scale): the loudest recent sample, falling 20 dB in 1.5 s.
    public var peak: Float
    /// Output RMS over the last ~300 ms, linear.
    public var rms: Float
    /// Playing, idle or waiting.
    public var state: State
    /// Frames submitted so far.
    public var framesSubmitted: UInt64
    /// Frames the vision loop analysed.
    public var framesAnalysed: UInt64
    /// Frames replaced by a newer one before the vision loop took them (latest wins).
    public var framesReplaced: Int
    /// The last frame the cut detector found starting a new shot (the evidence restarted there);
    /// nil before any cut.
    public var lastCutFrameID: UInt64?
    /// Seconds since that frame arrived; nil before any cut.
    public var secondsSinceCut: Double?
    /// Seconds of audio played since the start.
    public var outputTime: Double
    /// Device underruns since the start.
    public var underruns: Int
}
