import Foundation

/// The results of `scenophone-bench vision`, printable as a table or encodable as JSON.
struct VisionBenchmarkReport: Codable {
    /// One timing of both engines at one thread count in one round.
    struct Measurement: Codable {
        var round: Int
        var threads: Int
        var scenophoneMs: Double
        var scenophoneP10Ms: Double
        var scenophoneP90Ms: Double
        /// CPU time used by threads other than the timing one: non-zero at 1 thread means spinning.
        var otherThreadsCPUMs: Double
        var onnxruntimeMs: Double?
        var onnxruntimeVersion: String?
        var ratio: Double? { onnxruntimeMs.map { scenophoneMs / $0 } }
    }

    /// Medians over rounds at one thread count.
    struct Summary: Codable {
        var threads: Int
        var scenophoneMs: Double
        var onnxruntimeMs: Double?
        /// The median of the per-round ratios.
        var ratio: Double?
    }

    /// The network, e.g. "efficientnet-lite1".
    var model: String
    /// Its input side in pixels.
    var inputSize: Int
    var processor: String
    var processors: Int
    /// The vision kernels that ran (`KernelSelection.summary`).
    var visionKernels: String
    var openblasCore: String
    var unsetEnvironment: [String]
    var loadAverageBefore: [Double]
    var loadAverageAfter: [Double]
    var iterations: Int
    var warmup: Int
    var measurements: [Measurement]
    var summary: [Summary]

    mutating func summarise(threads: [Int]) {
        summary = threads.map { count in
            let rows = measurements.filter { $0.threads == count }
            let theirs = rows.compactMap(\.onnxruntimeMs)
            let ratios = rows.compactMap(\.ratio)
            return Summary(
                threads: count, scenophoneMs: Self.median(rows.map(\.scenophoneMs)),
                onnxruntimeMs: theirs.isEmpty ? nil : Self.median(theirs),
                ratio: ratios.isEmpty ? nil : Self.median(ratios))
        }
    }

    func printHeader() {
        print(
            "\(model), batch 1, \(inputSize)×\(inputSize) → embedding + logits; median of \(iterations) runs after \(warmup) warm-up"
        )
        print(
            "CPU: \(processor) × \(processors); vision kernels: \(visionKernels); OpenBLAS kernels: \(openblasCore)"
        )
        if !unsetEnvironment.isEmpty {
            print("unset for this process: \(unsetEnvironment.joined(separator: " "))")
        }
        print(
            "load average before: \(loadAverageBefore.map { String(format: "%.2f", $0) }.joined(separator: " "))"
        )
        print("round  threads  scenophone ms (p10–p90)   other-thread CPU ms  onnxruntime ms  ratio")
    }

    func printMeasurement(_ row: Measurement) {
        let ours = String(
            format: "%7.3f (%6.3f–%6.3f)", row.scenophoneMs, row.scenophoneP10Ms, row.scenophoneP90Ms)
        let theirs =
            row.onnxruntimeMs.map { String(format: "%14.3f", $0) } ?? String(repeating: " ", count: 13) + "–"
        let ratio = row.ratio.map { String(format: "%5.2f", $0) } ?? "    –"
        print(
            String(format: "%5d  %7d  ", row.round, row.threads) + ours
                + String(format: "  %19.1f  ", row.otherThreadsCPUMs) + theirs + "  " + ratio)
    }

    func printSummary() {
        print(
            "load average after: \(loadAverageAfter.map { String(format: "%.2f", $0) }.joined(separator: " "))"
        )
        if let version = measurements.compactMap(\.onnxruntimeVersion).first {
            print("onnxruntime \(version)")
        }
        for row in summary {
            var line = String(format: "threads %d: scenophone %.3f ms", row.threads, row.scenophoneMs)
            if let theirs = row.onnxruntimeMs, let ratio = row.ratio {
                line += String(
                    format: ", onnxruntime %.3f ms, ratio scenophone/onnxruntime %.2f", theirs, ratio)
            }
            print(line)
        }
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
