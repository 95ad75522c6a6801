/// A picture embedded and ready to be stored as an example (`CorpusWriter.addExample`).
public struct TaughtPicture: Sendable {
    /// Its embedding by the corpus's model.
    public var embedding: [Float]
    /// A small JPEG of it, for the inside view.
    public var thumbnailJPEG: [UInt8]
    /// What it was made from: role `picture` for a file, `camera` for a camera frame.
    public var origin: CorpusInputFile

    /// Creates an embedded picture.
    ///
    /// - Parameters:
    ///   - embedding: the embedding, `embeddingSize` finite floats of the corpus's model.
    ///   - thumbnailJPEG: a non-empty JPEG thumbnail.
    ///   - origin: the file it came from (name, size, SHA-256).
    public init(embedding: [Float], thumbnailJPEG: [UInt8], origin: CorpusInputFile) {
        self.embedding = embedding
        self.thumbnailJPEG = thumbnailJPEG
        self.origin = origin
    }
}
