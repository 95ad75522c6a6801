import Foundation
import TestSupport
import Testing

/// `scenophone evaluate` end to end, on a corpus of four `../shared/media` photo + recording pairs
/// whose categories are given at `index` time and with `sources set`.
@Suite struct EvaluateCommandTests {
    /// The corpus, built once for the suite (it is only read).
    final class Fixture: @unchecked Sendable {
        /// Photo, recording and category of each source.
        static let pairs = [
            (
                name: "rain", picture: "images/mate_RainDrops.jpg", sound: "audio/max_rain.wav",
                category: "rain"
            ),
            (
                name: "thunder", picture: "images/mate_Storm.jpg", sound: "audio/max_thunder.wav",
                category: "storm"
            ),
            (
                name: "cafe", picture: "images/skimage_coffee.png", sound: "audio/blanket_coffee-shop.ogg",
                category: "cafe"
            ),
            (
                name: "boats", picture: "images/plasma_EveningGlow.jpg", sound: "audio/blanket_boat.ogg",
                category: "lake"
            ),
        ]

        let directory: TemporaryDirectory
        let corpus: URL

        static let shared = Result { try Fixture() }

        private init() throws {
            directory = try TemporaryDirectory("scenophone-evaluate")
            corpus = directory.file("pairs.scenophone")
            // Three categories at index time, the last one afterwards.
            let sources = Self.pairs.map { pair in
                "\(pair.name)=" + Paths.media.appendingPathComponent(pair.picture).path + "+"
                    + Paths.media.appendingPathComponent(pair.sound).path
                    + (pair.name == "boats" ? "" : "@\(pair.category)")
            }
            let indexed = try runScenophone(["index"] + sources + ["-o", corpus.path])
            guard indexed.status == 0 else { throw FixtureError("index failed: \(indexed.standardError)") }
            let set = try runScenophone(["sources", "set", corpus.path, "boats", "--category", "lake"])
            guard set.status == 0 else { throw FixtureError("sources set failed: \(set.standardError)") }
        }

        /// Writes a manifest into the fixture's directory.
        func manifest(_ name: String, _ text: String) throws -> URL {
            let url = directory.file(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url
        }

        /// The corpus photos themselves, each labelled by `label`.
        func photosManifest(_ name: String, label: (String) -> String) throws -> URL {
            try manifest(
                name,
                "path,category\n"
                    + Self.pairs.map {
                        Paths.media.appendingPathComponent($0.picture).path + "," + label($0.category)
                    }
                    .joined(separator: "\n") + "\n")
        }

        /// Runs `evaluate --json` and decodes its report.
        func evaluate(_ manifest: URL, _ extra: [String] = []) throws -> [String: Any] {
            let result = try runScenophone(
                ["evaluate", "--corpus", corpus.path, "--manifest", manifest.path, "--json"] + extra)
            try #require(result.status == 0, "\(result.standardError)")
            return try #require(
                try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        }
    }

    private var fixture: Fixture { get throws { try Fixture.shared.get() } }

    /// Each photo of the corpus shown as itself, with only the nearest frame liked (`--top-k 1`):
    /// the input's own source gets all of the `1 − floor` share, and the floor is spread by audio
    /// time, so the agreement is exactly `(1 − floor) + floor × chance`; chance is the category's
    /// share of the audio, from the recordings' lengths.
    @Test func photosShownAsThemselvesAgreeExactly() throws {
        let fixture = try fixture
        let manifest = try fixture.photosManifest("self.csv") { $0 }
        let report = try fixture.evaluate(
            manifest, ["--top-k", "1", "--floor", "0.1", "--duration", "1", "--vision-fps", "10"])
        let inputs = try #require(report["inputs"] as? [[String: Any]])
        try #require(inputs.count == 4)
        let info = try runScenophone(["info", fixture.corpus.path, "--json"])
        let sources = try #require(
            (try JSONSerialization.jsonObject(with: Data(info.standardOutput.utf8)) as? [String: Any])?[
                "sources"]
                as? [[String: Any]])
        let durations = sources.map { $0["duration"] as? Double ?? 0 }
        let total = durations.reduce(0, +)
        for (index, input) in inputs.enumerated() {
            let chance = try #require(input["baseline"] as? Double)
            let agreement = try #require(input["agreement"] as? Double)
            #expect(abs(chance - durations[index] / total) < 1e-3, "\(input)")
            #expect(abs(agreement - (0.9 + 0.1 * chance)) < 1e-6, "\(input)")
            #expect((input["top"] as? [String])?.first == Fixture.pairs[index].category)
            let attraction = try #require(input["attraction"] as? [String: Double])
            #expect(abs(attraction.values.reduce(0, +) - 1) < 1e-9)
            #expect(input["visionFrames"] as? Int == 10 && input["pictures"] as? Int == 1)
        }
        // The confusion table's diagonal is the agreement, its rows sum to 1.
        let confusion = try #require(report["confusion"] as? [[String: Any]])
        #expect(confusion.count == 4)
        for row in confusion {
            let shares = try #require(row["shares"] as? [String: Double])
            let category = try #require(row["category"] as? String)
            #expect(abs(shares.values.reduce(0, +) - 1) < 1e-9)
            #expect((shares[category] ?? 0) > 0.9)
        }
        #expect((report["meanAgreement"] as? Double ?? 0) > 0.9)
    }

    /// Negative control: the same pictures with their labels rotated. Now only the floor's spread
    /// reaches the labelled category, `floor × chance` exactly, far below chance itself.
    @Test func wrongLabelsScoreOnlyTheFloor() throws {
        let fixture = try fixture
        let categories = Fixture.pairs.map(\.category)
        let manifest = try fixture.photosManifest("rotated.csv") { category in
            categories[(categories.firstIndex(of: category)! + 1) % categories.count]
        }
        let report = try fixture.evaluate(
            manifest, ["--top-k", "1", "--floor", "0.1", "--duration", "1", "--vision-fps", "10"])
        let inputs = try #require(report["inputs"] as? [[String: Any]])
        for input in inputs {
            let chance = try #require(input["baseline"] as? Double)
            #expect(abs((input["agreement"] as? Double ?? -1) - 0.1 * chance) < 1e-6, "\(input)")
        }
        let mean = try #require(report["meanAgreement"] as? Double)
        #expect(mean < 0.1 && mean < (report["meanBaseline"] as? Double ?? 0))
    }

    /// A camera-like view the corpus never saw (a slow zoom into a crop of the café photo, as a
    /// video) with today's mapping: most of the mass on the café, and the human table says so.
    @Test func zoomIntoThePhotoFollowsItsScene() throws {
        let fixture = try fixture
        let clip = fixture.directory.file("cafe-zoom.mp4")
        let ffmpeg = try run(
            "ffmpeg",
            [
                "-v", "error", "-y", "-i",
                Paths.media.appendingPathComponent("images/skimage_coffee.png").path,
                "-vf", "zoompan=z='1.2+0.3*on/20':d=20:s=320x180:fps=10", "-c:v", "libx264", "-pix_fmt",
                "yuv420p", clip.path,
            ])
        try #require(ffmpeg.status == 0, "\(ffmpeg.standardError)")
        let manifest = try fixture.manifest(
            "zoom.json", #"{"inputs": [{"path": "cafe-zoom.mp4", "category": "cafe"}]}"#)
        let report = try fixture.evaluate(manifest, ["--vision-fps", "5"])
        let input = try #require((report["inputs"] as? [[String: Any]])?.first)
        #expect((input["agreement"] as? Double ?? 0) > 0.5, "\(input)")
        #expect((input["top"] as? [String])?.first == "cafe")
        #expect(input["visionFrames"] as? Int == 10)
        let text = try runScenophone(
            ["evaluate", "--corpus", fixture.corpus.path, "--manifest", manifest.path, "--vision-fps", "5"])
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("cafe-zoom.mp4") && text.standardOutput.contains("agreement"))
        #expect(text.standardOutput.contains("mean over 1 inputs"))
    }

    /// Each broken manifest is refused before any analysis, naming the file and the line or entry.
    @Test(arguments: [
        ("missing.csv", "path,category\nnot-there.jpg,rain\n", ["line 2", "not-there.jpg"]),
        (
            "unknown.csv", "path,category\n# a comment\n\nPHOTO,jungle\n",
            ["line 4", "category 'jungle'", "cafe, lake, rain, storm"]
        ),
        ("nocomma.csv", "path,category\nPHOTO rain\n", ["line 2", "FILE,CATEGORY"]),
        ("nocategory.csv", "path,category\nPHOTO,\n", ["line 2", "category is missing"]),
        ("badcategory.csv", "path,category\nPHOTO,heavy rain\n", ["line 2", "'heavy rain'"]),
        ("header.csv", "file,label\nPHOTO,rain\n", ["line 1", "header"]),
        ("empty.csv", "path,category\n", ["lists no inputs"]),
        ("blank.csv", "", ["lists no inputs"]),
        (
            "syntax.json", "[\n  {\"path\": \"PHOTO\", \"category\": \"rain\"},\n  {\"path\": \n]\n",
            ["not valid JSON", "json.tool"]
        ),
        (
            "fields.json", "[{\"path\": \"PHOTO\", \"category\": \"rain\"}, {\"path\": \"PHOTO\"}]",
            ["entry 2", "\"category\""]
        ),
        ("shape.json", "{\"files\": []}", ["JSON list"]),
        ("audio.csv", "path,category\nSOUND,rain\n", ["line 2", "max_rain.wav"]),
    ])
    func badManifestIsRefusedNamingTheLine(name: String, text: String, expected: [String]) throws {
        let fixture = try fixture
        let manifest = try fixture.manifest(
            name,
            text.replacingOccurrences(
                of: "PHOTO", with: Paths.media.appendingPathComponent("images/mate_RainDrops.jpg").path
            ).replacingOccurrences(
                of: "SOUND", with: Paths.media.appendingPathComponent("audio/max_rain.wav").path))
        let result = try runScenophone([
            "evaluate", "--corpus", fixture.corpus.path, "--manifest", manifest.path,
        ])
        #expect(result.status != 0)
        #expect(result.standardError.contains(name), "\(result.standardError)")
        for fragment in expected {
            #expect(result.standardError.contains(fragment), "\(fragment) not in: \(result.standardError)")
        }
        #expect(result.standardOutput.isEmpty)
    }

    @Test func missingManifestIsNamed() throws {
        let fixture = try fixture
        let result = try runScenophone(
            [
                "evaluate", "--corpus", fixture.corpus.path, "--manifest",
                fixture.directory.file("none.csv").path,
            ])
        #expect(result.status != 0 && result.standardError.contains("none.csv: no such manifest file"))
    }

    /// Categories at index time and with `sources set`, shown by `info` and `sources list`; a corpus
    /// without any is refused by `evaluate` with the way to give them.
    @Test func categoriesAreSetShownAndCleared() throws {
        let directory = try TemporaryDirectory()
        let corpus = directory.file("c.scenophone")
        let photo = Paths.media.appendingPathComponent("images/mate_Storm.jpg").path
        let sound = Paths.media.appendingPathComponent("audio/max_thunder.wav").path
        let bad = try runScenophone(["index", "storm=\(photo)+\(sound)@bad weather", "-o", corpus.path])
        #expect(
            bad.status != 0 && bad.standardError.contains("category 'bad weather'"), "\(bad.standardError)")
        #expect(!FileManager.default.fileExists(atPath: corpus.path))

        let indexed = try runScenophone(["index", "storm=\(photo)+\(sound)@bad-weather", "-o", corpus.path])
        try #require(indexed.status == 0, "\(indexed.standardError)")
        func source() throws -> [String: Any] {
            let info = try runScenophone(["info", corpus.path, "--json"])
            let object =
                try JSONSerialization.jsonObject(with: Data(info.standardOutput.utf8)) as? [String: Any]
            return try #require((object?["sources"] as? [[String: Any]])?.first)
        }
        #expect(try source()["category"] as? String == "bad-weather")
        #expect(try runScenophone(["info", corpus.path]).standardOutput.contains("bad-weather"))

        let renamed = try runScenophone(["sources", "set", corpus.path, "storm", "--category", "storm"])
        #expect(renamed.status == 0 && renamed.standardOutput.contains("storm"), "\(renamed.standardError)")
        #expect(try source()["category"] as? String == "storm")
        let refused = try runScenophone(["sources", "set", corpus.path, "storm", "--category", "a/b"])
        #expect(refused.status != 0 && refused.standardError.contains("'a/b'"))
        let both = try runScenophone([
            "sources", "set", corpus.path, "storm", "--category", "x", "--no-category",
        ])
        #expect(both.status != 0)
        #expect(try source()["category"] as? String == "storm")

        let cleared = try runScenophone(["sources", "set", corpus.path, "storm", "--no-category"])
        #expect(cleared.status == 0, "\(cleared.standardError)")
        #expect(try source()["category"] == nil)
        let manifest = directory.file("m.csv")
        try "path,category\n\(photo),storm\n".write(to: manifest, atomically: true, encoding: .utf8)
        let result = try runScenophone(["evaluate", "--corpus", corpus.path, "--manifest", manifest.path])
        #expect(result.status != 0 && result.standardError.contains("no source has a category"))
        #expect(result.standardError.contains("--category"))
    }
}
