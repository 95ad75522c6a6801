/// A distribution over corpus frames in the shape the mapping makes it: a share spread over all
/// playable audio in proportion to time weight (the mapping's floor), plus a probability of their
/// own for the frames near the picture.
///
/// At a million frames only a few hundred are near any picture, so this is what the vision thread
/// hands on: smoothing, the synthesizer's tables and the inside view's curves then cost the near
/// frames, not the corpus (`docs/search.md`). It borrows its owner's buffers (``ProbabilityMap``):
/// valid until the owner's next update.
public struct SparseDistribution {
    /// The share drawn in proportion to ``timeWeights``.
    public let background: Double
    /// Per frame its time weight (span length × source weight; 0: not playable).
    public let timeWeights: UnsafeBufferPointer<Double>
    /// The sum of ``timeWeights``.
    public let totalTimeWeight: Double
    /// Changes whenever ``timeWeights`` do: what was derived from them can be kept until then.
    public let timeWeightsVersion: UInt64
    /// The frames with a probability of their own, in no particular order.
    public let frames: UnsafeBufferPointer<Int32>
    /// Per frame its own probability, besides its background share: indexed by frame, nonzero only
    /// at ``frames``.
    public let masses: UnsafeBufferPointer<Double>

    /// Wraps buffers a map owns.
    public init(
        background: Double, timeWeights: UnsafeBufferPointer<Double>, totalTimeWeight: Double,
        timeWeightsVersion: UInt64, frames: UnsafeBufferPointer<Int32>, masses: UnsafeBufferPointer<Double>
    ) {
        precondition(timeWeights.count == masses.count)
        self.background = background
        self.timeWeights = timeWeights
        self.totalTimeWeight = totalTimeWeight
        self.timeWeightsVersion = timeWeightsVersion
        self.frames = frames
        self.masses = masses
    }

    /// The number of corpus frames.
    public var frameCount: Int { masses.count }

    /// The background's probability per unit of time weight.
    public var backgroundDensity: Double { totalTimeWeight > 0 ? background / totalTimeWeight : 0 }

    /// One frame's probability.
    ///
    /// - Parameter frame: a corpus frame index.
    /// - Returns: its own mass plus its share of the background.
    public func probability(ofFrame frame: Int) -> Double {
        masses[frame] + backgroundDensity * timeWeights[frame]
    }

    /// Writes every frame's probability: O(frames), for consumers that need them all.
    ///
    /// - Parameter dense: room for one value per frame, overwritten.
    public func write(into dense: UnsafeMutableBufferPointer<Double>) {
        precondition(dense.count == frameCount)
        let density = backgroundDensity
        for frame in 0..<frameCount { dense[frame] = masses[frame] + density * timeWeights[frame] }
    }
}
