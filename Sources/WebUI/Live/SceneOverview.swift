/// The corpus as the page draws it, sent once in the `welcome` message.
public struct SceneOverview: Codable, Equatable, Sendable {
    /// One reference recording (a video, or a photo with its recording).
    public struct Source: Codable, Equatable, Sendable {
        public var name: String
        /// `video` or `still`.
        public var kind: String
        /// Length of its audio, seconds.
        public var duration: Double
        /// Index of its first corpus frame.
        public var firstFrame: Int
        /// How many corpus frames it has.
        public var frameCount: Int

        public init(name: String, kind: String, duration: Double, firstFrame: Int, frameCount: Int) {
            self.name = name
            self.kind = kind
            self.duration = duration
            self.firstFrame = firstFrame
            self.frameCount = frameCount
        }
    }

    public var sources: [Source]
    /// Corpus frames in all.
    public var frameCount: Int
    /// How many sources the state draws as lanes for their mass: a corpus of no more draws every
    /// source, in order; a larger one (an archive) the heaviest, and summarises the rest.
    public var laneCapacity: Int

    public init(sources: [Source], frameCount: Int, laneCapacity: Int = ProminentSources.defaultCapacity) {
        self.sources = sources
        self.frameCount = frameCount
        self.laneCapacity = laneCapacity
    }
}
