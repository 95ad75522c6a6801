/// What a soak does besides playing: how long, when the camera is lost and comes back, and when the
/// engine is torn down and built again (as a server restart would).
public struct SoakPlan: Sendable, Hashable, Codable {
    /// Seconds from the first measurement to the last.
    public var seconds: Double
    /// Seconds of playing before the first measurement (buffers, pools and caches settle).
    public var warmUp: Double
    /// Seconds of frames between two camera losses; nil: the camera is never lost.
    public var cameraLossEvery: Double?
    /// Seconds without frames at each loss: longer than the idle timeout and its fade, so the scene
    /// fades out and must come back.
    public var cameraLossLength: Double
    /// Seconds between engine restarts; nil: one engine for the whole run.
    public var restartEvery: Double?

    /// Creates a plan.
    ///
    /// - Parameters:
    ///   - seconds: measured length.
    ///   - warmUp: unmeasured start.
    ///   - cameraLossEvery: seconds of frames between losses (nil: never).
    ///   - cameraLossLength: seconds without frames per loss.
    ///   - restartEvery: seconds between engine restarts (nil: never).
    public init(
        seconds: Double, warmUp: Double = 5, cameraLossEvery: Double? = 30, cameraLossLength: Double = 4,
        restartEvery: Double? = nil
    ) {
        self.seconds = seconds
        self.warmUp = warmUp
        self.cameraLossEvery = cameraLossEvery
        self.cameraLossLength = cameraLossLength
        self.restartEvery = restartEvery
    }
}
