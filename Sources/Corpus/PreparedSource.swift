import MediaIO

/// A source whose frames, embeddings and audio are already in memory, written without decoding or
/// embedding anything: for benchmarks and tests that need exact, synthetic content.
public struct PreparedSource: Sendable {
    /// The source's name.
    public var name: String
    /// Video or still.
    public var kind: CorpusSource.Kind
    /// Each frame's time in seconds, increasing (a still has one frame at 0).
    public var frameTimes: [Double]
    /// `frameTimes.count × embeddingSize` floats, row-major.
    public var embeddings: [Float]
    /// One JPEG per frame.
    public var thumbnails: [[UInt8]]
    /// The audio, at `SourceIndexer.sampleRate`.
    public var audio: AudioClip

    /// Creates a prepared source.
    ///
    /// - Parameters:
    ///   - name: the source's name.
    ///   - kind: video or still.
    ///   - frameTimes: increasing times in seconds, within the audio's duration.
    ///   - embeddings: one row per frame.
    ///   - thumbnails: one JPEG per frame.
    ///   - audio: the sound, at 48 kHz.
    public init(
        name: String, kind: CorpusSource.Kind, frameTimes: [Double], embeddings: [Float],
        thumbnails: [[UInt8]],
        audio: AudioClip
    ) {
        self.name = name
        self.kind = kind
        self.frameTimes = frameTimes
        self.embeddings = embeddings
        self.thumbnails = thumbnails
        self.audio = audio
    }
}
