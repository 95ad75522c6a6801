import Foundation
import TestSupport
import Testing

/// `scenophone-bench vision` runs, reports the vision and OpenBLAS kernels, and shows that at one thread no
/// other thread (such as an OpenBLAS worker) burns CPU while the network runs.
@Suite struct VisionBenchmarkCommandTests {
    @Test func oneThreadLeavesTheOtherCoreIdle() throws {
        let result = try runScenophoneBench([
            "vision", "--no-baseline", "--iterations", "40", "--warmup", "5", "--rounds", "1",
            "--threads", "1",
            "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        struct Report: Decodable {
            struct Measurement: Decodable {
                var threads: Int
                var scenophoneMs: Double
                var otherThreadsCPUMs: Double
            }
            var visionKernels: String
            var openblasCore: String
            var measurements: [Measurement]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.standardOutput.utf8))
        #expect(!report.openblasCore.isEmpty && report.openblasCore != "unknown")
        #expect(report.visionKernels.hasPrefix("XNNPACK "), "vision kernels: \(report.visionKernels)")
        #expect(report.measurements.count == 1)
        #expect(report.measurements[0].scenophoneMs > 0)
        // /proc counts in 10 ms ticks; a spinning worker would show the whole run's duration.
        #expect(report.measurements[0].otherThreadsCPUMs <= 20, "other threads used CPU at 1 thread")
    }
}
