/// Percentiles of a set of latency stamps, in milliseconds.
public struct LatencySummary: Sendable, Hashable, Codable {
    /// Percentiles of one measure.
    public struct Percentiles: Sendable, Hashable, Codable {
        /// The median.
        public var p50: Double
        /// The 99th percentile.
        public var p99: Double
        /// The largest value.
        public var max: Double
    }

    /// How many stamps.
    public var count: Int
    /// Arrival → first grain rendered from the frame's p(t).
    public var toFirstGrain: Percentiles
    /// Arrival → that grain reaching the output (adds the device buffer).
    public var toAudible: Percentiles
    /// Arrival → p(t) handed to the audio thread (waiting for the vision thread plus analysis).
    public var toPublished: Percentiles

    /// Summarises stamps; nil when there are none.
    ///
    /// - Parameter stamps: the stamps.
    public init?(_ stamps: [LatencyStamp]) {
        guard !stamps.isEmpty else { return nil }
        count = stamps.count
        toFirstGrain = Self.percentiles(stamps.map(\.toFirstGrain))
        toAudible = Self.percentiles(stamps.map(\.toAudible))
        toPublished = Self.percentiles(stamps.map(\.toPublished))
    }

    /// Nearest-rank percentiles, converted from seconds to milliseconds.
    private static func percentiles(_ seconds: [Double]) -> Percentiles {
        let sorted = seconds.sorted()
        func rank(_ fraction: Double) -> Double {
            let index = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(index, 0), sorted.count - 1)] * 1000
        }
        return Percentiles(p50: rank(0.5), p99: rank(0.99), max: sorted[sorted.count - 1] * 1000)
    }
}
