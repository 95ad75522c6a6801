import Foundation
import MediaIO

/// A small real corpus for live tests, made once per test run (as `scenophone index` would) from
/// `../shared/media` photo + recording pairs, and the photos decoded as camera frames.
public final class SoundscapeCorpus: @unchecked Sendable {
    /// One scene: its source name in the corpus and its photo as a camera would see it.
    public struct Scene: Sendable {
        public var name: String
        public var photo: RGBFrame
    }

    /// Photo + recording pairs (pairings from `../shared/media/CREDITS.md`), short recordings.
    public static let pairs: [(name: String, picture: String, sound: String)] = [
        ("rain", "images/mate_RainDrops.jpg", "audio/max_rain.wav"),
        ("thunder", "images/mate_Storm.jpg", "audio/max_thunder.wav"),
        ("cafe", "images/skimage_coffee.png", "audio/blanket_coffee-shop.ogg"),
        ("boats", "images/plasma_EveningGlow.jpg", "audio/blanket_boat.ogg"),
    ]

    /// The corpus bundle.
    public let url: URL
    /// The scenes, in source order.
    public let scenes: [Scene]
    private let directory: TemporaryDirectory

    /// The corpus, built on first use (a few seconds) and shared by every test of the run.
    ///
    /// - Throws: the indexing failure, every time it is asked for.
    public static func shared() throws -> SoundscapeCorpus {
        try cached.get()
    }

    private static let cached = Result { try SoundscapeCorpus() }

    /// A copy of the corpus in a new directory, which no process has mapped yet: dropping its audio
    /// from the page cache (`Corpus.dropAudioFromPageCache()`) then really sends the next read to disk.
    ///
    /// - Returns: the copy's directory (removed when released) and the copied bundle.
    /// - Throws: when the copy fails.
    public func coldCopy() throws -> (directory: TemporaryDirectory, url: URL) {
        let directory = try TemporaryDirectory("scenophone-cold-corpus")
        let copy = directory.file(url.lastPathComponent)
        try FileManager.default.copyItem(at: url, to: copy)
        return (directory, copy)
    }

    private init() throws {
        directory = try TemporaryDirectory("scenophone-soundscape")
        url = directory.file("soundscape.scenophone")
        let inputs = Self.pairs.map { pair in
            "\(pair.name)=" + Paths.media.appendingPathComponent(pair.picture).path + "+"
                + Paths.media.appendingPathComponent(pair.sound).path
        }
        try CorpusFixture.index(inputs, into: url)
        scenes = try Self.pairs.map { pair in
            Scene(
                name: pair.name,
                photo: try VideoFrameReader.readStill(
                    Paths.media.appendingPathComponent(pair.picture), scaling: .shortSide(256)))
        }
    }
}
