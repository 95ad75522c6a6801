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
    var visionUpdate: VisionUpdateReport?

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
        visionUpdate?.printSummary()
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
