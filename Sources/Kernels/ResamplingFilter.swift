/// Antialiased linear ("triangle") resampling weights along one axis, PIL-style.
///
/// Output sample `o` sits at `(o + 0.5) · scale` in input coordinates, where `scale = n_in / n_out`.
/// Every input sample within `support = max(scale, 1)` of it contributes `1 − distance / support`,
/// and each output's weights are normalised to sum to one. Downscaling therefore averages over the
/// whole footprint (no aliasing); upscaling is plain bilinear interpolation.
public struct ResamplingFilter: Sendable, Equatable {
    /// The number of input samples.
    public let inputCount: Int
    /// The number of output samples.
    public let outputCount: Int
    /// The most input samples any one output reads.
    public let taps: Int
    /// For each output, the first input sample of its window; `start + taps ≤ inputCount`.
    public let starts: [Int]
    /// `outputCount × taps` weights; unused trailing taps are zero.
    public let weights: [Float]

    /// Computes the weights for resampling `inputCount` samples to `outputCount`.
    ///
    /// - Parameters:
    ///   - inputCount: input samples, at least 1.
    ///   - outputCount: output samples, at least 1.
    public init(inputCount: Int, outputCount: Int) {
        precondition(inputCount > 0 && outputCount > 0, "ResamplingFilter needs non-empty axes")
        self.inputCount = inputCount
        self.outputCount = outputCount
        let scale = Double(inputCount) / Double(outputCount)
        let support = max(scale, 1)
        var rows: [(start: Int, weights: [Double])] = []
        rows.reserveCapacity(outputCount)
        for o in 0..<outputCount {
            let centre = (Double(o) + 0.5) * scale
            let first = max(0, Int((centre - support - 0.5).rounded(.down)))
            let last = min(inputCount - 1, Int((centre + support - 0.5).rounded(.up)))
            var start = first
            var w: [Double] = []
            for i in first...last {
                let value = 1 - abs(Double(i) + 0.5 - centre) / support
                if value > 0 {
                    if w.isEmpty { start = i }
                    w.append(value)
                } else if !w.isEmpty {
                    break
                }
            }
            let total = w.reduce(0, +)
            rows.append((start, w.map { $0 / total }))
        }
        let taps = rows.map(\.weights.count).max() ?? 1
        // Every window of `taps` samples lies inside the input (zero weights pad the short rows at
        // whichever end keeps it inside), so kernels may read all taps without bounds checks.
        var starts: [Int] = []
        var flat = [Float](repeating: 0, count: outputCount * taps)
        for (o, row) in rows.enumerated() {
            let start = max(0, min(row.start, inputCount - taps))
            starts.append(start)
            for (t, value) in row.weights.enumerated() {
                flat[o * taps + row.start - start + t] = Float(value)
            }
        }
        self.taps = taps
        self.starts = starts
        weights = flat
    }
}
