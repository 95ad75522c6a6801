import Foundation
import MediaIO
import TestSupport
import Testing

/// The corpus the issue asks for: the Tears of Steel clip and photo + recording pairs from
/// `../shared/media` (pairings from its CREDITS.md), described by `info --json`.
@Suite struct SharedMediaCorpusTests {
    /// Picture and sound of each pair, and the name given on the command line (nil: the default).
    static let pairs: [(name: String?, picture: String, sound: String)] = [
        (nil, "images/mate_RainDrops.jpg", "audio/blanket_rain.ogg"),
        (nil, "images/mate_Storm.jpg", "audio/blanket_storm.ogg"),
        (nil, "images/mate_Dune.jpg", "audio/blanket_waves.ogg"),
        (nil, "images/plasma_Path.jpg", "audio/blanket_birds.ogg"),
        (nil, "images/plasma_EveningGlow.jpg", "audio/blanket_boat.ogg"),
        (nil, "images/plasma_summer_1am.jpg", "audio/blanket_summer-night.ogg"),
        (nil, "images/skimage_coffee.png", "audio/blanket_coffee-shop.ogg"),
        ("thunder", "images/mate_Storm.jpg", "audio/max_thunder.wav"),
        ("forest birds", "images/plasma_Path.jpg", "audio/max_birds1.wav"),
    ]

    @Test func filmAndPairsWithDurationsWithin50msOfFFprobe() throws {
        let directory = try TemporaryDirectory()
        let film = Paths.media.appendingPathComponent("video/tears_of_steel_battle.webm")
        let arguments =
            [film.path]
            + Self.pairs.map { pair in
                (pair.name.map { "\($0)=" } ?? "") + Paths.media.appendingPathComponent(pair.picture).path
                    + "+"
                    + Paths.media.appendingPathComponent(pair.sound).path
            }
        let corpus = directory.file("media.scenophone")
        let result = try runScenophone(["index"] + arguments + ["-o", corpus.path, "--json"])
        try #require(result.status == 0, "\(result.standardError)")
        #expect(!result.standardError.contains("ETA"), "no progress bar when stderr is not a terminal")
        let info = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let sources = try #require(info["sources"] as? [[String: Any]])
        #expect(sources.count == 1 + Self.pairs.count)
        #expect(
            sources[0]["name"] as? String == "tears_of_steel_battle"
                && sources[0]["kind"] as? String == "video")
        #expect(sources[0]["frameCount"] as? Int == 71)
        #expect(
            sources.dropFirst().allSatisfy {
                $0["kind"] as? String == "still" && $0["frameCount"] as? Int == 1
            })
        #expect(
            sources[1]["name"] as? String == "mate_RainDrops" && sources[8]["name"] as? String == "thunder")
        #expect(info["frameCount"] as? Int == 71 + Self.pairs.count)

        let timed = [film] + Self.pairs.map { Paths.media.appendingPathComponent($0.sound) }
        var total = 0.0
        for (source, file) in zip(sources, timed) {
            let probed = try #require(try MediaProbe.probe(file).duration)
            let duration = try #require(source["duration"] as? Double)
            #expect(
                abs(duration - probed) < 0.05, "\(file.lastPathComponent): \(duration) s, ffprobe \(probed) s"
            )
            total += duration
            #expect(source["channels"] as? Int == min(2, try MediaProbe.probe(file).audio?.channels ?? 0))
            #expect(source["sampleRate"] as? Int == 48_000)
        }
        #expect(abs((info["duration"] as? Double ?? 0) - total) < 1e-6)
        let model = try #require(info["model"] as? [String: Any])
        #expect(model["name"] as? String == "efficientnet-lite0" && model["embeddingSize"] as? Int == 1280)
        #expect((model["weightsSHA256"] as? String)?.count == 64)
        #expect((info["sizeOnDisk"] as? Int ?? 0) > Int(total * 48_000 * 4))
        // The text form names every source.
        let text = try runScenophone(["info", corpus.path])
        #expect(text.status == 0 && text.standardOutput.contains("forest birds"))
    }

    @Test func progressBarOnATerminalOnly() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: clip, seconds: 4)
        // `script` runs the command on a pseudo-terminal.
        let command =
            "\(Paths.scenophoneExecutable.path) index \(clip.path) -o \(directory.file("a.scenophone").path)"
        let terminal = try run("script", ["-q", "-e", "-c", command, "/dev/null"])
        #expect(terminal.status == 0, "\(terminal.standardOutput)")
        #expect(terminal.standardOutput.contains("/4 frames") && terminal.standardOutput.contains("ETA"))
        #expect(terminal.standardOutput.contains("× real time"))
        let piped = try runScenophone(["index", clip.path, "-o", directory.file("b.scenophone").path])
        #expect(piped.status == 0 && piped.standardError.isEmpty)
    }
}
