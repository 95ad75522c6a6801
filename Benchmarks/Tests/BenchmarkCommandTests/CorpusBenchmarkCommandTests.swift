import Foundation
import TestSupport
import Testing

/// `bench corpus` and `bench index` run end to end on small inputs and report every figure beside
/// its baseline. (The speed itself is judged from full runs, not here.)
@Suite struct CorpusBenchmarkCommandTests {
    @Test func corpusBenchmarkChecksThePrunedPassAgainstTheExactSearch() throws {
        let directory = try TemporaryDirectory()
        let result = try runScenophoneBench([
            "corpus", "--frames", "1500", "--sources", "3", "--rounds", "1", "--queries", "4",
            "--threads", "1", "--updates", "6", "--compared", "2", "--no-faiss", "--directory",
            directory.url.path, "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        struct Report: Decodable {
            struct Search: Decodable {
                var threads: Int
                var distancesMilliseconds: Double
                var nearest10Milliseconds: Double
                var prunedMilliseconds: Double
                var streamMilliseconds: Double
            }
            var frames: Int
            var openSeconds: [Double]
            var readAndHashSeconds: [Double]
            var search: [Search]
            var nearestAgreeing: Int
            var medianExactDistances: Int
            struct VisionUpdate: Decodable {
                struct Row: Decodable {
                    var updateP99Ms: Double?
                    var residentBytes: Int
                    var totalVariation: Double
                }
                var frames: Int
                var rows: [Row]
            }
            var visionUpdate: VisionUpdate
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.standardOutput.utf8))
        #expect(report.frames == 1500)
        #expect(report.openSeconds.count == 1 && report.readAndHashSeconds.count == 1)
        #expect(report.search.map(\.threads) == [1])
        #expect(
            report.search.allSatisfy {
                $0.distancesMilliseconds > 0 && $0.prunedMilliseconds > 0 && $0.streamMilliseconds > 0
            })
        #expect(report.nearestAgreeing == 4)
        #expect(report.medianExactDistances > 0 && report.medianExactDistances <= 1500)
        // The vision update's row: measured, and p(t) as the exact one (a small corpus: full passes).
        #expect(report.visionUpdate.frames == 1500 && report.visionUpdate.rows.count == 1)
        let ours = report.visionUpdate.rows[0]
        #expect((ours.updateP99Ms ?? 0) > 0 && ours.residentBytes > 0 && ours.totalVariation < 1e-6)
    }

    @Test func indexBenchmarkTimesFFmpegAndIndexingOnTheSameClip() throws {
        let result = try runScenophoneBench(["index", "--seconds", "3", "--rounds", "1", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        struct Report: Decodable {
            var clipSeconds: Double
            var decodeSeconds: [Double]
            var indexSeconds: [Double]
            var ratio: Double
            var indexRealTime: Double
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.standardOutput.utf8))
        #expect(abs(report.clipSeconds - 3) < 0.1)
        #expect(report.decodeSeconds.count == 1 && report.indexSeconds.count == 1)
        #expect(abs(report.ratio - report.decodeSeconds[0] / report.indexSeconds[0]) < 1e-9)
        #expect(abs(report.indexRealTime - report.clipSeconds / report.indexSeconds[0]) < 1e-9)
    }
}
