import Synth

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Similarity accumulated over the pictures of the current shot: an exponentially weighted mean of
/// their embeddings in the similarity measure's space, searched in place of the last picture alone.
///
/// Why a mean of queries accumulates similarity *exactly*: for weights `w_i` summing to 1 and
/// their weighted mean `m = Σ w_i q_i`,
/// - `Σ w_i q_i·x = m·x` (dot products are linear), and
/// - `Σ w_i ‖q_i − x‖² = ‖m − x‖² + (Σ w_i ‖q_i‖² − ‖m‖²)`, the bracket the same for every frame `x`.
///
/// So the frames nearest to `m` are those with the largest accumulated similarity, and the
/// differences of squared distances to `m` are the differences of accumulated squared distances:
/// the pruned search, its lower bounds and the RMS scale all work on `m` unchanged. Averaging the
/// *probabilities* instead (which ``ProbabilitySmoother`` does, for crossfades) blends the scenes each
/// picture matched; averaging similarities lets a scene that every picture half-matches win.
///
/// The weights are `Δt`-weighted like the smoother's: `m ← α·m + (1 − α)·q` with `α = exp(−Δt/τ)`,
/// so the result does not depend on the vision frame rate. A new shot (a cut, a new input, time
/// going backwards) restarts the mean at the new picture. Allocates once, at creation.
public struct SceneEvidence: ~Copyable {
    /// The time constant τ in seconds; 0 searches each picture alone.
    public var timeConstant: Double
    private let state: UnsafeMutableBufferPointer<Float>
    private var lastTime: Double?

    /// Creates an accumulator for queries of `dimension` floats.
    ///
    /// - Parameters:
    ///   - dimension: the length of a query.
    ///   - timeConstant: τ in seconds, ≥ 0.
    public init(dimension: Int, timeConstant: Double) {
        self.timeConstant = timeConstant
        state = .allocate(capacity: dimension)
        state.initialize(repeating: 0)
    }

    deinit { state.deallocate() }

    /// The accumulated query (all zero before the first picture).
    public var current: UnsafeBufferPointer<Float> { UnsafeBufferPointer(state) }

    /// Whether a picture has been added since the last restart.
    public var isEmpty: Bool { lastTime == nil }

    /// Makes the next picture start a new shot.
    public mutating func restart() { lastTime = nil }

    /// Adds a picture's query (already in the measure's space).
    ///
    /// - Parameters:
    ///   - query: the picture's transformed embedding, `dimension` floats.
    ///   - time: when it was seen, in seconds on any steady clock.
    ///   - newShot: the picture starts a new shot (a cut): forget the previous ones.
    /// - Returns: the accumulated query, valid until the next call.
    @discardableResult
    public mutating func add(_ query: UnsafeBufferPointer<Float>, at time: Double, newShot: Bool = false)
        -> UnsafeBufferPointer<Float>
    {
        precondition(query.count == state.count, "the query has the wrong length")
        var keep: Float = 0
        if !newShot, let lastTime, time >= lastTime, timeConstant > 0 {
            keep = Float(exp(-(time - lastTime) / timeConstant))
        }
        lastTime = time
        let take = 1 - keep
        for index in 0..<state.count { state[index] = keep * state[index] + take * query[index] }
        return current
    }

    /// Checks an evidence time constant.
    ///
    /// - Parameter timeConstant: seconds, in [0, 60].
    /// - Throws: ``SynthError/invalidParameter(_:)`` when it is out of range (as for the other
    ///   listening settings).
    public static func validate(timeConstant: Double) throws {
        guard timeConstant >= 0, timeConstant <= 60 else {
            throw SynthError.invalidParameter("evidence time constant \(timeConstant) s must be in 0…60")
        }
    }
}
