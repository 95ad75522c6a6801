/// How far indexing one source has got, reported after every frame.
public struct IndexProgress: Sendable {
    /// Frames embedded so far in this source.
    public var frames: Int
    /// Seconds of the source's media covered so far.
    public var mediaSeconds: Double
}
