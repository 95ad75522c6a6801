import Corpus
import Foundation
import MediaIO
import TestSupport
import Testing
import Vision

/// Indexing real media with the real network and ffmpeg.
@Suite(.serialized) struct CorpusIndexingTests {
    private let network: EfficientNetLite

    init() throws {
        network = try EfficientNetLite(files: ModelFiles.locate(directory: Paths.modelDirectory))
    }

    private func index(_ inputs: [SourceInput], into url: URL, options: SourceIndexer.Options = .init())
        throws
        -> Corpus
    {
        let indexer = SourceIndexer(network: network, options: options)
        let writer = try CorpusWriter.create(at: url, model: indexer.model)
        for input in inputs { try writer.add(indexer.plan(input), using: indexer) }
        try writer.commit()
        return try Corpus.open(url, expecting: network.identity, verification: .full)
    }

    /// The stored sound and the frame times share one timeline: the clicks on whole seconds are
    /// at whole seconds of the stored audio, and frame k shows the picture of second k.
    @Test func framesAndSoundAreAligned() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("counting.mkv")
        try MediaFixtures.makeCountingClip(at: clip, seconds: 6, fps: 30, width: 320, height: 180)
        let corpus = try index([SourceInput(picture: clip)], into: directory.file("c.scenophone"))
        let source = corpus.sources[0]
        #expect(source.name == "counting" && source.kind == .video && source.framesPerSecond == 1)
        #expect(corpus.frames.map(\.time) == [0, 1, 2, 3, 4, 5])
        #expect(corpus.frames.map(\.audioSpan.lowerBound) == [0, 0.5, 1.5, 2.5, 3.5, 4.5])
        #expect(corpus.frames.last?.audioSpan.upperBound == source.duration)
        #expect(abs(source.duration - 6) < 0.05)
        #expect(source.channels == 2 && source.sampleRate == 48_000)
        let samples = Array(source.audio)
        let clicks = MediaFixtures.onsets(samples, channels: 2)
        #expect(clicks.count == 6)
        for (second, onset) in clicks.enumerated() { #expect(abs(onset - second * 48_000) <= 2) }
        #expect(
            MediaFixtures.onsets(samples, channels: 2, channel: 1, threshold: -0.4, falling: true) == clicks)
        // The thumbnails are the frames' pictures.
        for frame in 0..<corpus.frameCount {
            let jpeg = directory.file("thumb\(frame).jpg")
            try Data(corpus.thumbnailJPEG(ofFrame: frame)).write(to: jpeg)
            let picture = try VideoFrameReader.readStill(jpeg)
            #expect(picture.width == 160 && picture.height == 90)
            #expect(MediaFixtures.frameNumber(pixels: picture.pixels, width: 160, height: 90) == 30 * frame)
        }
    }

    /// Decoding a moment of the film again and embedding it finds the corpus frame of that moment
    /// first, at distance 0.
    @Test func aFrameOfTheCorpusFindsItselfAtDistanceZero() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("battle.mp4")
        let cut = try run(
            "ffmpeg",
            [
                "-v", "error", "-ss", "20", "-t", "8", "-i",
                Paths.media.appendingPathComponent("video/tears_of_steel_battle.webm").path,
                "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", clip.path,
            ])
        try #require(cut.status == 0, "\(cut.standardError)")
        let corpus = try index([SourceInput(picture: clip)], into: directory.file("c.scenophone"))
        #expect(corpus.frameCount == 8)
        let search = NearestFrameSearch(corpus: corpus)
        for frame in [0, 3, 7] {
            let time = corpus.frames[frame].time
            let reader = try VideoFrameReader(
                url: clip, fps: 1, scaling: SourceIndexer.embeddingScaling(inputSize: network.inputSize),
                startTime: time,
                duration: 0.5)
            let picture = try #require(try reader.next())
            let embedding = try network.embed(
                rgb: picture.pixels, width: picture.width, height: picture.height)
            let nearest = search.nearest(to: embedding, count: 2)
            #expect(nearest[0].frame == frame, "frame at \(time) s")
            #expect(nearest[0].distance < 1e-3, "frame at \(time) s")
            #expect(nearest[1].distance > 1)
        }
    }

    @Test func aPhotoStandsForItsWholeRecording() throws {
        let directory = try TemporaryDirectory()
        let photo = Paths.media.appendingPathComponent("images/mate_Storm.jpg")
        let recording = Paths.media.appendingPathComponent("audio/max_thunder.wav")
        let corpus = try index(
            [SourceInput(name: "storm", picture: photo, sound: recording)],
            into: directory.file("c.scenophone"))
        let source = corpus.sources[0]
        let probed = try #require(try MediaProbe.probe(recording).duration)
        #expect(source.kind == .still && source.name == "storm" && corpus.frameCount == 1)
        #expect(abs(source.duration - probed) < 0.001)
        #expect(corpus.frames[0].audioSpan == 0..<source.duration)
        #expect(source.inputs.map(\.role) == ["picture", "sound"])
        #expect(source.audio.contains { abs($0) > 0.1 })
        // What the network sees in a storm photo is not what it sees in a coffee cup.
        let cup = try VideoFrameReader.readStill(
            Paths.media.appendingPathComponent("images/skimage_coffee.png"),
            scaling: SourceIndexer.embeddingScaling(inputSize: network.inputSize))
        let cupEmbedding = try network.embed(rgb: cup.pixels, width: cup.width, height: cup.height)
        #expect(NearestFrameSearch(corpus: corpus).nearest(to: cupEmbedding, count: 1)[0].distance > 5)
    }

    @Test func badInputsAreRefusedBeforeAnyWork() throws {
        let indexer = SourceIndexer(network: network)
        let audioOnly = Paths.media.appendingPathComponent("audio/blanket_wind.ogg")
        let photo = Paths.media.appendingPathComponent("images/mate_Dune.jpg")
        let audioError = try #require(throws: CorpusError.self) {
            try indexer.plan(SourceInput(picture: audioOnly))
        }
        #expect("\(audioError)".contains("blanket_wind.ogg") && "\(audioError)".contains("audio only"))
        let photoError = try #require(throws: CorpusError.self) {
            try indexer.plan(SourceInput(picture: photo))
        }
        #expect("\(photoError)".contains("mate_Dune.jpg") && "\(photoError)".contains("still image"))
        let silentPair = try #require(throws: CorpusError.self) {
            try indexer.plan(SourceInput(picture: photo, sound: photo))
        }
        #expect("\(silentPair)".contains("no audio track"))
    }
}
