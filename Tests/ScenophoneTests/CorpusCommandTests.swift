import Foundation
import MediaIO
import TestSupport
import Testing

/// `info` and `sources` on corpora made by `index`, damaged ones included.
@Suite struct CorpusCommandTests {
    private func makeCorpus(in directory: TemporaryDirectory, seconds: Double = 3) throws -> URL {
        let clip = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: clip, seconds: seconds)
        let url = directory.file("c.scenophone")
        let result = try runScenophone(["index", clip.path, "-o", url.path])
        try #require(result.status == 0, "\(result.standardError)")
        return url
    }

    private func infoJSON(_ url: URL, verify: Bool = false) throws -> [String: Any] {
        let result = try runScenophone(["info", url.path, "--json"] + (verify ? ["--verify"] : []))
        try #require(result.status == 0, "\(result.standardError)")
        return try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    private func sourcesDirectory(_ url: URL) -> URL { url.appendingPathComponent("sources") }

    @Test func addingASourceEmbedsOnlyTheNewOne() throws {
        let directory = try TemporaryDirectory()
        let url = try makeCorpus(in: directory)
        let before = try FileManager.default.contentsOfDirectory(atPath: sourcesDirectory(url).path).sorted()
        let modified = try before.map {
            try FileManager.default.attributesOfItem(
                atPath: sourcesDirectory(url).appendingPathComponent($0).path)[
                    .modificationDate] as? Date
        }
        let photo = Paths.media.appendingPathComponent("images/skimage_coffee.png").path
        let sound = Paths.media.appendingPathComponent("audio/blanket_coffee-shop.ogg").path
        let added = try runScenophone(["sources", "add", url.path, "cafe=\(photo)+\(sound)"])
        #expect(added.status == 0, "\(added.standardError)")
        let after = try FileManager.default.contentsOfDirectory(atPath: sourcesDirectory(url).path).sorted()
        #expect(after.count == before.count + 3 && Set(before).isSubset(of: after))
        for (file, date) in zip(before, modified) {
            let now =
                try FileManager.default.attributesOfItem(
                    atPath: sourcesDirectory(url).appendingPathComponent(file).path)[.modificationDate]
                as? Date
            #expect(now == date, "\(file) was not rewritten")
        }
        let set = try runScenophone(["sources", "set", url.path, "cafe", "--weight", "2.5", "--mute"])
        #expect(set.status == 0, "\(set.standardError)")
        let sources = try #require(try infoJSON(url)["sources"] as? [[String: Any]])
        #expect(sources.map { $0["name"] as? String } == ["clip", "cafe"])
        #expect(sources[1]["weight"] as? Double == 2.5 && sources[1]["muted"] as? Bool == true)
        #expect(sources[1]["kind"] as? String == "still" && sources[1]["frameCount"] as? Int == 1)
        let list = try runScenophone(["sources", "list", url.path])
        #expect(list.standardOutput.contains("cafe") && list.standardOutput.contains("muted"))
        let removed = try runScenophone(["sources", "remove", url.path, "clip"])
        #expect(removed.status == 0)
        #expect((try infoJSON(url)["sources"] as? [[String: Any]])?.count == 1)
        let unknown = try runScenophone(["sources", "remove", url.path, "clip"])
        #expect(unknown.status != 0 && unknown.standardError.contains("no source named 'clip'"))
    }

    /// A corpus indexed with other weights (the installed model with its stem convolution scaled,
    /// as a fine-tune would change it, and its own checkpoint hash) is refused by the installed
    /// model: nothing is added to it.
    @Test func corpusOfAnotherModelIsRefused() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: clip, seconds: 3)
        let otherModel = try otherWeights(in: directory)
        let url = directory.file("c.scenophone")
        let indexed = try runScenophone(["index", clip.path, "-o", url.path, "--model-dir", otherModel.path])
        try #require(indexed.status == 0, "\(indexed.standardError)")
        let model = try #require(try infoJSON(url)["model"] as? [String: Any])
        #expect(model["weightsSHA256"] as? String == Self.otherHash)

        let added = try runScenophone(["sources", "add", url.path, "again=\(clip.path)"])
        #expect(added.status != 0)
        #expect(added.standardError.contains("c.scenophone") && added.standardError.contains("re-index it"))
        #expect(added.standardError.contains(String(Self.otherHash.prefix(12))))
        #expect(try infoJSON(url)["frameCount"] as? Int == 3)
        let withOther = try runScenophone(
            ["sources", "add", url.path, "again=\(clip.path)", "--model-dir", otherModel.path])
        #expect(withOther.status == 0, "\(withOther.standardError)")
    }

    private static let otherHash = String(repeating: "0123456789abcdef", count: 4)

    /// Writes a model directory whose weights differ from the installed ones.
    private func otherWeights(in directory: TemporaryDirectory) throws -> URL {
        let model = directory.file("other-model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Paths.modelDirectory.appendingPathComponent("imagenet_classes.txt"),
            to: model.appendingPathComponent("imagenet_classes.txt"))
        var weights = try Data(
            contentsOf: Paths.modelDirectory.appendingPathComponent("efficientnet-lite0.safetensors"))
        let headerLength = weights.prefix(8).enumerated().reduce(0) {
            $0 | Int($1.element) << (8 * $1.offset)
        }
        // The same number of hex digits, so every offset stays where it was.
        let header = String(decoding: weights[8..<(8 + headerLength)], as: UTF8.self)
        let installedHash = try #require(header.firstMatch(of: /"source_sha256":"([0-9a-f]{64})"/)?.output.1)
        weights.replaceSubrange(
            8..<(8 + headerLength),
            with: Data(header.replacingOccurrences(of: installedHash, with: Self.otherHash).utf8))
        // `_conv_stem.weight` is the first tensor: 32×3×3×3 floats at the start of the data.
        weights.withUnsafeMutableBytes { bytes in
            let stem = (bytes.baseAddress! + 8 + headerLength).assumingMemoryBound(to: Float.self)
            for i in 0..<(32 * 27) { stem[i] *= 1.25 }
        }
        try weights.write(to: model.appendingPathComponent("efficientnet-lite0.safetensors"))
        return model
    }

    @Test(arguments: ["manifest", "frames", "audio"])
    func corpusWithFlippedBytes(part: String) throws {
        let directory = try TemporaryDirectory()
        let url = try makeCorpus(in: directory)
        let sources = try FileManager.default.contentsOfDirectory(atPath: sourcesDirectory(url).path)
        let target =
            part == "manifest"
            ? url.appendingPathComponent("manifest.json")
            : sourcesDirectory(url).appendingPathComponent(sources.first { $0.hasSuffix(".\(part)") }!)
        let handle = try FileHandle(forUpdating: target)
        try handle.seek(toOffset: 300)
        try handle.write(contentsOf: [0xA5, 0x5A, 0xA5])
        try handle.close()
        // The audio is checked on demand (`--verify`), the rest whenever the corpus is opened.
        let result = try runScenophone(["info", url.path] + (part == "audio" ? ["--verify"] : []))
        #expect(result.status != 0)
        #expect(result.standardError.contains("c.scenophone") && result.standardError.contains("damaged"))
        if part == "audio" { #expect(try runScenophone(["info", url.path]).status == 0) }
    }
}
