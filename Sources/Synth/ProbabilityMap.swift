import Synchronization

/// The vision side of the synthesizer's input: turns each frame's distances to the corpus into the
/// smoothed distribution over corpus frames that the grains are drawn from.
///
/// Holds the frames' time weights (span length × source weight, muted sources 0), the mapping, the
/// smoother and every buffer, allocated once: ``update(distances:scale:time:)`` allocates nothing.
/// Its distributions are sparse (``SparseDistribution``): past the scan for the frames a search gave
/// exact distances, an update costs those frames, not the corpus. Not thread-safe: one vision
/// thread owns it.
public final class ProbabilityMap {
    /// The map from distances to probabilities; changes apply from the next update.
    public var mapping: DistanceMapping
    /// The number of corpus frames.
    public let frameCount: Int
    private let weights: UnsafeMutableBufferPointer<Double>
    private var totalWeight = 0.0
    private var weightRatio = 1.0
    private var weightsVersion: UInt64 = 0
    /// Versions are unique across maps: a synthesizer may outlive the map that fed it (a new
    /// analyser on the same synth), and must not take another map's weights for the ones it has.
    private static let weightsVersions = Atomic<UInt64>(0)
    /// The last picture's own masses, nonzero at `mappedFrames[0..<mappedCount]` only.
    private let mapped: UnsafeMutableBufferPointer<Double>
    private let mappedFrames: UnsafeMutableBufferPointer<Int32>
    private var mappedCount = 0
    private var mappedBackground = 0.0
    private let scratch: UnsafeMutableBufferPointer<Float>
    private var smoother: ProbabilitySmoother
    /// Every frame's smoothed probability, written when ``probabilities`` is read.
    private let dense: UnsafeMutableBufferPointer<Double>

    /// Creates a map for a sound bank.
    ///
    /// - Parameters:
    ///   - bank: the audio the frames stand for (its sources' weights and mutes apply).
    ///   - mapping: the distance map.
    ///   - timeConstant: the smoothing time constant in seconds.
    /// - Throws: ``SynthError/invalidParameter(_:)`` for a bad mapping or time constant.
    public init(bank: SoundBank, mapping: DistanceMapping = DistanceMapping(), timeConstant: Double = 0.1)
        throws
    {
        try mapping.validate()
        try Self.validate(timeConstant: timeConstant)
        self.mapping = mapping
        frameCount = bank.frames.count
        weights = .allocate(capacity: frameCount)
        weights.initialize(repeating: 0)
        mapped = .allocate(capacity: frameCount)
        mapped.initialize(repeating: 0)
        mappedFrames = .allocate(capacity: frameCount)
        mappedFrames.initialize(repeating: 0)
        scratch = .allocate(capacity: frameCount)
        scratch.initialize(repeating: 0)
        dense = .allocate(capacity: frameCount)
        dense.initialize(repeating: 0)
        smoother = ProbabilitySmoother(count: frameCount, timeConstant: timeConstant)
        updateWeights(from: bank)
    }

    deinit {
        weights.deallocate()
        mapped.deallocate()
        mappedFrames.deallocate()
        scratch.deallocate()
        dense.deallocate()
    }

    /// The smoothing time constant in seconds; changes apply from the next update.
    public var timeConstant: Double {
        get { smoother.timeConstant }
        set { smoother.timeConstant = newValue }
    }

    /// Checks a smoothing time constant.
    ///
    /// - Parameter timeConstant: seconds, in [0, 10].
    /// - Throws: ``SynthError/invalidParameter(_:)`` when it is out of range.
    public static func validate(timeConstant: Double) throws {
        guard timeConstant >= 0, timeConstant <= 10 else {
            throw SynthError.invalidParameter("smoothing time constant \(timeConstant) s must be in 0…10")
        }
    }

    /// Replaces the per-frame time weights after a source's weight or mute changed.
    ///
    /// - Parameter bank: the bank with the new weights and mutes (same frames).
    public func updateWeights(from bank: SoundBank) {
        precondition(bank.frames.count == frameCount)
        var total = 0.0
        var smallest = Double.infinity
        for (index, weight) in bank.frameTimeWeights().enumerated() {
            weights[index] = weight
            if weight > 0 {
                total += weight
                smallest = min(smallest, weight)
            }
        }
        totalWeight = total
        weightRatio = total > 0 ? total / smallest : 1
        weightsVersion = Self.weightsVersions.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Per frame its time weight (span length × source weight; 0 for a muted source): the frames
    /// with weight > 0 are the playable ones.
    public var timeWeights: UnsafeBufferPointer<Double> { UnsafeBufferPointer(weights) }

    /// The normalised distance beyond which frames may be left out of the distances given to
    /// ``update(distances:scale:time:)`` (as `+∞`) without changing the result: see
    /// ``DistanceMapping/cutoff(weightRatio:)``.
    public var likenessCutoff: Double { mapping.cutoff(weightRatio: weightRatio) }

    /// Maps a frame's distances and blends the result into the smoothed distribution.
    ///
    /// - Parameters:
    ///   - distances: one distance per corpus frame: exact, or `+∞` for frames beyond
    ///     ``likenessCutoff``.
    ///   - scale: the root-mean-square distance from the frame to every corpus frame; nil computes it
    ///     from `distances`, which must then all be exact.
    ///   - time: when the frame was seen, in seconds on a steady clock (or the input's timeline).
    /// - Returns: the smoothed distribution (sums to 1; all zero when every source is muted), valid
    ///   until the next call.
    @discardableResult
    public func update(distances: UnsafeBufferPointer<Float>, scale: Double? = nil, time: Double)
        -> SparseDistribution
    {
        for slot in 0..<mappedCount { mapped[Int(mappedFrames[slot])] = 0 }
        (mappedBackground, mappedCount) = mapping.map(
            distances: distances, scale: scale, timeWeights: timeWeights, totalTimeWeight: totalWeight,
            into: mapped, frames: mappedFrames, scratch: scratch)
        smoother.blend(
            background: mappedBackground,
            frames: UnsafeBufferPointer(rebasing: mappedFrames[0..<mappedCount]),
            masses: UnsafeBufferPointer(mapped), at: time)
        return current
    }

    /// The distribution of the last frame before smoothing.
    public var unsmoothed: SparseDistribution {
        distribution(
            background: mappedBackground,
            frames: UnsafeBufferPointer(rebasing: mappedFrames[0..<mappedCount]),
            masses: UnsafeBufferPointer(mapped))
    }

    /// The current smoothed distribution.
    public var current: SparseDistribution {
        distribution(background: smoother.background, frames: smoother.frames, masses: smoother.masses)
    }

    /// Every frame's current smoothed probability: O(frames), for consumers that need them all;
    /// valid until the next update or read.
    public var probabilities: UnsafeBufferPointer<Double> {
        current.write(into: dense)
        return UnsafeBufferPointer(dense)
    }

    /// Forgets the past: the next frame's distribution is taken as it is (a new input).
    public func reset() { smoother.reset() }

    private func distribution(
        background: Double, frames: UnsafeBufferPointer<Int32>, masses: UnsafeBufferPointer<Double>
    ) -> SparseDistribution {
        SparseDistribution(
            background: background, timeWeights: timeWeights, totalTimeWeight: totalWeight,
            timeWeightsVersion: weightsVersion, frames: frames, masses: masses)
    }
}
