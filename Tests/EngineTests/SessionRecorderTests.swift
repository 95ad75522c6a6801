import AudioOutput
import Corpus
import Engine
import Foundation
import MediaIO
import TestSupport
import Testing
import Vision

/// A session recorded from a live engine holds the soundscape, the grains, every parameter change
/// with its time, the camera as a video, and an MP4 whose audio is the soundscape sample for sample.
@Suite struct SessionRecorderTests {
    @Test func aSessionHoldsSoundGrainsParametersAndPicture() throws {
        let corpus = try SoundscapeCorpus.shared()
        let directory = try TemporaryDirectory("session-recorder")
        let opened = try Corpus.open(corpus.url)
        let side = opened.model.inputSize
        let sink = try PacedNullSink()
        let recorder = try SessionRecorder(
            directory: directory.file("recordings"), sampleRate: sink.format.sampleRate,
            channels: sink.format.channels, videoSide: side)
        let engine = try LiveEngine(
            corpus: opened, modelDirectory: Paths.modelDirectory, sink: sink,
            options: LiveOptions(seed: 7, taps: [recorder.ring]))
        recorder.attach(engine)
        try engine.start()
        let frames = try corpus.scenes.map { scene in
            LiveFrame(
                try VideoFrameReader.readStill(
                    Paths.media.appendingPathComponent(
                        SoundscapeCorpus.pairs.first { $0.name == scene.name }!.picture),
                    scaling: .exact(width: side, height: side)))
        }
        let session = try recorder.start()
        for second in 0..<4 {
            let frame = frames[second % frames.count]
            try engine.submit(frame)
            recorder.noteFrame(frame)
            // Changed on the engine, as OSC and the page do: the recorder hears of it from the engine.
            if second == 2 { try engine.update(SoundChange(["grainRate": 40])) }
            Thread.sleep(forTimeInterval: 1)
        }
        let finished = try #require(try recorder.stop())
        try engine.stop()
        try recorder.close()
        #expect(finished == session)

        let recorded = try RecordedSession(session)
        #expect(recorded.soundSeconds > 3.5 && recorded.soundSeconds < 5, "\(recorded.soundSeconds) s")
        #expect(recorded.soundscapePeak > 100, "the soundscape is silent")
        #expect(recorded.movieAudioEqualsSoundscape)
        #expect(recorded.movie.video?.codec == "h264" && recorded.movie.audio?.codec == "alac")
        #expect(abs((recorded.movie.duration ?? 0) - recorded.soundSeconds) < 0.2)
        // Ten pictures a second, as long as the sound.
        let pictures = Double(recorded.camera.video?.frameCount ?? 0)
        #expect(abs(pictures - recorded.soundSeconds * 10) <= 1, "\(pictures) pictures")
        // Grains from the first scene on, every one inside the session, about 100 a second.
        let times = recorded.grains.compactMap { Double($0[0]) }
        #expect(times.count == recorded.grains.count && times.count > 100, "\(times.count) grains")
        #expect(times.allSatisfy { $0 >= 0 && $0 <= recorded.soundSeconds }, "grain times out of the session")
        // The parameters at the start, and the grain-rate change two seconds in.
        #expect(recorded.parameterChanges.count == 2)
        let change = recorded.parameterChanges.last
        let rate =
            (change?["parameters"] as? [String: Any])?["grainRate"] as? Double
        #expect(rate == 40)
        let time = change?["time"] as? Double ?? -1
        #expect(time > 1.5 && time < 3.5, "change at \(time) s")
    }

    @Test func anUnwritableFolderIsNamed() throws {
        let directory = try TemporaryDirectory("session-recorder-bad")
        let blocker = directory.file("file")
        try Data("x".utf8).write(to: blocker)
        let error = #expect(throws: EngineError.self) {
            _ = try SessionRecorder(
                directory: blocker.appendingPathComponent("recordings"), sampleRate: 48_000, channels: 2,
                videoSide: 224)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains(blocker.path))
    }
}
