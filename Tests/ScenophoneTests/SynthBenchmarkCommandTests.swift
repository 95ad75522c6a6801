import Foundation
import TestSupport
import Testing

/// `scenophone bench synth` runs both settings against its baseline and times a vision update; the
/// figures themselves are for the benchmark to print, not for a test to judge.
@Suite struct SynthBenchmarkCommandTests {
    @Test func measuresBothSettingsAndTheVisionUpdate() throws {
        let result = try runScenophone([
            "bench", "synth", "--seconds", "1", "--source-seconds", "5", "--rounds", "1", "--frames", "3000",
            "--updates", "5", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        struct Report: Decodable {
            struct Render: Decodable {
                var setting: String
                var grainRate: Double
                var scenophoneSeconds: Double
                var synthesisSeconds: Double
                var baselineSeconds: Double?
            }
            struct Update: Decodable {
                var search: String
                var frames: Int
                var totalVariation: Double
                var openblasCore: String
                var distancesMs: Double
                var totalMs: Double
            }
            var renders: [Render]
            var updates: [Update]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.standardOutput.utf8))
        #expect(report.renders.map(\.setting) == ["paper", "heavy"])
        #expect(report.renders.map(\.grainRate) == [100, 1000])
        for render in report.renders {
            #expect(render.synthesisSeconds > 0 && render.synthesisSeconds <= render.scenophoneSeconds)
            #expect((render.baselineSeconds ?? 0) > 0)
        }
        #expect(report.updates.map(\.search) == ["exact", "projected(128)"])
        for update in report.updates {
            #expect(update.frames == 3000 && !update.openblasCore.isEmpty)
            #expect(update.distancesMs > 0 && update.totalMs >= update.distancesMs)
        }
        #expect(report.updates[0].totalVariation == 0)
        // The nearest frames' distances are exact in both: p(t) barely moves.
        #expect(report.updates[1].totalVariation < 0.05)
    }
}
