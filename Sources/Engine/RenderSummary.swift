/// What an offline render produced.
public struct RenderSummary: Sendable, Hashable, Codable {
    /// Seconds of audio.
    public var duration: Double
    /// Output sample frames.
    public var frames: Int
    /// Pictures embedded (a still counts once).
    public var analysedPictures: Int
    /// Distributions published (one per vision frame).
    public var visionFrames: Int
    /// Grains played.
    public var grains: Int
    /// Grains faded out early under the voice limit.
    public var stolenGrains: Int
    /// The largest absolute output sample.
    public var peak: Float
}
