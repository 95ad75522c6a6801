/// How the hub paces what it sends and what it accepts from clients.
public struct LiveHubConfiguration: Sendable {
    /// State messages per second to every page.
    public var stateRate: Double = 15
    /// Camera previews per second to viewers.
    public var previewRate: Double = 5
    /// Frames per second the page is asked to send.
    public var frameRate: Double = 10
    /// Frames per second beyond which a client is flooding (sustained; a short burst is allowed).
    public var maximumFrameRate: Double = 30
    /// How long a write to a client may wait before the client is taken to have stopped reading.
    public var stallTimeout: Duration = .seconds(5)
    /// `device` or `browser`: where the server itself sends the sound (shown on the page).
    public var serverOutput: String = "device"
    /// Frames per browser audio message (20 ms at 48 kHz).
    public var audioChunkFrames = 960
    /// Sample rate of the audio stream.
    public var sampleRate = 48_000
    /// Interleaved channels in the audio ring (the sink's channel count).
    public var audioChannels = 2

    public init() {}
}
