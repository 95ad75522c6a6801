import Foundation
import TestSupport
import Testing

/// `scenophone-bench synth` runs both settings against its baseline (its vision update:
/// `VisionUpdateBenchmarkTests`); the figures themselves are for the benchmark to print, not for a
/// test to judge.
@Suite struct SynthBenchmarkCommandTests {
    @Test func measuresBothSettingsAndTheVisionUpdate() throws {
        let result = try runScenophoneBench([
            "synth", "--seconds", "1", "--source-seconds", "5", "--rounds", "1", "--frames", "3000",
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
            var renders: [Render]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.standardOutput.utf8))
        #expect(report.renders.map(\.setting) == ["paper", "heavy"])
        #expect(report.renders.map(\.grainRate) == [100, 1000])
        for render in report.renders {
            #expect(render.synthesisSeconds > 0 && render.synthesisSeconds <= render.scenophoneSeconds)
            #expect((render.baselineSeconds ?? 0) > 0)
        }
    }
}
