import Foundation
import Synchronization
import TestSupport
import Testing

/// The corpora, inputs and one render the render tests share, each made once on first use and
/// removed with the whole suite (see ``RenderFixtureTrait``).
final class RenderFixture: Sendable {
    /// The fixture of the running render suite.
    @TaskLocal static var current: RenderFixture?

    /// The paper-style pairs the scene tests use: (source name, picture, recording), from the
    /// suggested pairings in `../shared/media/CREDITS.md`.
    static let pairs = [
        ("rain", "images/mate_RainDrops.jpg", "audio/blanket_rain.ogg"),
        ("storm", "images/mate_Storm.jpg", "audio/blanket_storm.ogg"),
        ("waves", "images/mate_Dune.jpg", "audio/blanket_waves.ogg"),
        ("birds", "images/plasma_Path.jpg", "audio/blanket_birds.ogg"),
        ("boat", "images/plasma_EveningGlow.jpg", "audio/blanket_boat.ogg"),
        ("night", "images/plasma_summer_1am.jpg", "audio/blanket_summer-night.ogg"),
        ("cafe", "images/skimage_coffee.png", "audio/blanket_coffee-shop.ogg"),
    ]
    static let film = Paths.media.appendingPathComponent("video/tears_of_steel_battle.webm")

    let directory: TemporaryDirectory
    private let files = Mutex<[String: OnceFile]>([:])

    init() throws { directory = try TemporaryDirectory("scenophone-render") }

    /// The film indexed at 1 fps.
    func filmCorpus() throws -> URL {
        try make("film.scenophone") { url in try Self.index([Self.film.path], into: url) }
    }

    /// Seven photo + recording pairs.
    func pairsCorpus() throws -> URL {
        try make("pairs.scenophone") { url in
            try Self.index(
                Self.pairs.map {
                    "\($0.0)=\(Paths.media.appendingPathComponent($0.1).path)+\(Paths.media.appendingPathComponent($0.2).path)"
                },
                into: url)
        }
    }

    /// A 20 s video showing the storm photo for 10 s, then the café photo for 10 s.
    func stormThenCafe() throws -> URL {
        try make("storm-then-cafe.mp4") { url in
            let storm = Paths.media.appendingPathComponent("images/mate_Storm.jpg").path
            let cafe = Paths.media.appendingPathComponent("images/skimage_coffee.png").path
            try Self.ffmpeg([
                "-loop", "1", "-t", "10", "-i", storm, "-loop", "1", "-t", "10", "-i", cafe,
                "-filter_complex",
                "[0]scale=640:400,setsar=1,fps=10[a];[1]scale=640:400,setsar=1,fps=10[b];[a][b]concat=n=2:v=1[v]",
                "-map", "[v]", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-r", "10", url.path,
            ])
        }
    }

    /// `stormThenCafe` rendered against the pairs with seed 5, with its grain log beside it.
    func sceneRender() throws -> (wav: URL, log: URL) {
        let wav = try make("scene.wav") { url in
            try Self.render(
                corpus: try pairsCorpus(), input: try stormThenCafe(), output: url,
                extra: ["--seed", "5", "--grain-log", directory.file("scene.csv").path])
        }
        return (wav, directory.file("scene.csv"))
    }

    /// Runs `scenophone render` and requires it to succeed.
    static func render(corpus: URL, input: URL, output: URL, extra: [String] = []) throws {
        let result = try runScenophone(
            [
                "render", "--corpus", corpus.path, "--input", input.path, "--output", output.path,
                "--overwrite",
            ] + extra)
        guard result.status == 0 else { throw FixtureError("render failed: \(result.standardError)") }
    }

    private static func index(_ sources: [String], into url: URL) throws {
        let result = try runScenophone(["index"] + sources + ["--output", url.path])
        guard result.status == 0 else { throw FixtureError("index failed: \(result.standardError)") }
    }

    private static func ffmpeg(_ arguments: [String]) throws {
        let result = try run("ffmpeg", ["-v", "error", "-nostdin", "-y"] + arguments)
        guard result.status == 0 else { throw FixtureError("ffmpeg failed: \(result.standardError)") }
    }

    /// Makes `name` in the fixture's directory once; later calls (from any test) get the same file.
    /// Each file has its own lock, so making one may use others.
    private func make(_ name: String, _ build: (URL) throws -> Void) throws -> URL {
        let file = files.withLock { files in
            if let file = files[name] { return file }
            let file = OnceFile(directory.file(name))
            files[name] = file
            return file
        }
        return try file.make(build)
    }
}

/// A file made at most once (a failure is remembered and thrown again).
private final class OnceFile: Sendable {
    let url: URL
    private let state = Mutex<Result<URL, any Error>?>(nil)

    init(_ url: URL) { self.url = url }

    func make(_ build: (URL) throws -> Void) throws -> URL {
        try state.withLock { state in
            if state == nil {
                state = Result {
                    try build(url); return url
                }
            }
            return try state!.get()
        }
    }
}

/// Gives a suite one ``RenderFixture`` for all its tests, removed when the suite ends.
struct RenderFixtureTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await RenderFixture.$current.withValue(RenderFixture()) { try await function() }
    }
}

extension Trait where Self == RenderFixtureTrait {
    /// One shared ``RenderFixture`` for the suite.
    static var renderFixture: Self { Self() }
}
