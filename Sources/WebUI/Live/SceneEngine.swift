import Engine

/// What the web UI needs from the engine that turns camera frames into sound.
///
/// The live engine conforms to it; the server never reaches past it, so the page, the protocol and
/// the hostile-client handling stay independent of how the engine schedules its loops.
public protocol SceneEngine: AnyObject, Sendable {
    /// Width and height of the square RGB frames the vision model takes (224 for EfficientNet-Lite0).
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
    /// One caller (the server's state ticker) drains the grains; the call must not block the audio thread.
    func snapshot() -> SceneState

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
}
