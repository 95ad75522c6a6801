#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Exponential smoothing of successive distributions over the corpus, so that camera jitter does not
/// make the sound jump while a real change of scene still comes through quickly.
///
/// After a frame at time `t`, the smoothed distribution is `s ← α·s + (1 − α)·p` with
/// `α = exp(−Δt / τ)`, `Δt` the time since the previous frame. A mixture of distributions is a
/// crossfade between scenes, and weighting by `Δt` makes the response independent of the vision
/// frame rate: after a cut the new scene holds `1 − exp(−t/τ)` of the mass, so with the default
/// τ = 0.1 s it holds 90 % after 0.23 s.
public struct ProbabilitySmoother: ~Copyable {
    /// The smoothing time constant τ in seconds; 0 passes every distribution through unchanged.
    public var timeConstant: Double
    private let state: UnsafeMutableBufferPointer<Double>
    private var lastTime: Double?

    /// Creates a smoother for distributions over `count` frames.
    ///
    /// - Parameters:
    ///   - count: frames per distribution.
    ///   - timeConstant: τ in seconds, ≥ 0.
    public init(count: Int, timeConstant: Double = 0.1) {
        self.timeConstant = timeConstant
        state = .allocate(capacity: count)
        state.initialize(repeating: 0)
    }

    deinit { state.deallocate() }

    /// The current smoothed distribution (all zero before the first frame).
    public var current: UnsafeBufferPointer<Double> { UnsafeBufferPointer(state) }

    /// Forgets the past: the next distribution is taken as it is.
    public mutating func reset() { lastTime = nil }

    /// Blends in a new distribution observed at `time`.
    ///
    /// The first distribution, or one seen before the previous one (a new input), replaces the
    /// state outright; after a long gap `α` is near zero anyway.
    ///
    /// - Parameters:
    ///   - distribution: the new distribution (sums to 1), one value per frame.
    ///   - time: when its frame was seen, in seconds on any steady clock.
    /// - Returns: the smoothed distribution, valid until the next call.
    public mutating func blend(_ distribution: UnsafeBufferPointer<Double>, at time: Double)
        -> UnsafeBufferPointer<Double>
    {
        precondition(distribution.count == state.count)
        var keep = 0.0
        if let lastTime, time >= lastTime, timeConstant > 0 {
            keep = exp(-(time - lastTime) / timeConstant)
        }
        lastTime = time
        let take = 1 - keep
        for index in 0..<state.count {
            state[index] = keep * state[index] + take * distribution[index]
        }
        return current
    }
}
