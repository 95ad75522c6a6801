/// Finds the cuts of the input from its own embeddings: a picture whose cosine similarity with the
/// previous picture falls below a threshold starts a new shot.
///
/// Plain cosine of the raw embeddings, whatever the similarity measure: centring on the corpus mean
/// (what the measure does) hides the cuts of an input unlike the corpus, since every one of its
/// pictures then shares one large offset. The threshold was tuned on real footage (see
/// `docs/synthesis.md`): on the shared film at 10 pictures/s, consecutive pictures across a cut have
/// cosine 0.28–0.52, within a shot almost always above 0.55; camera-like pans and zooms over the
/// shared photos stay above 0.88 at 10 pictures/s and above 0.55 down to 1 picture/s.
/// Allocates once, at creation.
public struct CutDetector: ~Copyable {
    /// The default threshold.
    public static let standardThreshold: Float = 0.55
    /// The cosine similarity below which consecutive pictures are taken as a cut.
    public var threshold: Float
    private let previous: UnsafeMutableBufferPointer<Float>
    private var hasPrevious = false

    /// Creates a detector for embeddings of `dimension` floats.
    ///
    /// - Parameters:
    ///   - dimension: the embedding length.
    ///   - threshold: the cosine similarity below which a picture starts a new shot.
    public init(dimension: Int, threshold: Float = standardThreshold) {
        self.threshold = threshold
        previous = .allocate(capacity: dimension)
        previous.initialize(repeating: 0)
    }

    deinit { previous.deallocate() }

    /// Forgets the previous picture: the next one is not compared with anything.
    public mutating func reset() { hasPrevious = false }

    /// Compares a picture with the previous one and remembers it.
    ///
    /// - Parameter embedding: the picture's raw embedding.
    /// - Returns: whether it is the first picture of a new shot (false for the very first picture,
    ///   which starts the first shot without being a cut).
    public mutating func observe(_ embedding: UnsafeBufferPointer<Float>) -> Bool {
        precondition(embedding.count == previous.count, "the embedding has the wrong length")
        var norm: Float = 0
        for value in embedding { norm += value * value }
        let scale: Float = norm > 0 ? 1 / norm.squareRoot() : 0
        var similarity: Float = 0
        for index in 0..<previous.count {
            let unit = embedding[index] * scale
            similarity += unit * previous[index]
            previous[index] = unit
        }
        defer { hasPrevious = true }
        return hasPrevious && similarity < threshold
    }
}
