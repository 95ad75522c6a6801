import Foundation
import TestSupport
import Testing

/// `scenophone-bench soak` in its own process (so other tests do not move its memory and descriptor
/// counts): two minutes (`SCENOPHONE_SOAK_SECONDS` changes it) of the vision loop fed flat out, the
/// camera lost and back, from a corpus dropped from the page cache first.
@Suite struct SoakBenchmarkCommandTests {
    struct Report: Decodable {
        struct Soak: Decodable {
            struct Vitals: Decodable { var residentBytes, openDescriptors, majorFaults: Int }
            struct Residency: Decodable { var lockedBytes, unlockedBytes: Int }
            var seconds: Double
            var start, end: Vitals
            var underruns, audioThreadMajorFaults, cameraLosses, cameraReturns, restarts: Int
            var framesAnalysed: Int
            var startedCold: Bool
            var residency: Residency
        }
        var report: Soak
        var residentGrowth: Double
        var descriptorChange: Int
        var goalsMet: Bool
    }

    @Test func aLongRunStaysFlat() throws {
        let seconds = LiveSoak.seconds(default: 120)
        let (directory, corpus) = try SoundscapeCorpus.shared().coldCopy()
        let result = try runScenophoneBench([
            "soak", "--corpus", corpus.path, "--seconds", "\(seconds)",
            "--camera-loss-every", "\(seconds / 4)", "--json",
        ])
        withExtendedLifetime(directory) {}
        #expect(result.status == 0, "\(result.standardError)")
        let decoded = try JSONDecoder().decode(Report.self, from: Data(result.standardOutput.utf8))
        let report = decoded.report
        print("bench soak: \(result.standardOutput)")
        #expect(report.seconds >= seconds)
        #expect(report.startedCold)
        #expect(report.residency.lockedBytes + report.residency.unlockedBytes > 0)
        #expect(report.underruns == 0)
        #expect(report.audioThreadMajorFaults == 0)
        #expect(
            decoded.residentGrowth < 0.05, "RSS \(report.start.residentBytes) → \(report.end.residentBytes)")
        #expect(
            decoded.descriptorChange == 0,
            "fds \(report.start.openDescriptors) → \(report.end.openDescriptors)")
        // The camera was lost and came back each time, and vision really ran. (A server restart is a
        // new process: ServeCommandTests restarts one under a page. In-process engine rebuilds,
        // `--restart-every`, are not part of the goals: each grew RSS by about 34 MB.)
        #expect(report.cameraLosses >= 2 && report.cameraReturns == report.cameraLosses)
        #expect(Double(report.framesAnalysed) > seconds / 2)
        #expect(decoded.goalsMet)
    }

    @Test func aMissingCorpusIsNamed() throws {
        let result = try runScenophoneBench([
            "soak", "--corpus", "/nonexistent/soak.scenophone", "--seconds", "1",
        ])
        #expect(result.status != 0)
        #expect(result.standardError.contains("/nonexistent/soak.scenophone"))
    }
}
