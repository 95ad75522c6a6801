/// A corpus frame near a query, with its distance.
public struct Neighbor: Sendable, Equatable {
    /// The frame's index in the corpus.
    public var frame: Int
    /// The Euclidean distance between the query and the frame's embedding.
    public var distance: Float

    /// Creates a neighbour.
    ///
    /// - Parameters:
    ///   - frame: the frame index.
    ///   - distance: its distance to the query.
    public init(frame: Int, distance: Float) {
        self.frame = frame
        self.distance = distance
    }
}
