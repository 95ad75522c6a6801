import Corpus
import Foundation
import MediaIO
import Synchronization

/// A corpus of many sources, written in seconds for the inside view's tests: an archive of
/// thousands of recordings without indexing thousands of videos.
///
/// Each source is made from one scene of `SoundscapeCorpus` (in runs of neighbouring sources, as an
/// archive's collections are): its frames' embeddings are the scene's real one nudged by seeded
/// noise, its thumbnail is the scene's, its audio half a second of the scene's recording. A camera
/// frame of a scene therefore spreads its p(t) mass over the sources made from that scene, the
/// least nudged ones most. Names read like an archive's (`reel 0042 · rain on a tin roof`), so a
/// search by name finds whole collections.
public final class ArchiveCorpus: @unchecked Sendable {
    /// The corpus bundle.
    public let url: URL
    /// Source names, in corpus order.
    public let names: [String]
    /// Per source, the index of the `SoundscapeCorpus` scene it was made from.
    public let sceneOfSource: [Int]
    private let directory: TemporaryDirectory

    /// Frames per source, and their spacing in seconds.
    public static let framesPerSource = 5
    public static let frameSpacing = 0.1
    /// Each source's audio: this many seconds, mono.
    public static let sourceDuration = 0.5

    /// Descriptions per scene of `SoundscapeCorpus.pairs` (rain, thunder, café, boats).
    private static let descriptions: [[String]] = [
        [
            "rain on a tin roof", "drizzle in the park", "wet street at night", "rain on the harbour",
            "gutter",
        ],
        ["thunder over the hills", "summer storm", "distant thunder", "storm front", "hail"],
        ["café terrace", "espresso bar", "bistro at noon", "station buffet", "tea room"],
        ["harbour at dusk", "fishing boats", "ferry landing", "marina", "canal locks"],
    ]

    private static let cache = Mutex<[Int: ArchiveCorpus]>([:])

    /// The corpus of `sourceCount` sources, written on first use and shared by every test of the run.
    ///
    /// - Parameter sourceCount: how many sources.
    /// - Returns: the corpus.
    /// - Throws: when the soundscape corpus or the writing fails.
    public static func shared(sourceCount: Int) throws -> ArchiveCorpus {
        // Held while writing, so two tests asking at once write it once.
        try cache.withLock { cache in
            if let corpus = cache[sourceCount] { return corpus }
            let corpus = try ArchiveCorpus(sourceCount: sourceCount, from: try SoundscapeCorpus.shared())
            cache[sourceCount] = corpus
            return corpus
        }
    }

    /// Writes a new archive corpus.
    ///
    /// - Parameters:
    ///   - sourceCount: how many sources.
    ///   - soundscape: the real corpus whose scenes the sources are made from.
    /// - Throws: when the corpus cannot be written.
    public init(sourceCount: Int, from soundscape: SoundscapeCorpus) throws {
        directory = try TemporaryDirectory("scenophone-archive")
        url = directory.file("archive-\(sourceCount).scenophone")
        let scenes = try Corpus.open(soundscape.url)
        let dimension = scenes.embeddingSize
        var random = SplitMix(seed: 0x5CE0_A7C4 &+ UInt64(sourceCount))

        // Collections: runs of 20…300 neighbouring sources from one scene.
        var sceneOfSource: [Int] = []
        while sceneOfSource.count < sourceCount {
            let scene = Int(random.next() % UInt64(scenes.sources.count))
            let run = 20 + Int(random.next() % 281)
            sceneOfSource += Array(repeating: scene, count: min(run, sourceCount - sceneOfSource.count))
        }
        self.sceneOfSource = sceneOfSource

        let writer = try CorpusWriter.create(at: url, model: scenes.model)
        var names: [String] = []
        let samplesPerSource = Int(Self.sourceDuration * Double(SourceIndexer.sampleRate))
        for (index, scene) in sceneOfSource.enumerated() {
            let source = scenes.sources[scene]
            let base = scenes.embedding(ofFrame: source.frames.lowerBound)
            let rms = (base.reduce(0) { $0 + $1 * $1 } / Float(dimension)).squareRoot()
            // How far this recording sits from the scene (noise RMS over the embedding's): about one
            // in a hundred within the mapping's plateau, one in twenty within its reach, the rest
            // far; its frames differ, so p(t) varies along it.
            let nudge = 0.15 + 3 * random.nextFloat().squareRoot()
            var embeddings: [Float] = []
            embeddings.reserveCapacity(Self.framesPerSource * dimension)
            for _ in 0..<Self.framesPerSource {
                let scale = rms * nudge * (0.5 + random.nextFloat())
                for value in base { embeddings.append(value + scale * (2 * random.nextFloat() - 1) * 1.732) }
            }
            // Half a second of the scene's recording (its first channel), from a place of its own.
            let frameCount = source.audioFrameCount
            let start = (index * 17_987) % max(1, frameCount - samplesPerSource)
            let samples = (0..<samplesPerSource).map { offset in
                let frame = min(start + offset, frameCount - 1)
                return source.audio[frame * source.channels]
            }
            let descriptions = Self.descriptions[scene % Self.descriptions.count]
            let name =
                "reel \(String(format: "%04d", index)) · "
                + descriptions[Int(random.next() % UInt64(descriptions.count))]
            names.append(name)
            let thumbnail = scenes.thumbnailJPEG(ofFrame: source.frames.lowerBound)
            try writer.add(
                prepared: PreparedSource(
                    name: name, kind: .video,
                    frameTimes: (0..<Self.framesPerSource).map { Double($0) * Self.frameSpacing },
                    embeddings: embeddings,
                    thumbnails: Array(repeating: thumbnail, count: Self.framesPerSource),
                    audio: AudioClip(sampleRate: SourceIndexer.sampleRate, channels: 1, samples: samples)))
        }
        try writer.commit()
        self.names = names
    }
}
