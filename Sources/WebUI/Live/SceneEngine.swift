import Engine

/// What the web UI needs from the engine that turns camera frames into sound.
///
/// The live engine conforms to it; the server never reaches past it, so the page, the protocol and
/// the hostile-client handling stay independent of how the engine schedules its loops.
public protocol SceneEngine: AnyObject, Sendable {
    /// Width and height of the square RGB frames the vision model takes (the corpus model's input size: 224, 240 or 260).
    var inputSide: Int { get }

    /// The corpus as the page draws it: sources, their lengths and frame ranges.
    var overview: SceneOverview { get }

    /// Hands over the newest camera frame; the engine keeps only the latest one waiting.
    ///
    /// - Parameters:
    ///   - frame: RGB24 pixels, `inputSide` square.
    ///   - arrival: when the last byte of the frame arrived (`MonotonicClock.now()`, CLOCK_MONOTONIC
    ///     nanoseconds), for the latency figures.
    func submit(_ frame: CameraFrameMessage, arrival: Int64)

    /// The inside view now: nearest frames, p(t), grains since the previous call, labels, level.
    ///
    /// p(t) comes as lanes for the sources that hold the mass, plus `pinnable` lanes for the pinned
    /// sources not among them (`SceneState.viewed(pinning:)` makes each viewer's view). One caller
    /// (the server's state ticker) drains the grains; the call must not block the audio thread.
    ///
    /// - Parameter pinned: the sources any viewer pinned (source indices; others are ignored).
    /// - Returns: the state.
    func snapshot(including pinned: Set<Int>) -> SceneState

    /// Applies a sound change at once (see `LiveEngine.update(_:)`).
    ///
    /// - Parameter change: the values to change.
    /// - Returns: the sound now in force.
    /// - Throws: ``SoundModelError`` naming a bad key or value; nothing changes then.
    func apply(_ change: SoundChange) throws(SoundModelError) -> SoundSettings

    /// Replaces the whole sound: a preset, or the defaults (parameters fixed at start stay as they are).
    ///
    /// - Parameter sound: the new sound.
    /// - Returns: the sound now in force.
    func replaceSound(with sound: SoundSettings) -> SoundSettings

    /// The sound in force: every parameter and every source's volume and mute.
    var parameters: SoundSettings { get }

    /// The JPEG thumbnail of a corpus frame, or nil when the index is out of range.
    func thumbnail(ofFrame index: Int) -> [UInt8]?

    /// Stores a camera frame in the corpus as an example of a source ("sounds like ▸ source") and
    /// makes the analysis use it. Slow (embedding, disk flushes, reload): call it off the event loops.
    ///
    /// - Parameters:
    ///   - frame: the camera frame.
    ///   - source: the source index, already checked against the overview.
    /// - Returns: the stored example.
    /// - Throws: any error, whose description the page is shown; the corpus is unchanged then.
    func teach(_ frame: CameraFrameMessage, source: Int) throws -> TeachReport

    /// Session recording now, or nil when this engine cannot record.
    var recording: RecordingStatus? { get }

    /// Starts or stops recording a session; returns at once (the work runs in the background and
    /// `recording` tells when it is done).
    ///
    /// - Parameter on: start (true) or stop (false).
    func setRecording(_ on: Bool)
}

extension SceneEngine {
    /// The inside view now, with no pinned sources.
    public func snapshot() -> SceneState { snapshot(including: []) }

    /// Engines that cannot teach say so.
    public func teach(_ frame: CameraFrameMessage, source: Int) throws -> TeachReport {
        throw TeachingUnavailable()
    }

    /// Engines that cannot record say so.
    public var recording: RecordingStatus? { nil }

    /// Engines that cannot record ignore the request.
    public func setRecording(_ on: Bool) {}
}
