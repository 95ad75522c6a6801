import Foundation
import TestSupport
import Testing

/// `--model`: a corpus records the network it was indexed with, every later use of the corpus
/// loads that network whatever the default, and a model that is unknown or not installed is
/// refused with a message that names it and `scripts/setup`, and a non-zero exit.
@Suite struct ModelChoiceTests {
    static let photo = Paths.reference.appendingPathComponent("chelsea.png")

    /// A model directory holding Lite0 and the labels only (links to the installed files).
    private func lite0Only(in directory: TemporaryDirectory) throws -> URL {
        let models = directory.file("lite0-only")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        for name in ["efficientnet-lite0.safetensors", "imagenet_classes.txt"] {
            try FileManager.default.createSymbolicLink(
                at: models.appendingPathComponent(name),
                withDestinationURL: Paths.modelDirectory.appendingPathComponent(name))
        }
        return models
    }

    /// Indexes a 3 s counting clip with `model` into `c.scenophone`.
    private func indexClip(model: String, in directory: TemporaryDirectory) throws -> (corpus: URL, clip: URL)
    {
        let clip = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: clip, seconds: 3)
        let corpus = directory.file("c.scenophone")
        let indexed = try runScenophone(["index", clip.path, "-o", corpus.path, "--model", model])
        try #require(indexed.status == 0, "\(indexed.standardError)")
        return (corpus, clip)
    }

    private func recordedModel(of corpus: URL) throws -> [String: Any] {
        let info = try runScenophone(["info", corpus.path, "--json"])
        try #require(info.status == 0, "\(info.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(info.standardOutput.utf8)) as? [String: Any]
        return try #require(json?["model"] as? [String: Any])
    }

    @Test(arguments: [
        ["index", "clip.mkv", "-o", "x.scenophone"], ["classify", "x.png"],
    ])
    func anUnknownModelIsRefusedBeforeAnyWork(command: [String]) throws {
        let directory = try TemporaryDirectory()
        let result = try runScenophone(command + ["--model", "lite9"], currentDirectory: directory.url)
        #expect(result.status != 0)
        #expect(result.standardError.contains("lite9"), "\(result.standardError)")
        #expect(
            ["lite0", "lite1", "lite2"].allSatisfy { result.standardError.contains($0) },
            "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("x.scenophone").path))
    }

    @Test func aCorpusKeepsItsModelWhateverTheDefault() throws {
        let directory = try TemporaryDirectory()
        let (corpus, clip) = try indexClip(model: "lite1", in: directory)
        let model = try recordedModel(of: corpus)
        #expect(model["name"] as? String == "efficientnet-lite1" && model["inputSize"] as? Int == 240)

        // No --model: the new source is embedded with the corpus's Lite1.
        let added = try runScenophone(["sources", "add", corpus.path, "again=\(clip.path)"])
        #expect(added.status == 0, "\(added.standardError)")
        #expect(try recordedModel(of: corpus)["name"] as? String == "efficientnet-lite1")

        let rendered = try runScenophone([
            "render", "--corpus", corpus.path, "--input", Self.photo.path, "--duration", "1",
            "--output", directory.file("out.wav").path, "--seed", "1",
        ])
        #expect(rendered.status == 0, "\(rendered.standardError)")
    }

    @Test func aCorpusOfAModelThatIsNotInstalledIsRefused() throws {
        let directory = try TemporaryDirectory()
        let (corpus, clip) = try indexClip(model: "lite1", in: directory)
        let models = try lite0Only(in: directory).path
        for command in [
            [
                "render", "--corpus", corpus.path, "--input", Self.photo.path, "--output",
                directory.file("o.wav").path,
            ],
            ["sources", "add", corpus.path, "again=\(clip.path)"],
            ["live", "--corpus", corpus.path, "--input", clip.path, "--sink", "null", "--duration", "1"],
        ] {
            let result = try runScenophone(command + ["--model-dir", models])
            #expect(result.status != 0, "\(command[0])")
            for fragment in ["c.scenophone", "efficientnet-lite1", "EfficientNet-Lite1", "scripts/setup"] {
                #expect(result.standardError.contains(fragment), "\(command[0]): \(result.standardError)")
            }
            #expect(!result.standardError.contains("Fatal error"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("o.wav").path))

        let index = try runScenophone([
            "index", clip.path, "-o", directory.file("d.scenophone").path, "--model", "lite2", "--model-dir",
            models,
        ])
        #expect(index.status != 0)
        #expect(
            index.standardError.contains("EfficientNet-Lite2")
                && index.standardError.contains("scripts/setup"))
    }

    @Test func classifyRunsTheChosenModel() throws {
        let result = try runScenophone([
            "classify", "--json", "--top", "1", "--model", "lite2", Self.photo.path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let model = try #require(json?["model"] as? [String: Any])
        #expect(model["name"] as? String == "efficientnet-lite2" && model["inputSize"] as? Int == 260)
        let images = try #require(json?["images"] as? [[String: Any]])
        let top = try #require((images.first?["classes"] as? [[String: Any]])?.first)
        // The lite2 manifest's top-1 for this photo: Egyptian cat.
        #expect(top["index"] as? Int == 285)
    }
}
