import Synth

/// Turns p over corpus frames into p(t) over each source's timeline, in equal bins for drawing.
///
/// Each frame's probability is spread over the bins its audio span covers, in proportion to the
/// overlap: a video frame at 1 fps lands in the bin of its second, a still photo's probability
/// covers its whole recording (which is where its grains really come from). A sparse distribution's
/// background is binned once per set of time weights, so a picture costs its near frames only.
struct TimelineBins {
    /// One contribution of a frame to a bin.
    private struct Share {
        var bin: Int32
        var fraction: Float
    }

    let binsPerSource: Int
    let sourceCount: Int
    /// Per frame, the range of its shares in `shares`.
    private let frameShares: [Range<Int>]
    private let shares: [Share]
    /// The background spread by time weight, binned, and the time weights' version it is for.
    private var backgroundBins: (version: UInt64, bins: [Double])?

    /// Precomputes the shares.
    ///
    /// - Parameters:
    ///   - spans: per frame its source and audio span in seconds.
    ///   - durations: per source its length in seconds.
    ///   - binsPerSource: bins across each source.
    init(spans: [(source: Int, span: Range<Double>)], durations: [Double], binsPerSource: Int) {
        self.binsPerSource = binsPerSource
        sourceCount = durations.count
        var shares: [Share] = []
        var frameShares: [Range<Int>] = []
        frameShares.reserveCapacity(spans.count)
        for (source, span) in spans {
            let first = shares.count
            let duration = max(durations[source], 1e-9)
            let binLength = duration / Double(binsPerSource)
            let start = min(max(span.lowerBound, 0), duration)
            let end = min(max(span.upperBound, start), duration)
            let length = end - start
            if length <= 0 {
                let bin = min(Int(start / binLength), binsPerSource - 1)
                shares.append(Share(bin: Int32(source * binsPerSource + bin), fraction: 1))
            } else {
                let firstBin = min(Int(start / binLength), binsPerSource - 1)
                let lastBin = min(Int(end / binLength), binsPerSource - 1)
                for bin in firstBin...lastBin {
                    let overlap =
                        min(end, Double(bin + 1) * binLength) - max(start, Double(bin) * binLength)
                    if overlap > 0 {
                        shares.append(
                            Share(bin: Int32(source * binsPerSource + bin), fraction: Float(overlap / length))
                        )
                    }
                }
            }
            frameShares.append(first..<shares.count)
        }
        self.shares = shares
        self.frameShares = frameShares
    }

    /// Sums a sparse distribution into per-source bins: its frames one by one, its background from
    /// the binned time weights (rebinned only when they change).
    ///
    /// - Parameter distribution: the distribution.
    /// - Returns: per source, `binsPerSource` masses.
    mutating func curves(_ distribution: SparseDistribution) -> [[Float]] {
        precondition(distribution.frameCount == frameShares.count)
        if backgroundBins?.version != distribution.timeWeightsVersion {
            var binned = [Double](repeating: 0, count: sourceCount * binsPerSource)
            let scale = distribution.totalTimeWeight > 0 ? 1 / distribution.totalTimeWeight : 0
            for frame in frameShares.indices {
                add(distribution.timeWeights[frame] * scale, ofFrame: frame, to: &binned)
            }
            backgroundBins = (distribution.timeWeightsVersion, binned)
        }
        let background = distribution.background
        var flat = backgroundBins?.bins.map { $0 * background } ?? []
        for frame in distribution.frames {
            add(distribution.masses[Int(frame)], ofFrame: Int(frame), to: &flat)
        }
        return split(flat)
    }

    private func add(_ probability: Double, ofFrame frame: Int, to flat: inout [Double]) {
        guard probability != 0 else { return }
        for share in shares[frameShares[frame]] {
            flat[Int(share.bin)] += probability * Double(share.fraction)
        }
    }

    private func split(_ flat: [Double]) -> [[Float]] {
        (0..<sourceCount).map { source in
            flat[(source * binsPerSource)..<((source + 1) * binsPerSource)].map { Float($0) }
        }
    }
}
