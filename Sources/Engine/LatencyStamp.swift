/// The life of one camera frame through the live engine, in `MonotonicClock` nanoseconds: the
/// figure behind the latency benchmark (arrival → first grain drawn from the p(t) it produced).
public struct LatencyStamp: Sendable, Hashable, Codable {
    /// The frame's id (from `LiveEngine.submit(_:)`).
    public var frameID: UInt64
    /// When `submit` received it.
    public var arrival: Int64
    /// When the vision thread began working on it (after waiting for the previous frame's work).
    public var analysisStart: Int64
    /// When its p(t) and alias table were handed to the audio thread.
    public var published: Int64
    /// When the audio thread rendered the first grain drawn from that p(t).
    public var firstGrainRendered: Int64
    /// When that grain's first sample reaches the output, as far as the sink knows its queue.
    public var firstGrainAudible: Int64

    /// Arrival to the first grain rendered, in seconds.
    public var toFirstGrain: Double { Double(firstGrainRendered - arrival) / 1e9 }
    /// Arrival to that grain being heard, in seconds.
    public var toAudible: Double { Double(firstGrainAudible - arrival) / 1e9 }
    /// Arrival to publication (waiting plus analysis), in seconds.
    public var toPublished: Double { Double(published - arrival) / 1e9 }
}
