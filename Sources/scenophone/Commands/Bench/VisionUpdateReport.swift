import Foundation

/// The cost of one vision update, measured by ``VisionUpdateBenchmark`` for `bench synth`.
struct VisionUpdateReport: Codable {
    /// `exact`, or `projected(N)` for a first pass over N principal components.
    var search: String
    var frames: Int
    var blasThreads: Int
    var openblasCore: String
    /// Building the search (the principal components for a projected one), seconds.
    var preparedSeconds: Double
    /// The share of the embeddings' variance the search's components explain (1 when exact).
    var explainedVariance: Double
    /// Half the sum of |p − p_exact| over the frames, without smoothing: how far this search's
    /// distribution is from the exact one (0 when exact, 1 when disjoint).
    var totalVariation: Double
    var distancesMs: Double
    var mapMs: Double
    var aliasMs: Double
    var totalMs: Double
    /// Reading the embeddings once (a SIMD sum, no arithmetic to speak of): the memory floor
    /// of any exact distance computation over them.
    var readEmbeddingsMs: Double
    /// The embeddings' size, bytes.
    var embeddingBytes: Int

    /// Prints the measurements as lines of the benchmark's summary.
    ///
    /// - Parameter updates: one report per search measured (nothing is printed when empty).
    static func printSummary(_ updates: [VisionUpdateReport]) {
        if let first = updates.first {
            print()
            print(
                String(
                    format: "one vision update at %d frames (OpenBLAS %d thread, %@ kernels); goal < 5 ms",
                    first.frames, first.blasThreads, first.openblasCore))
            print(
                String(
                    format: "  baseline: reading the %.0f MB of embeddings once takes %.2f ms (%.1f GB/s)",
                    Double(first.embeddingBytes) / 1e6, first.readEmbeddingsMs,
                    Double(first.embeddingBytes) / first.readEmbeddingsMs / 1e6))
        }
        for update in updates {
            print(
                String(
                    format: "  %@ distances %.2f ms (%.2f× the read), map + smoothing %.2f ms, "
                        + "alias table + hand-over %.2f ms: total %.2f ms",
                    update.search.padding(toLength: 15, withPad: " ", startingAt: 0), update.distancesMs,
                    update.distancesMs / update.readEmbeddingsMs, update.mapMs, update.aliasMs, update.totalMs
                ))
            if update.search != "exact" {
                print(
                    String(
                        format: "  %@ prepared in %.1f s, %.0f%% of the variance; p(t) differs from the "
                            + "exact one by %.4f (total variation)",
                        "".padding(toLength: 15, withPad: " ", startingAt: 0), update.preparedSeconds,
                        update.explainedVariance * 100, update.totalVariation))
            }
        }
    }
}
