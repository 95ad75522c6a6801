import Foundation
import TestSupport
import Testing

/// The vision update of `bench synth`: the pruned pass gives the exact pass's p(t), on the
/// synthetic corpus and on the film indexed with the real network, while computing far fewer
/// exact distances.
@Suite struct VisionUpdateBenchmarkTests {
    struct Report: Decodable {
        struct VisionUpdate: Decodable {
            struct Timing: Decodable {
                var distancesMs: Double
                var totalMs: Double
            }
            var corpus: String
            var frames: Int
            var exact: Timing
            var pruned: Timing
            var exactDistances: [Int]
            var boundedUpdates: Int
            var totalVariation: Double
            var nearestOverScale: [Double]
            var streamMs: Double
            var openblasCore: String
        }
        var visionUpdate: VisionUpdate
    }

    private func measure(_ arguments: [String]) throws -> Report.VisionUpdate {
        let result = try runScenophoneBench(
            [
                "synth", "--seconds", "0.2", "--source-seconds", "2", "--rounds", "1",
                "--no-baseline",
                "--updates", "6", "--json",
            ] + arguments)
        try #require(result.status == 0, "\(result.standardError)")
        return try JSONDecoder().decode(Report.self, from: Data(result.standardOutput.utf8)).visionUpdate
    }

    @Test func syntheticCorpus() throws {
        let update = try measure(["--frames", "20000"])
        #expect(update.corpus == "synthetic" && update.frames == 20_000 && !update.openblasCore.isEmpty)
        #expect(update.exactDistances.count == 6 && update.boundedUpdates == 6)
        #expect(update.exactDistances.allSatisfy { $0 > 0 && $0 < 20_000 / 4 }, "\(update.exactDistances)")
        #expect(update.totalVariation < 1e-5, "p(t) moved by \(update.totalVariation)")
        #expect(update.nearestOverScale.allSatisfy { $0 > 0 && $0 < 1 })
        #expect(update.exact.totalMs >= update.exact.distancesMs && update.streamMs > 0)
    }

    @Test func filmIndexedWithTheRealNetwork() throws {
        let directory = try TemporaryDirectory("scenophone-bench-film")
        let corpus = directory.file("film.scenophone")
        try CorpusFixture.index(
            [Paths.media.appendingPathComponent("video/tears_of_steel_battle.webm").path], into: corpus)
        let update = try measure(["--corpus", corpus.path, "--components", "16"])
        #expect(update.frames == 71)
        #expect(update.boundedUpdates > 0, "the bounds never spared a frame: \(update.exactDistances)")
        #expect(update.exactDistances.min()! < 71, "\(update.exactDistances)")
        #expect(update.totalVariation < 1e-5, "p(t) moved by \(update.totalVariation)")
    }

    @Test func aCorpusThatIsNotThereIsAnErrorNamingIt() throws {
        let result = try runScenophoneBench([
            "synth", "--seconds", "0.1", "--rounds", "1", "--no-baseline", "--corpus",
            "/nonexistent.scenophone",
        ])
        #expect(result.status != 0 && result.standardError.contains("/nonexistent.scenophone"))
    }
}
