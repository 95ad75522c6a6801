import Corpus
import Foundation

/// The cost of one vision update, measured by ``VisionUpdateBenchmark`` for `bench synth`.
struct VisionUpdateReport: Codable {
    /// The parts of one update, milliseconds (medians over the updates).
    struct Timing: Codable {
        var distancesMs = 0.0
        var mapMs = 0.0
        var aliasMs = 0.0
        var totalMs = 0.0

        /// The median of each part.
        static func median(of timings: [Timing]) -> Timing {
            func median(_ part: KeyPath<Timing, Double>) -> Double {
                BenchmarkClock.median(timings.map { $0[keyPath: part] })
            }
            return Timing(
                distancesMs: median(\.distancesMs), mapMs: median(\.mapMs), aliasMs: median(\.aliasMs),
                totalMs: median(\.totalMs))
        }
    }

    /// `synthetic`, or the corpus's path.
    var corpus: String
    /// The similarity measure searched with.
    var similarity: String
    var frames: Int
    var dimension: Int
    /// Principal components behind the lower bounds.
    var components: Int
    var blasThreads: Int
    var openblasCore: String
    /// What computes the distance passes (not OpenBLAS).
    var distanceKernel = RowProducts.kernelName
    /// Preparing the exact search (norms and mean), and the bounded one (also the components), seconds.
    var exactPreparedSeconds: Double
    var boundedPreparedSeconds: Double
    /// The share of the embeddings' variance the components explain.
    var explainedVariance: Double
    /// The mapping's cutoff, in normalised distance.
    var cutoff: Double
    /// The embeddings' size, bytes.
    var embeddingBytes: Int
    /// The full pass over every embedding.
    var exact = Timing()
    /// The pass with exact distances only within the cutoff.
    var pruned = Timing()
    /// Reading the embeddings once (cblas_sasum): the memory floor of any full pass.
    var streamMs = 0.0
    /// Per update, the frames the pruned pass computed exactly.
    var exactDistances: [Int] = []
    /// Updates where the lower bounds were used (the others fell back to a full pass).
    var boundedUpdates = 0
    /// The largest total variation between the two passes' p(t) (before smoothing) over the updates.
    var totalVariation = 0.0
    /// Per update, the nearest playable frame's distance over the RMS distance.
    var nearestOverScale: [Double] = []
    /// Per update, the share of frames within the cutoff (they need exact distances whatever the bounds).
    var withinCutoff: [Double] = []

    /// Prints the measurements as lines of the benchmark's summary.
    func printSummary() {
        print()
        print(
            String(
                format:
                    "one vision update at %d frames of %@, %@ similarity (distances: %@, 1 thread; OpenBLAS %@ kernels); "
                    + "goal < 5 ms", frames, corpus, similarity, distanceKernel, openblasCore))
        print(
            String(
                format:
                    "  baseline: streaming the %.0f MB of embeddings once (sasum) takes %.2f ms (%.1f GB/s)",
                Double(embeddingBytes) / 1e6, streamMs, Double(embeddingBytes) / streamMs / 1e6))
        for (name, timing) in [("exact full pass", exact), ("pruned", pruned)] {
            print(
                String(
                    format:
                        "  %@ distances %6.2f ms, map + smoothing %.2f ms, alias table + hand-over %.2f ms: "
                        + "total %6.2f ms (%.2f× the stream)",
                    name.padding(toLength: 15, withPad: " ", startingAt: 0), timing.distancesMs, timing.mapMs,
                    timing.aliasMs, timing.totalMs, timing.totalMs / streamMs))
        }
        let counts = exactDistances.sorted()
        print(
            String(
                format:
                    "  pruned: exact distances for %d frames (median; max %d) of %d; bounds used in %d of %d "
                    + "updates; %d components (%.0f%% of the variance), prepared in %.2f s (exact %.2f s)",
                counts.isEmpty ? 0 : counts[counts.count / 2], counts.last ?? 0, frames, boundedUpdates,
                exactDistances.count, components, explainedVariance * 100, boundedPreparedSeconds,
                exactPreparedSeconds))
        print(
            String(
                format: "  p(t) pruned vs exact: total variation %.1e (largest over the updates)",
                totalVariation))
        print(
            String(
                format: "  queries: nearest / RMS distance %@; frames within the cutoff z ≤ %.2f: %@",
                Self.quantiles(nearestOverScale, format: "%.3f"), cutoff,
                Self.quantiles(withinCutoff.map { $0 * 100 }, format: "%.2f%%")))
    }

    /// `median (10th–90th percentile)`.
    private static func quantiles(_ values: [Double], format: String) -> String {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return "–" }
        func at(_ share: Double) -> String {
            String(format: format, sorted[min(sorted.count - 1, Int(share * Double(sorted.count)))])
        }
        return "\(at(0.5)) (\(at(0.1))–\(at(0.9)))"
    }
}
