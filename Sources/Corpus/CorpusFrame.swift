/// One embedded frame of a corpus: where it comes from and which audio it stands for.
public struct CorpusFrame: Sendable, Equatable {
    /// The index of its source in `Corpus.sources`.
    public var source: Int
    /// Its time in seconds from the start of the source (0 for a still).
    public var time: Double
    /// The stretch of the source's audio, in seconds, that this frame stands for: about one frame
    /// period centred on it for a video (the spans of a source tile its whole duration), the whole
    /// recording for a still.
    public var audioSpan: Range<Double>

    /// Creates a frame description.
    ///
    /// - Parameters:
    ///   - source: the source index.
    ///   - time: seconds from the start of the source.
    ///   - audioSpan: the seconds of audio it stands for.
    public init(source: Int, time: Double, audioSpan: Range<Double>) {
        self.source = source
        self.time = time
        self.audioSpan = audioSpan
    }
}
