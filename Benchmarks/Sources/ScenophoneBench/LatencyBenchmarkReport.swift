import Engine
import Foundation

/// The results of `scenophone-bench latency`, printable as lines or encodable as JSON.
struct LatencyBenchmarkReport: Codable {
    /// One round: the stamps of its frames and the baseline timed before it.
    struct Round: Codable {
        var round: Int
        var latency: LatencySummary
        /// One embedding of one frame, alone on this thread (the median).
        var visionAloneMs: Double
        /// p50 arrival → first grain over the baseline.
        var ratio: Double { latency.toFirstGrain.p50 / visionAloneMs }
    }

    /// The goal of issue 5 for p99 arrival → first grain, in milliseconds.
    static let goalMs = 40.0

    var corpus: String
    var frames: Int
    var fps: Double
    var secondsPerRound: Double
    var sink: String
    var openblasCore: String
    var loadAverageBefore: [Double]
    var loadAverageAfter: [Double] = []
    var rounds: [Round] = []
    var underruns = 0

    /// Medians over the rounds of each round's p50 and p99, the baseline and the ratio (see `summarise`).
    var medianP50Ms = 0.0
    var medianP99Ms = 0.0
    var medianVisionAloneMs = 0.0
    var medianRatio = 0.0
    var goalMet = false

    mutating func summarise() {
        medianP50Ms = Self.median(rounds.map(\.latency.toFirstGrain.p50))
        medianP99Ms = Self.median(rounds.map(\.latency.toFirstGrain.p99))
        medianVisionAloneMs = Self.median(rounds.map(\.visionAloneMs))
        medianRatio = Self.median(rounds.map(\.ratio))
        goalMet = medianP99Ms < Self.goalMs
    }

    func printHeader() {
        print(
            "frame arrival → first grain drawn from its p(t); \(corpus), \(frames) pictures at \(fps) frames/s"
        )
        print("sink: \(sink); OpenBLAS kernels: \(openblasCore)")
        print("load average before: \(Self.format(loadAverageBefore))")
    }

    func printRound(_ row: Round) {
        let latency = row.latency
        print(
            String(
                format:
                    "round %d: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d frames); to p(t) p50 %.1f ms; "
                    + "baseline vision alone %.1f ms; ratio p50/baseline %.2f",
                row.round, latency.toFirstGrain.p50, latency.toFirstGrain.p99, latency.toFirstGrain.max,
                latency.count, latency.toPublished.p50, row.visionAloneMs, row.ratio))
    }

    func printSummary() {
        print("load average after: \(Self.format(loadAverageAfter)); underruns: \(underruns)")
        print(
            String(
                format:
                    "median over %d rounds: p50 %.1f ms, p99 %.1f ms (goal p99 < %.0f ms: %@); "
                    + "vision alone %.1f ms; ratio %.2f",
                rounds.count, medianP50Ms, medianP99Ms, Self.goalMs, goalMet ? "met" : "NOT met",
                medianVisionAloneMs, medianRatio))
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private static func format(_ load: [Double]) -> String {
        load.map { String(format: "%.2f", $0) }.joined(separator: " ")
    }
}
