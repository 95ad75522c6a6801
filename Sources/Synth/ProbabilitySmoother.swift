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
///
/// Distributions come as a background share (spread over the corpus by a fixed rule the smoother
/// need not know) plus masses of their own at a few frames (``SparseDistribution``). The background
/// shares blend as numbers and the masses frame by frame, so an update costs the frames that hold
/// mass, not the corpus. A frame whose mass has decayed below ``negligibleMass`` is let go and its
/// mass joins the background: the set stays as small as the last few pictures' near frames, and the
/// total stays 1.
public struct ProbabilitySmoother: ~Copyable {
    /// The smoothing time constant τ in seconds; 0 passes every distribution through unchanged.
    public var timeConstant: Double
    /// The smoothed background share.
    public private(set) var background = 0.0
    /// Per frame its smoothed mass: nonzero exactly at the first `activeCount` of `active`.
    private let state: UnsafeMutableBufferPointer<Double>
    private let active: UnsafeMutableBufferPointer<Int32>
    private var activeCount = 0
    private var lastTime: Double?

    /// Below this a frame's own mass is let go to the background; frames let go in one update move
    /// the distribution by at most their number times this in total variation.
    public static let negligibleMass = 1e-12

    /// Creates a smoother for distributions over `count` frames.
    ///
    /// - Parameters:
    ///   - count: frames per distribution.
    ///   - timeConstant: τ in seconds, ≥ 0.
    public init(count: Int, timeConstant: Double = 0.1) {
        self.timeConstant = timeConstant
        state = .allocate(capacity: count)
        state.initialize(repeating: 0)
        active = .allocate(capacity: count)
        active.initialize(repeating: 0)
    }

    deinit {
        state.deallocate()
        active.deallocate()
    }

    /// The frames holding smoothed mass of their own.
    public var frames: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(rebasing: active[0..<activeCount]) }

    /// Per frame its smoothed mass of its own (all zero before the first frame).
    public var masses: UnsafeBufferPointer<Double> { UnsafeBufferPointer(state) }

    /// Forgets the past: the next distribution is taken as it is.
    public mutating func reset() { lastTime = nil }

    /// Blends in a new distribution observed at `time`. Allocates nothing.
    ///
    /// The first distribution, or one seen before the previous one (a new input), replaces the
    /// state outright; after a long gap `α` is near zero anyway.
    ///
    /// - Parameters:
    ///   - background: the new distribution's background share.
    ///   - frames: the frames with mass of their own in the new distribution.
    ///   - masses: their masses, indexed by frame (read at `frames` only).
    ///   - time: when its picture was seen, in seconds on any steady clock.
    public mutating func blend(
        background newBackground: Double, frames newFrames: UnsafeBufferPointer<Int32>,
        masses newMasses: UnsafeBufferPointer<Double>, at time: Double
    ) {
        precondition(newMasses.count == state.count)
        var keep = 0.0
        if let lastTime, time >= lastTime, timeConstant > 0 {
            keep = exp(-(time - lastTime) / timeConstant)
        }
        lastTime = time
        let take = 1 - keep
        var released = 0.0
        var kept = 0
        for slot in 0..<activeCount {
            let frame = Int(active[slot])
            let mass = state[frame] * keep
            if mass < Self.negligibleMass {
                released += mass
                state[frame] = 0
            } else {
                state[frame] = mass
                active[kept] = Int32(frame)
                kept += 1
            }
        }
        activeCount = kept
        for frame in newFrames {
            let mass = take * newMasses[Int(frame)]
            guard mass > 0 else { continue }
            if state[Int(frame)] == 0 {
                active[activeCount] = frame
                activeCount += 1
            }
            state[Int(frame)] += mass
        }
        background = keep * background + take * newBackground + released
    }
}
