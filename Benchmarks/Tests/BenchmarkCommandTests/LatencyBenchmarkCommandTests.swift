import Foundation
import TestSupport
import Testing

/// `scenophone-bench latency` measures real frames through the real engine: every frame submitted
/// is stamped from arrival to its first grain, the stages add up, and nothing underruns.
@Suite struct LatencyBenchmarkCommandTests {
    @Test func everyFrameIsStampedFromArrivalToItsFirstGrain() throws {
        let corpus = try SoundscapeCorpus.shared()
        let result = try runScenophoneBench([
            "latency", "--corpus", corpus.url.path, "--seconds", "2", "--rounds", "1", "--fps", "5",
            "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        struct Report: Decodable {
            struct Round: Decodable {
                struct Latency: Decodable {
                    struct Percentiles: Decodable { var p50, p99, max: Double }
                    var count: Int
                    var toFirstGrain, toPublished: Percentiles
                }
                var latency: Latency
                var visionAloneMs: Double
            }
            var frames: Int
            var rounds: [Round]
            var underruns: Int
            var medianP99Ms: Double
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.standardOutput.utf8))
        let round = try #require(report.rounds.first)
        #expect(report.frames == corpus.scenes.count)
        // Two seconds at 5 frames/s: ten frames, each reaching the audio thread (a slow debug build
        // may let a newer frame replace one still waiting).
        #expect((5...10).contains(round.latency.count), "\(round.latency.count) frames stamped")
        #expect(round.visionAloneMs > 0)
        // p(t) cannot be published before the frame arrived, nor a grain drawn before p(t) exists.
        // (Not compared with the network-alone baseline: that is timed at another moment, and on a
        // loaded machine either can be the slower one.)
        #expect(round.latency.toPublished.p50 > 0)
        #expect(round.latency.toFirstGrain.p50 >= round.latency.toPublished.p50)
        #expect(report.medianP99Ms == round.latency.toFirstGrain.p99)
        #expect(report.underruns == 0)
    }

    @Test func aMissingInputIsNamed() throws {
        let corpus = try SoundscapeCorpus.shared()
        let result = try runScenophoneBench([
            "latency", "--corpus", corpus.url.path, "--input", "/nonexistent/camera.jpg",
        ])
        #expect(result.status != 0)
        #expect(result.standardError.contains("/nonexistent/camera.jpg"))
    }
}
