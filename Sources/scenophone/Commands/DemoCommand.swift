import ArgumentParser
import CommandLineSupport
import Corpus
import Engine
import Foundation
import MediaIO

/// `scenophone demo`: the whole idea in one command — a small corpus, an input that moves between
/// scenes, and the soundscape Scenophone makes for it, as sound, video and a spectrogram.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a small corpus and render a soundscape for an input that moves between scenes.",
        discussion: """
            Without --media, the demo makes its own media with ffmpeg: four synthetic scenes (a \
            zooming fractal, colour bars, the Game of Life, a cellular automaton) each with a sound \
            of its own (rumble, bell chord, rain, chirps), indexes them, and renders the soundscape \
            for a video that shows other stretches of those scenes, --scene-seconds each.

            With --media DIR it uses real recordings: photos are paired with recordings as \
            DIR/CREDITS.md suggests ("pair with `recording`"; without one, by equal file names), \
            videos with sound are sources too, and the input is a slideshow of some paired photos, \
            one photo the corpus has never seen, and a stretch of the first video.

            Everything goes to --output: the corpus, the input, soundscape.wav, soundscape.mp4 \
            (the input's picture with the soundscape), grains.csv and spectrogram.png.
            """)

    @Option(help: "A folder of real media (photos, recordings, videos) to use instead of generated scenes.")
    var media: String?

    @Option(name: .shortAndLong, help: "The folder to write everything to.")
    var output = "out/demo"

    @Option(help: "Seconds the input shows each scene.")
    var sceneSeconds: Double = 8

    @Option(help: "Random seed of the soundscape.")
    var seed: UInt64 = 1

    @OptionGroup var choice: ModelChoice
    @OptionGroup(title: "Sound") var sound: SoundOptions

    @OptionGroup var model: ModelOptions

    func validate() throws {
        guard sceneSeconds >= 1, sceneSeconds <= 60 else {
            throw ValidationError("--scene-seconds must be in 1…60")
        }
    }

    func run() async throws {
        let started = Date()
        let directory = URL(fileURLWithPath: output)
        let mediaDirectory = directory.appendingPathComponent("media")
        try FileManager.default.createDirectory(at: mediaDirectory, withIntermediateDirectories: true)
        let input = directory.appendingPathComponent("input.mp4")

        let sources: [String]
        let storyboard: [String]
        if let media {
            let found = try MediaPairing(directory: URL(fileURLWithPath: media))
            sources =
                Self.uniqueNames(found.pairs).map { "\($0.name)=\($0.picture.path)+\($0.sound.path)" }
                + found.videos.map(\.path)
            let shown = Self.spread(found.pairs.map(\.picture), count: 4) + found.heldOut.prefix(1)
            let excerpt = try found.videos.first.map { video in
                (video, max(0, min(40, (try MediaProbe.probe(video).duration ?? 0) - sceneSeconds)))
            }
            say(
                "pairing \(found.pairs.count) photos with recordings, \(found.videos.count) video(s) with sound"
            )
            try DemoMedia.makeSlideshow(pictures: shown, excerpt: excerpt, at: input, seconds: sceneSeconds)
            storyboard =
                shown.map { picture in
                    picture.lastPathComponent
                        + (found.heldOut.contains(picture) ? " (not in the corpus)" : "")
                } + (excerpt.map { ["\($0.0.lastPathComponent) from \(Int($0.1)) s"] } ?? [])
        } else {
            say("making four synthetic scenes with ffmpeg")
            let scenes = try DemoMedia.makeScenes(in: mediaDirectory, seconds: 20)
            sources = zip(DemoMedia.scenes, scenes).map { "\($0.name)=\($1.path)" }
            try DemoMedia.makeInput(at: input, seconds: sceneSeconds, offset: 25)
            storyboard = [1, 0, 3, 2].map { DemoMedia.scenes[$0].name + " (later frames than the corpus's)" }
        }

        say("indexing \(sources.count) sources")
        let network = try model.loadNetwork(choice.variant)
        let corpusURL = directory.appendingPathComponent("demo.scenophone")
        let indexer = SourceIndexer(network: network, options: SourceIndexer.Options())
        let writer = try CorpusWriter.create(at: corpusURL, model: indexer.model, overwrite: true)
        _ = try CorpusIndexing.run(sources, indexer: indexer, writer: writer)
        try writer.commit()
        let corpus = try Corpus.open(corpusURL, expecting: network.identity)

        say("rendering the soundscape")
        let wav = directory.appendingPathComponent("soundscape.wav")
        let job = RenderJob(
            corpus: corpus, network: network,
            input: try RenderInput.resolve(input, imageDuration: sceneSeconds),
            output: try RenderOutput(wav, overwrite: true),
            grainLog: directory.appendingPathComponent("grains.csv"),
            visionFPS: 10, seed: seed, channels: 2, sound: sound)
        let report = try job.run()
        let movie = directory.appendingPathComponent("soundscape.mp4")
        try Muxer.replaceAudio(picture: input, audio: wav, output: movie)
        let spectrogram = directory.appendingPathComponent("spectrogram.png")
        try DemoMedia.drawSpectrogram(of: wav, to: spectrogram)

        print(
            String(
                format:
                    "demo done in %.0f s: a %.0f s soundscape from %d grains, drawn from %d corpus frames",
                Date().timeIntervalSince(started), report.summary.duration, report.summary.grains,
                corpus.frameCount))
        print("the input shows, \(Int(sceneSeconds)) s each:")
        for (index, scene) in storyboard.enumerated() {
            print(String(format: "  %3.0f s  %@", Double(index) * sceneSeconds, scene))
        }
        print("files in \(directory.path):")
        for (file, what) in [
            (movie, "the input's picture with the soundscape — watch this"),
            (wav, "the soundscape alone (32-bit float, stereo)"),
            (spectrogram, "its spectrogram: the sound changes where the scene does"),
            (
                directory.appendingPathComponent("grains.csv"),
                "every grain: output time, source, source time…"
            ),
            (corpusURL, "the corpus (scenophone info \(corpusURL.path))"),
            (input, "the input video"),
        ] {
            print("  \(file.lastPathComponent.padding(toLength: 17, withPad: " ", startingAt: 0)) \(what)")
        }
    }

    /// A progress line on stderr.
    private func say(_ text: String) {
        FileHandle.standardError.write(Data("demo: \(text)\n".utf8))
    }

    /// `count` items spread evenly over `items` (all of them if there are fewer).
    static func spread<T>(_ items: [T], count: Int) -> [T] {
        guard items.count > count else { return items }
        return (0..<count).map { items[$0 * (items.count - 1) / max(count - 1, 1)] }
    }

    /// The pairs with names made unique (a recording paired with two photos gets the photo's name too).
    static func uniqueNames(_ pairs: [MediaPairing.Pair]) -> [MediaPairing.Pair] {
        var seen = Set<String>()
        return pairs.map { pair in
            var pair = pair
            if !seen.insert(pair.name).inserted {
                pair.name += "-" + pair.picture.deletingPathExtension().lastPathComponent
                seen.insert(pair.name)
            }
            return pair
        }
    }
}
