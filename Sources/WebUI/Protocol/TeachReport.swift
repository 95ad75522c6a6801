/// The answer to a `teach` message: the current camera frame stored as an example of a source, or
/// why it was not.
///
/// `{"type":"taught","ok":true,"source":2,"sourceName":"rain","example":"<id>","frame":57,"frameCount":58}`
/// goes to every page when it worked (the analysis already uses the example); `ok` false with a
/// `message` goes to the page that asked.
public struct TeachReport: Codable, Equatable, Sendable {
    /// Whether the example was stored and is in use.
    public var ok: Bool
    /// The source index the frame was taught to.
    public var source: Int
    /// The source's name.
    public var sourceName: String?
    /// The new example's id (as `scenophone teach --list` shows it).
    public var example: String?
    /// The example's frame index (its thumbnail is `/corpus/frames/<frame>.jpg`).
    public var frame: Int?
    /// The corpus's frame count now.
    public var frameCount: Int?
    /// Why it failed.
    public var message: String?

    /// A success.
    ///
    /// - Parameters:
    ///   - source: the source index.
    ///   - sourceName: its name.
    ///   - example: the example's id.
    ///   - frame: its frame index.
    ///   - frameCount: the corpus's frames now.
    public init(source: Int, sourceName: String, example: String, frame: Int, frameCount: Int) {
        ok = true
        self.source = source
        self.sourceName = sourceName
        self.example = example
        self.frame = frame
        self.frameCount = frameCount
    }

    /// A failure.
    ///
    /// - Parameters:
    ///   - source: the source index asked for.
    ///   - message: what went wrong, for the page to show.
    public init(source: Int, failure message: String) {
        ok = false
        self.source = source
        self.message = message
    }
}
