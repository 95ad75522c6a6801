import MediaIO

/// An input checked and measured before indexing starts: what kind of source it makes, how long
/// it is and how many frames it will give.
///
/// Planning every input first means a typo in the last file is reported before hours of work on
/// the first, and gives the progress bar its total.
public struct SourcePlan: Sendable {
    /// The input as given.
    public let input: SourceInput
    /// The name the source will get.
    public let name: String
    /// Video or still.
    public let kind: CorpusSource.Kind
    /// What ffprobe says about the picture file.
    public let picture: MediaInfo
    /// The file whose audio is used (the picture file itself for a video with sound); nil for a
    /// silent video.
    public let soundFile: MediaInfo?
    /// The duration the files announce, in seconds.
    public let duration: Double
    /// Frames are sampled before this time (the shorter of picture and sound).
    public let frameLimit: Double
    /// Frames per second sampled (videos).
    public let framesPerSecond: Double

    /// The number of frames indexing should give.
    public var expectedFrames: Int {
        kind == .still ? 1 : max(1, Int((frameLimit * framesPerSecond).rounded(.up)))
    }
}
