import Engine
import Foundation
import TestSupport
import Testing

/// The benchmarks take the product's own option groups: the sound flags where a benchmark plays,
/// `--model` where it embeds, each checked as the product checks it.
@Suite struct BenchmarkOptionsTests {
    @Test func latencyListsEverySoundFlagWithItsRange() throws {
        let result = try runScenophoneBench(["latency", "--help"])
        #expect(result.status == 0, "\(result.standardError)")
        let text = result.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("--preset"))
        for parameter in SoundModel.parameters {
            #expect(text.contains("--\(parameter.flag) "), "latency --help lacks --\(parameter.flag)")
            #expect(
                text.contains(parameter.rangeDescription),
                "latency --help lacks \(parameter.rangeDescription)")
        }
    }

    @Test func visionRefusesAnUnknownModelNamingTheChoices() throws {
        let result = try runScenophoneBench(["vision", "--model", "lite9"])
        #expect(result.status != 0)
        #expect(
            ["lite9", "lite0", "lite1", "lite2"].allSatisfy { result.standardError.contains($0) },
            "\(result.standardError)")
    }
}
