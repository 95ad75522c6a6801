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

    /// A corpus whose embeddings come from other weights is refused: nothing is added to it.
    @Test func corpusOfAnotherModelIsRefused() throws {
        let directory = try TemporaryDirectory()
        let url = try makeCorpus(in: directory)
        try rewriteManifest(url) { $0.replacingOccurrences(of: "579344248a93e230", with: "0123456789abcdef") }
        #expect(try infoJSON(url)["frameCount"] as? Int == 3)
        let clip = directory.file("clip.mkv").path
        let added = try runScenophone(["sources", "add", url.path, "again=\(clip)"])
        #expect(added.status != 0)
        #expect(added.standardError.contains("c.scenophone") && added.standardError.contains("re-index it"))
        #expect(added.standardError.contains("0123456789ab"))
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

    /// Replaces text in the manifest's payload and re-seals it with a correct checksum.
    private func rewriteManifest(_ url: URL, _ change: (String) -> String) throws {
        let manifest = url.appendingPathComponent("manifest.json")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        let prefix = "{\"sha256\":\"" + String(repeating: "0", count: 64) + "\",\"manifest\":"
        let payload = change(String(text.dropFirst(prefix.count).dropLast(2)))
        let payloadFile = url.deletingLastPathComponent().appendingPathComponent("payload")
        try payload.write(to: payloadFile, atomically: true, encoding: .utf8)
        let digest = try run("sha256sum", [payloadFile.path]).standardOutput.prefix(64)
        try ("{\"sha256\":\"\(digest)\",\"manifest\":" + payload + "}\n").write(
            to: manifest, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: payloadFile)
    }
}
