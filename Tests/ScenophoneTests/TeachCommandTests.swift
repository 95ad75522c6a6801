import Foundation
import TestSupport
import Testing

/// `scenophone teach`: examples move a scene to the source it was taught to, cover the range they
/// are given, can be listed and forgotten, and bad input changes nothing.
@Suite struct TeachCommandTests {
    /// The seven photo + recording pairs (`RenderFixture.pairs`), indexed into `directory`.
    private func pairsCorpus(in directory: TemporaryDirectory) throws -> URL {
        let url = directory.file("pairs.scenophone")
        let inputs = RenderFixture.pairs.map {
            "\($0.0)=\(Paths.media.appendingPathComponent($0.1).path)+\(Paths.media.appendingPathComponent($0.2).path)"
        }
        let result = try runScenophone(["index"] + inputs + ["-o", url.path])
        try #require(result.status == 0, "\(result.standardError)")
        return url
    }

    /// A part of a shared photo, as its own picture file.
    private func crop(_ photo: String, _ filter: String, to url: URL) throws -> URL {
        let result = try run(
            "ffmpeg",
            [
                "-v", "error", "-y", "-i", Paths.media.appendingPathComponent(photo).path, "-vf", filter,
                url.path,
            ])
        try #require(result.status == 0, "\(result.standardError)")
        return url
    }

    /// The share of a 2 s render's grains per source, for a picture held in front of the corpus.
    private func grainShares(corpus: URL, input: URL, in directory: TemporaryDirectory) throws -> [String:
        Double]
    {
        let run = UUID().uuidString
        let log = directory.file("grains-\(run).csv")
        let result = try runScenophone([
            "render", "--corpus", corpus.path, "--input", input.path, "--duration", "2", "--seed", "3",
            "--output", directory.file("out-\(run).wav").path, "--grain-log", log.path,
        ])
        try #require(result.status == 0, "\(result.standardError)")
        let rows = try GrainLog(log).rows
        try #require(rows.count > 100, "\(rows.count) grains in 2 s")
        return rows.reduce(into: [:]) { $0[$1.sourceName, default: 0] += 1 / Double(rows.count) }
    }

    private func list(_ corpus: URL) throws -> [[String: Any]] {
        let result = try runScenophone(["teach", corpus.path, "--list", "--json"])
        try #require(result.status == 0, "\(result.standardError)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        return try #require(json["examples"] as? [[String: Any]])
    }

    private func sourcesFiles(_ corpus: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent("sources").path)
            .sorted()
    }

    /// The misty pier (a held-out photo) lands on the thunderstorm. Its left half, taught as an
    /// example of the boat on the lake, brings its right half — a different picture of the same
    /// scene — to the boat, and leaves the storm photo on the storm.
    @Test func aDifferentPictureOfTheSceneBringsItToTheTaughtSource() throws {
        let directory = try TemporaryDirectory()
        let corpus = try pairsCorpus(in: directory)
        let pier = "images/plasma_ColdRipple.jpg"
        let left = try crop(pier, "crop=iw/2:ih:0:0", to: directory.file("pier-left.png"))
        let right = try crop(pier, "crop=iw/2:ih:iw/2:0", to: directory.file("pier-right.png"))
        let storm = Paths.media.appendingPathComponent("images/mate_Storm.jpg")

        // The control: before teaching, the right half is heard as something other than the boat.
        let before = try grainShares(corpus: corpus, input: right, in: directory)
        #expect((before["boat"] ?? 0) < 0.1, "before teaching: \(before)")
        #expect(before.max { $0.value < $1.value }?.key != "boat")

        let taught = try runScenophone(["teach", corpus.path, "boat", left.path])
        #expect(taught.status == 0, "\(taught.standardError)")
        #expect(taught.standardOutput.contains("taught 1 example of 'boat'"))

        let after = try grainShares(corpus: corpus, input: right, in: directory)
        #expect((after["boat"] ?? 0) > 0.9, "after teaching: \(after)")
        let stormAfter = try grainShares(corpus: corpus, input: storm, in: directory)
        #expect((stormAfter["storm"] ?? 0) > 0.9, "the storm photo after teaching: \(stormAfter)")
    }

    /// Examples are listed (text and JSON), forgotten one by one by a unique start of their id, or
    /// all at once; their blobs go with them, and the corpus opens as before.
    @Test func examplesAreListedAndForgotten() throws {
        let directory = try TemporaryDirectory()
        let corpus = try pairsCorpus(in: directory)
        let blobsBefore = try sourcesFiles(corpus)
        #expect(try list(corpus).isEmpty)
        #expect(
            try runScenophone(["teach", corpus.path, "--list"]).standardOutput.contains("no examples taught"))

        let aqua = Paths.media.appendingPathComponent("images/mate_Aqua.jpg").path
        let meadow = Paths.media.appendingPathComponent("images/mate_GreenMeadow.jpg").path
        let first = try runScenophone(["teach", corpus.path, "waves", aqua, meadow, "--json"])
        try #require(first.status == 0, "\(first.standardError)")
        let second = try runScenophone(["teach", corpus.path, "birds", meadow, "--from", "10", "--to", "20"])
        try #require(second.status == 0, "\(second.standardError)")

        let examples = try list(corpus)
        #expect(examples.map { $0["source"] as? String } == ["waves", "waves", "birds"])
        #expect(
            examples.map { $0["fileName"] as? String } == [
                "mate_Aqua.jpg", "mate_GreenMeadow.jpg", "mate_GreenMeadow.jpg",
            ])
        #expect(examples[0]["wholeSource"] as? Bool == true && examples[2]["wholeSource"] as? Bool == false)
        #expect(examples[2]["from"] as? Double == 10 && examples[2]["to"] as? Double == 20)
        #expect((examples[0]["to"] as? Double ?? 0) > 117, "covers the whole 118 s of waves")
        // Frames of examples follow the sources' own seven.
        #expect(examples.map { $0["frame"] as? Int } == [7, 8, 9])
        let ids = examples.compactMap { $0["id"] as? String }
        #expect(ids.count == 3 && Set(ids).count == 3 && ids.allSatisfy { $0.count == 32 })
        #expect(try sourcesFiles(corpus).count == blobsBefore.count + 6)
        let table = try runScenophone(["teach", corpus.path, "--list"]).standardOutput
        #expect(table.contains(ids[2]) && table.contains("10.00–20.00 s") && table.contains("whole source"))
        // `info` counts the examples' frames and bytes.
        let info = try runScenophone(["info", corpus.path, "--json", "--verify"])
        #expect(info.status == 0, "\(info.standardError)")
        #expect(info.standardOutput.contains("\"frameCount\" : 10"))

        let forgot = try runScenophone(["teach", corpus.path, "--forget", String(ids[1].prefix(8))])
        #expect(forgot.status == 0, "\(forgot.standardError)")
        #expect(try list(corpus).compactMap { $0["id"] as? String } == [ids[0], ids[2]])
        #expect(try sourcesFiles(corpus).count == blobsBefore.count + 4)

        let unknown = try runScenophone(["teach", corpus.path, "--forget", "ffffffff"])
        #expect(unknown.status != 0 && unknown.standardError.contains("no example has the id 'ffffffff'"))

        let some = try runScenophone(["teach", corpus.path, "birds", "--all"])
        #expect(some.status == 0 && some.standardOutput.contains("forgot 1 example"))
        #expect(try list(corpus).compactMap { $0["id"] as? String } == [ids[0]])
        let all = try runScenophone(["teach", corpus.path, "--all"])
        #expect(all.status == 0 && all.standardOutput.contains("forgot 1 example"))
        #expect(try list(corpus).isEmpty)
        #expect(try sourcesFiles(corpus) == blobsBefore)
        // Without examples the manifest has no trace of them: old readers see the corpus they know.
        let manifest = try String(contentsOf: corpus.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(!manifest.contains("examples"))
    }

    /// An example taught for 20–30 s of a 40 s video gets the grains of that stretch only: the
    /// picture itself, held in front of the corpus, is heard from 20–30 s (the 2 % floor aside),
    /// spread over the stretch, not from one instant.
    @Test func aRangedExampleHoldsItsMassWithinItsRange() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: clip, seconds: 40, fps: 5)
        let corpus = directory.file("clip.scenophone")
        let indexed = try runScenophone(["index", clip.path, "-o", corpus.path])
        try #require(indexed.status == 0, "\(indexed.standardError)")
        let coffee = Paths.media.appendingPathComponent("images/skimage_coffee.png")
        let taught = try runScenophone([
            "teach", corpus.path, "clip", coffee.path, "--from", "20", "--to", "30",
        ])
        try #require(taught.status == 0, "\(taught.standardError)")

        let log = directory.file("grains.csv")
        let render = try runScenophone([
            "render", "--corpus", corpus.path, "--input", coffee.path, "--duration", "4", "--seed", "2",
            "--output", directory.file("out.wav").path, "--grain-log", log.path,
        ])
        try #require(render.status == 0, "\(render.standardError)")
        let times = try GrainLog(log).rows.map(\.sourceTime)
        try #require(times.count > 300)
        // A grain is centred on its drawn time, clamped only at the source's edges.
        let inside = times.filter { (20...30).contains($0) }
        #expect(Double(inside.count) / Double(times.count) > 0.95, "\(inside.count) of \(times.count) grains")
        #expect(
            inside.min()! < 21 && inside.max()! > 29,
            "spread over the range: \(inside.min()!)–\(inside.max()!)")
    }

    /// Bad input: a clear error naming the file or the value, a non-zero exit, and the corpus as it was.
    @Test func badInputChangesNothing() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: clip, seconds: 3)
        let corpus = directory.file("c.scenophone")
        try #require(try runScenophone(["index", clip.path, "-o", corpus.path]).status == 0)
        let photo = Paths.media.appendingPathComponent("images/mate_Aqua.jpg").path
        try #require(try runScenophone(["teach", corpus.path, "clip", photo]).status == 0)
        let manifest = corpus.appendingPathComponent("manifest.json")
        let before = try Data(contentsOf: manifest)
        let files = try sourcesFiles(corpus)

        let corrupt = directory.file("corrupt.jpg")
        try Data((0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: corrupt)
        let sound = Paths.media.appendingPathComponent("audio/max_rain.wav").path
        let cases: [(arguments: [String], says: String)] = [
            (["clip", directory.file("missing.jpg").path], "missing.jpg"),
            (["clip", photo, corrupt.path], "corrupt.jpg"),
            (["clip", sound], "max_rain.wav"),
            (["clip", clip.path], "clip.mkv: is a video"),
            (["nowhere", photo], "no source named 'nowhere'"),
            (["clip", photo, "--from", "1", "--to", "9"], "--from 1.0 --to 9.0"),
            (["clip", photo, "--from", "2", "--to", "1"], "--to (1.0) must be later than --from (2.0)"),
            (["clip", photo, "--from=-1"], "--from must be a number of seconds"),
            (["clip"], "say which source the pictures look like"),
            (["--forget", "0123"], "no example has the id '0123'"),
            (["clip", photo, "--list"], "one at a time"),
        ]
        for (arguments, says) in cases {
            let result = try runScenophone(["teach", corpus.path] + arguments)
            #expect(result.status != 0, "\(arguments) succeeded")
            #expect(result.standardError.contains(says), "\(arguments): \(result.standardError)")
            #expect(try Data(contentsOf: manifest) == before, "\(arguments) changed the manifest")
            #expect(try sourcesFiles(corpus) == files, "\(arguments) left files behind")
        }
        let notACorpus = try runScenophone(["teach", directory.url.path, "clip", photo])
        #expect(notACorpus.status != 0 && notACorpus.standardError.contains("not a Scenophone corpus"))
    }

    /// `teach` killed with SIGKILL while it writes its examples' blobs leaves the corpus as it was;
    /// the next change sweeps the orphaned blobs away.
    @Test func aKilledTeachLeavesTheCorpusAsItWas() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: clip, seconds: 3)
        let corpus = directory.file("c.scenophone")
        try #require(try runScenophone(["index", clip.path, "-o", corpus.path]).status == 0)
        let before = try runScenophone(["info", corpus.path, "--json"]).standardOutput
        let known = Set(try sourcesFiles(corpus))
        // Many pictures, so that writing their blobs (two flushed files each) takes a while: all are
        // embedded first, then written, then committed at once.
        let photo = Paths.media.appendingPathComponent("images/mate_Aqua.jpg").path
        let pictures = [String](repeating: photo, count: 100)

        let process = Process()
        process.executableURL = Paths.scenophoneExecutable
        process.arguments = ["teach", corpus.path, "clip"] + pictures
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(300)
        var writing = false
        while !writing && process.isRunning && Date() < deadline {
            usleep(1000)
            writing = (try? sourcesFiles(corpus))?.contains { !known.contains($0) } ?? false
        }
        try #require(writing && process.isRunning, "teach should be writing blobs when killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let after = try runScenophone(["info", corpus.path, "--json", "--verify"])
        #expect(after.status == 0, "\(after.standardError)")
        #expect(after.standardOutput == before.replacingOccurrences(of: "\"standard\"", with: "\"full\""))
        #expect(try list(corpus).isEmpty)
        #expect(try Set(sourcesFiles(corpus)) != known, "the killed run left blobs to sweep")
        let next = try runScenophone(["teach", corpus.path, "clip", photo])
        #expect(next.status == 0, "\(next.standardError)")
        #expect(try sourcesFiles(corpus).count == known.count + 2)
    }
}
