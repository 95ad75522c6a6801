/// Whether the server is recording a session, as every page shows it beside its Record button.
public struct RecordingStatus: Codable, Equatable, Sendable {
    /// A session is being recorded.
    public var active: Bool
    /// A start or stop is in progress (a stop completes the MP4, which takes a moment).
    public var busy: Bool
    /// The session directory being recorded, or the last one finished.
    public var session: String?
    /// Why the last start or stop failed, if it did.
    public var error: String?

    public init(active: Bool = false, busy: Bool = false, session: String? = nil, error: String? = nil) {
        self.active = active
        self.busy = busy
        self.session = session
        self.error = error
    }
}
