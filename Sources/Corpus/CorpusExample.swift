/// A picture taught as an example of a source (`scenophone teach`, or "sounds like" in `serve`).
///
/// Its embedding is a row of `Corpus.rows` like any frame's, so every search sees it; its
/// frame's audio span is `span`, so its probability mass is spread over that stretch of the
/// source's audio, as a still photo's is over its recording.
public struct CorpusExample: Sendable, Equatable {
    /// The stored id (32 hex digits), stable until the example is forgotten.
    public let id: String
    /// The index of its source in `Corpus.sources`.
    public let source: Int
    /// Its frame's index in `Corpus.frames` (and row of `Corpus.rows`).
    public let frame: Int
    /// The seconds of the source's audio it stands for.
    public let span: Range<Double>
    /// Whether `span` is the whole source (the default when teaching).
    public let coversWholeSource: Bool
    /// What it was made from: role `picture` (a file) or `camera` (a camera frame taught in `serve`).
    public let picture: CorpusInputFile
    /// When it was taught, as ISO 8601.
    public let taught: String
}
