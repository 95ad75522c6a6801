/// The stretch of a source's audio that one corpus frame stands for.
///
/// A video frame sampled at 1 fps stands for about a second around it; a still photo paired with a
/// recording stands for the whole recording. Grains drawn for a frame start anywhere in its span.
public struct FrameSpan: Sendable, Hashable {
    /// Index of the source in the ``SoundBank``.
    public var source: Int
    /// First sample frame of the span in the source.
    public var start: Int
    /// One past the last sample frame of the span.
    public var end: Int

    /// Creates a span.
    ///
    /// - Parameters:
    ///   - source: index of the source in the bank.
    ///   - start: first sample frame.
    ///   - end: one past the last sample frame; must be greater than `start`.
    public init(source: Int, start: Int, end: Int) {
        self.source = source
        self.start = start
        self.end = end
    }

    /// The number of sample frames in the span.
    public var length: Int { end - start }
}
