import Foundation

/// The results of `bench synth`, printed as a table or JSON.
struct SynthBenchmarkReport: Codable {
    /// One timed render.
    struct Render: Codable {
        var round: Int
        var setting: String
        var grainRate: Double
        var minDuration: Double
        var maxDuration: Double
        /// Render and WAV writing, seconds.
        var scenophoneSeconds: Double
        /// The synthesizer's render calls alone, seconds.
        var synthesisSeconds: Double
        /// The textbook granulator writing the same WAV, seconds.
        var baselineSeconds: Double?
    }

    /// The cost of one vision update.
    struct Update: Codable {
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
    }

    /// SuperCollider GrainBuf's × real time for the same jobs, measured by the project on a machine of
    /// this kind (`../shared/docs/DESIGN.md`), not in this run.
    static let superCollider = ["paper": 1128.0, "heavy": 108.0]
    /// The goals, × real time.
    static let goals = ["paper": 2500.0, "heavy": 250.0]

    var processor: String
    var processors: Int
    var loadAverageBefore: [Double]
    var loadAverageAfter: [Double] = []
    var seconds: Double
    var sourceSeconds: Double
    /// Where the WAV files were written.
    var outputDirectory: String
    var renders: [Render] = []
    var updates: [Update] = []

    func printHeader() {
        print(
            String(
                format: "bench synth: %.0f s of mono 48 kHz float WAV from a %.0f s source, one thread, "
                    + "rendered and written %d frames at a time",
                seconds, sourceSeconds, SynthBenchmarkCommand.block))
        print("machine: \(processor), \(processors) CPUs, load average \(loads(loadAverageBefore))")
        print("WAV files written to \(outputDirectory)")
        print("round  setting                 scenophone (synthesis alone)        textbook baseline    ratio")
    }

    func printRender(_ row: Render) {
        var line = String(
            format: "%5d  %@  %7.0f× %6.3f s (%6.0f×)", row.round,
            label(row).padding(toLength: 22, withPad: " ", startingAt: 0),
            seconds / row.scenophoneSeconds, row.scenophoneSeconds, seconds / row.synthesisSeconds)
        if let baseline = row.baselineSeconds {
            line += String(
                format: "   %7.0f× %7.3f s   %6.1f×", seconds / baseline, baseline,
                baseline / row.scenophoneSeconds)
        }
        print(line)
    }

    func printSummary() {
        print()
        print("medians                        scenophone  textbook   SuperCollider GrainBuf*   goal")
        for setting in ["paper", "heavy"] {
            let rows = renders.filter { $0.setting == setting }
            guard let first = rows.first else { continue }
            let ours = seconds / BenchmarkClock.median(rows.map(\.scenophoneSeconds))
            let synthesis = seconds / BenchmarkClock.median(rows.map(\.synthesisSeconds))
            let baseline = rows.compactMap(\.baselineSeconds)
            let theirs =
                baseline.isEmpty
                ? "        –" : String(format: "%8.0f×", seconds / BenchmarkClock.median(baseline))
            let sc = Self.superCollider[setting]!
            print(
                String(
                    format: "%@  %8.0f×  %@   %6.0f× (ours %.1f× that)   ≥ %.0f×",
                    label(first).padding(toLength: 29, withPad: " ", startingAt: 0), ours, theirs, sc,
                    ours / sc, Self.goals[setting]!))
            print(String(format: "  synthesis alone (no WAV writing): %.0f× real time", synthesis))
        }
        print("* measured by the project on a machine of this kind (DESIGN.md), not in this run")
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
        print("load average after: \(loads(loadAverageAfter))")
    }

    private func label(_ row: Render) -> String {
        String(
            format: "%@ %.0f/s %.0f–%.0f ms", row.setting, row.grainRate, row.minDuration * 1000,
            row.maxDuration * 1000)
    }

    private func loads(_ values: [Double]) -> String {
        values.map { String(format: "%.2f", $0) }.joined(separator: " ")
    }
}
