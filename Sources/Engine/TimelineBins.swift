/// Turns p over corpus frames into p(t) over each source's timeline, in equal bins for drawing.
///
/// Each frame's probability is spread over the bins its audio span covers, in proportion to the
/// overlap: a video frame at 1 fps lands in the bin of its second, a still photo's probability
/// covers its whole recording (which is where its grains really come from).
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

    /// Sums per-frame probabilities into per-source bins.
    ///
    /// - Parameter probabilities: one value per frame.
    /// - Returns: per source, `binsPerSource` masses.
    func curves(_ probabilities: UnsafeBufferPointer<Double>) -> [[Float]] {
        var flat = [Float](repeating: 0, count: sourceCount * binsPerSource)
        for frame in frameShares.indices {
            let probability = Float(probabilities[frame])
            if probability == 0 { continue }
            for share in shares[frameShares[frame]] {
                flat[Int(share.bin)] += probability * share.fraction
            }
        }
        return (0..<sourceCount).map { Array(flat[($0 * binsPerSource)..<(($0 + 1) * binsPerSource)]) }
    }
}
