import Foundation
import TestSupport
import Testing

/// `scenophone classify` end to end: ffmpeg decoding, preprocessing, the network, the output, and
/// a clear one-line error with a non-zero exit for every kind of bad input.
@Suite struct ClassifyCommandTests {
    static let photos = Paths.reference

    @Test func classifiesPhotosWithTheirTopClasses() throws {
        let result = try runScenophone([
            "classify", Self.photos.appendingPathComponent("chelsea.png").path,
            Self.photos.appendingPathComponent("coffee.png").path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 12)
        #expect(lines[1].contains("tiger cat"))
        #expect(lines[7].contains("espresso"))
    }

    @Test func jsonCarriesTheModelAndProbabilities() throws {
        let result = try runScenophone([
            "classify", "--json", "--top", "3", Self.photos.appendingPathComponent("rocket.png").path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        struct Report: Decodable {
            struct Model: Decodable {
                var name: String
                var weightsSHA256: String
                var normalization: String
            }
            struct Image: Decodable {
                struct Class: Decodable {
                    var index: Int
                    var probability: Double
                }
                var width: Int
                var height: Int
                var classes: [Class]
            }
            var model: Model
            var images: [Image]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.standardOutput.utf8))
        #expect(report.model.name == "efficientnet-lite0")
        #expect(report.model.normalization == "tf")
        #expect(report.images.count == 1)
        #expect(report.images[0].width == 640 && report.images[0].height == 427)
        #expect(report.images[0].classes.map(\.index) == [657, 744, 540])
        #expect(abs(report.images[0].classes[0].probability - 0.32273) < 1e-3)
    }

    @Test func aMissingImageIsNamed() throws {
        try expectFailure(
            ["classify", "/no/such/picture.png"], mentioning: ["/no/such/picture.png", "no such file"])
    }

    @Test func anEmptyFileIsNotAnImage() throws {
        let directory = try TemporaryDirectory()
        let empty = directory.file("empty.jpg")
        try Data().write(to: empty)
        try expectFailure(["classify", empty.path], mentioning: [empty.path, "empty"])
    }

    @Test func aTextFileIsNotAnImage() throws {
        let directory = try TemporaryDirectory()
        let text = directory.file("notes.png")
        try "not a picture at all\n".write(to: text, atomically: true, encoding: .utf8)
        try expectFailure(["classify", text.path], mentioning: [text.path, "not a media file"])
    }

    @Test func aMissingModelSaysHowToInstallIt() throws {
        let empty = try TemporaryDirectory()
        try expectFailure(
            [
                "classify", "--model-dir", empty.url.path,
                Self.photos.appendingPathComponent("coffee.png").path,
            ],
            mentioning: [empty.url.path, "scripts/setup"])
    }

    @Test func truncatedWeightsAreNamedWithTheTensor() throws {
        let fixture = try ModelFixture(damage: .truncate(fraction: 0.5))
        try expectFailure(
            [
                "classify", "--model-dir", fixture.url.path,
                Self.photos.appendingPathComponent("coffee.png").path,
            ],
            mentioning: [fixture.weights.path, "truncated", "tensor _blocks."])
    }

    @Test func misshapenWeightsAreNamedWithTheTensor() throws {
        let fixture = try ModelFixture(damage: .reshape(tensor: "_conv_head.weight", shape: [1280, 320]))
        try expectFailure(
            [
                "classify", "--model-dir", fixture.url.path,
                Self.photos.appendingPathComponent("coffee.png").path,
            ],
            mentioning: ["tensor _conv_head.weight has shape [1280, 320], expected [1280, 320, 1, 1]"])
    }

    private func expectFailure(_ arguments: [String], mentioning fragments: [String]) throws {
        let result = try runScenophone(arguments)
        #expect(result.status != 0)
        #expect(result.standardOutput.isEmpty)
        for fragment in fragments {
            #expect(result.standardError.contains(fragment), "stderr: \(result.standardError)")
        }
        #expect(!result.standardError.contains("Fatal error"))
    }
}
