/// What ``NearestFrameSearch/distances(to:cutoff:eligible:workspace:into:nearest:)`` did.
public struct CutoffPass: Sendable, Equatable {
    /// The root-mean-square distance from the query to every frame: the scale of the distances.
    public var scale: Double
    /// How many frames got an exact distance (all of them after a full pass).
    public var exactDistances: Int
    /// How many nearest frames were written.
    public var neighborCount: Int
    /// Whether lower bounds spared the other frames (false: a full pass).
    public var bounded: Bool
    /// How many blocks' bounds were below the first threshold (0 after a full pass without bounds).
    public var survivingBlocks = 0
    /// How many frames had their own lower bound computed, counting a frame once per time.
    public var boundedFrames = 0
}
