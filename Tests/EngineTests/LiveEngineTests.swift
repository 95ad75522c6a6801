import AudioOutput
import Engine
import Foundation
import MediaIO
import Synchronization
import Synth
import TestSupport
import Testing

/// The live engine with real parts: the model, a corpus from `../shared/media`, the paced sink.
/// One engine at a time: each runs a vision thread and a real-time audio thread, and eight at once
/// would starve the rest of the suite on two cores.
@Suite(.serialized) struct LiveEngineTests {
    let corpus: SoundscapeCorpus

    init() throws {
        corpus = try SoundscapeCorpus.shared()
    }

    /// Submits `photo` ten times a second for `seconds`, then waits until the last one is analysed
    /// (the vision loop can be slow when the whole suite runs at once).
    private func show(_ photo: RGBFrame, to engine: LiveEngine, for seconds: Double) throws {
        let end = Date().addingTimeInterval(seconds)
        var last: UInt64 = 0
        while Date() < end {
            last = try engine.submit(photo)
            Thread.sleep(forTimeInterval: 0.1)
        }
        let deadline = Date().addingTimeInterval(20)
        while engine.snapshot(grainsAfter: .max).frameID < last && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    private func source(named name: String) -> Int {
        corpus.scenes.firstIndex { $0.name == name }!
    }

    @Test func theSoundFollowsTheScene() throws {
        let (engine, _) = try LiveSoak.makeEngine(corpus: corpus.url)
        try engine.start()
        defer { try? engine.stop() }
        var cursor: UInt64 = 0
        for scene in [corpus.scenes[2], corpus.scenes[0]] {
            try show(scene.photo, to: engine, for: 1.0)
            // Grains of the last half second, once the scene has settled.
            _ = engine.snapshot(grainsAfter: cursor)
            cursor = engine.snapshot(grainsAfter: .max).grainCursor
            try show(scene.photo, to: engine, for: 0.5)
            let snapshot = engine.snapshot(grainsAfter: cursor)
            cursor = snapshot.grainCursor
            let index = source(named: scene.name)
            #expect(snapshot.nearest.first?.source == index, "\(scene.name): \(snapshot.nearest)")
            #expect(snapshot.nearest.first?.sourceName == scene.name)
            let own = snapshot.grains.filter { $0.source == index }.count
            #expect(snapshot.grains.count > 20, "\(scene.name): \(snapshot.grains.count) grains in 0.5 s")
            #expect(
                Double(own) >= 0.8 * Double(snapshot.grains.count),
                "\(scene.name): \(own)/\(snapshot.grains.count)")
            let mass = snapshot.curves[index].probability.reduce(0, +)
            #expect(mass > 0.8, "\(scene.name): p(t) mass \(mass)")
            #expect(snapshot.labels.count == 5)
            #expect((snapshot.visionSeconds ?? 0) > 0)
            #expect(snapshot.peak > 0.01 && snapshot.state == .playing)
            #expect(
                snapshot.grains.allSatisfy { $0.frameID > 0 && $0.duration >= 0.05 && $0.duration <= 0.1 })
        }
        // The change of photo was a cut: the evidence restarted there, and the snapshot says when.
        let snapshot = engine.snapshot()
        #expect(snapshot.lastCutFrameID != nil && (snapshot.secondsSinceCut ?? 0) >= 0.5)
    }

    @Test func latestFrameWinsAndStaleFramesAreNeverQueued() throws {
        let (engine, _) = try LiveSoak.makeEngine(corpus: corpus.url)
        try engine.start()
        defer { try? engine.stop() }
        var last: UInt64 = 0
        for index in 0..<200 { last = try engine.submit(corpus.scenes[index % 4].photo) }
        // The loop takes about one frame per analysis: most of the burst is replaced, never queued.
        let deadline = Date().addingTimeInterval(10)
        while engine.snapshot().frameID != last && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        let snapshot = engine.snapshot()
        #expect(snapshot.frameID == last)
        #expect(snapshot.framesSubmitted == 200)
        #expect(snapshot.framesAnalysed + UInt64(snapshot.framesReplaced) == 200)
        #expect(snapshot.framesAnalysed < 50, "analysed \(snapshot.framesAnalysed) of a burst of 200")
    }

    @Test func malformedFramesAreRejectedWithoutReachingTheLoop() throws {
        let (engine, _) = try LiveSoak.makeEngine(corpus: corpus.url)
        let cases: [(LiveFrame, String)] = [
            (LiveFrame(pixels: [], width: 0, height: 10), "0×10 pixels"),
            (
                LiveFrame(pixels: [1, 2, 3], width: 2, height: 2),
                "3 bytes for a 2×2 rgb picture, which needs 12"
            ),
            (LiveFrame(pixels: [], width: 5000, height: 10, layout: .rgba), "outside 1…4096"),
        ]
        for (frame, message) in cases {
            #expect {
                try engine.submit(frame)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
        #expect(engine.snapshot().framesSubmitted == 0)
    }

    @Test func rgbaFramesFromABrowserCanvasWork() throws {
        let (engine, _) = try LiveSoak.makeEngine(corpus: corpus.url)
        try engine.start()
        defer { try? engine.stop() }
        let photo = corpus.scenes[1].photo
        var rgba = [UInt8](repeating: 255, count: photo.width * photo.height * 4)
        for pixel in 0..<(photo.width * photo.height) {
            for channel in 0..<3 { rgba[pixel * 4 + channel] = photo.pixels[pixel * 3 + channel] }
        }
        let id = try engine.submit(
            LiveFrame(pixels: rgba, width: photo.width, height: photo.height, layout: .rgba))
        let deadline = Date().addingTimeInterval(10)
        while engine.snapshot().frameID != id && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(engine.snapshot().nearest.first?.sourceName == corpus.scenes[1].name)
    }

    @Test func fadesOutWhenFramesStopAndBackInWhenTheyReturn() throws {
        let tap = SampleRing(capacity: 48_000 * 2 * 30)
        let parameters = LiveParameters(idleTimeout: 0.3, fadeOut: 0.2, fadeIn: 0.05)
        let (engine, _) = try LiveSoak.makeEngine(
            corpus: corpus.url, parameters: parameters, options: LiveOptions(taps: [tap]))
        try engine.start()
        defer { try? engine.stop() }
        try show(corpus.scenes[0].photo, to: engine, for: 0.6)
        #expect(engine.snapshot().state == .playing)
        // Frames stop: the engine turns idle after the timeout and fades to silence.
        let deadline = Date().addingTimeInterval(10)
        while engine.snapshot().state != .idle && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(engine.snapshot().state == .idle)
        Thread.sleep(forTimeInterval: 0.2 + 0.1)
        _ = drain(tap)
        Thread.sleep(forTimeInterval: 0.2)
        let quiet = drain(tap)
        #expect(quiet.count > 48_000 * 2 / 10 && quiet.allSatisfy { $0 == 0 })
        // Frames return: the sound comes back (the ramp itself is checked in LivePartsTests).
        try show(corpus.scenes[0].photo, to: engine, for: 0.5)
        // The audio thread turns to playing at its next block after the frame's p(t), which a
        // loaded machine may delay: wait for it (bounded) rather than assume a moment.
        var snapshot = engine.snapshot()
        let back = Date().addingTimeInterval(5)
        while !(snapshot.state == .playing && snapshot.rms > 0.001) && Date() < back {
            Thread.sleep(forTimeInterval: 0.02)
            snapshot = engine.snapshot()
        }
        #expect(snapshot.state == .playing && snapshot.rms > 0.001)
        #expect(drain(tap).contains { $0 != 0 })
    }

    @Test func changedParametersApplyAtOnceWithoutANewFrame() throws {
        let (engine, _) = try LiveSoak.makeEngine(
            corpus: corpus.url, parameters: LiveParameters(idleTimeout: nil))
        try engine.start()
        defer { try? engine.stop() }
        let scene = corpus.scenes[3]
        try show(scene.photo, to: engine, for: 0.5)
        // Frames stop; mute the scene's own source: its grains and its p(t) must go at once.
        let muted = source(named: scene.name)
        try engine.update(SoundChange(sources: [.init(index: muted, muted: true)]))
        // The synth silences the source from its next block; p(t) is re-mapped as soon as the vision
        // loop is free (it may be finishing the last frame).
        let deadline = Date().addingTimeInterval(5)
        while engine.snapshot().curves[muted].probability.contains(where: { $0 != 0 }) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(engine.snapshot().curves[muted].probability.allSatisfy { $0 == 0 })
        let cursor = engine.snapshot(grainsAfter: .max).grainCursor
        Thread.sleep(forTimeInterval: 0.5)
        let snapshot = engine.snapshot(grainsAfter: cursor)
        #expect(snapshot.grains.count > 20)
        #expect(!snapshot.grains.contains { $0.source == muted })
        #expect(engine.sound.sources[muted] == .init(volume: 1, muted: true))
        // A bad value is refused, naming the key, and changes nothing.
        #expect(
            throws: SoundModelError.outOfRange(parameter: "grainRate", value: -1, description: "1…1000 /s")
        ) {
            try engine.update(SoundChange(["grainRate": -1]))
        }
        #expect(engine.sound["grainRate"] == 100)
        // A parameter fixed at start is refused while playing.
        #expect(throws: SoundModelError.fixedWhilePlaying("maxVoices")) {
            try engine.update(SoundChange(["maxVoices": 16]))
        }
    }

    /// A grain parameter goes to the synth alone: no distance pass, p(t) exactly as it was. A
    /// mapping parameter re-maps the last distances: a new pass, a different p(t).
    @Test func aGrainChangeKeepsPOfTAndAMappingChangeRemapsIt() throws {
        let (engine, _) = try LiveSoak.makeEngine(
            corpus: corpus.url, parameters: LiveParameters(idleTimeout: nil))
        try engine.start()
        defer { try? engine.stop() }
        try show(corpus.scenes[2].photo, to: engine, for: 0.5)
        // Let the vision loop finish the last frame and its smoothing settle into one published p(t).
        var passes = engine.distancePassCount
        var curves = engine.snapshot().curves
        for _ in 0..<50 {
            Thread.sleep(forTimeInterval: 0.1)
            let now = (engine.distancePassCount, engine.snapshot().curves)
            if now.0 == passes && now.1 == curves { break }
            (passes, curves) = now
        }

        for change in [
            SoundChange(["grainRate": 20]), SoundChange(["gainDb": -12]), SoundChange(["spread": 0.2]),
        ] {
            try engine.update(change)
            Thread.sleep(forTimeInterval: 0.3)
            #expect(engine.distancePassCount == passes, "a grain change ran a distance pass: \(change)")
            #expect(engine.snapshot().curves == curves, "a grain change moved p(t): \(change)")
        }
        #expect(engine.sound.grainParameters.grainRate == 20)

        try engine.update(SoundChange(["temperature": 3, "plateau": 1]))
        let deadline = Date().addingTimeInterval(5)
        while engine.snapshot().curves == curves && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(engine.distancePassCount > passes)
        #expect(engine.snapshot().curves != curves)
    }

    @Test func latencyStampsFollowEachFrameToItsFirstGrain() throws {
        let (engine, _) = try LiveSoak.makeEngine(corpus: corpus.url)
        try engine.start()
        defer { try? engine.stop() }
        // One frame at a time, each once the previous one has been analysed and has had a grain.
        var ids: [UInt64] = []
        for round in 0..<8 {
            let id = try engine.submit(corpus.scenes[round % 4].photo)
            ids.append(id)
            let deadline = Date().addingTimeInterval(10)
            while engine.snapshot().frameID != id && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let stamps = engine.takeLatencyStamps()
        #expect(stamps.map(\.frameID) == ids)
        for stamp in stamps {
            #expect(stamp.analysisStart >= stamp.arrival && stamp.published >= stamp.analysisStart)
            #expect(stamp.firstGrainRendered > stamp.arrival && stamp.toFirstGrain < 1)
            #expect(stamp.firstGrainAudible >= stamp.firstGrainRendered)
        }
        #expect(engine.takeLatencyStamps().isEmpty)
    }

    @Test func recordsTheSessionToAWAVFile() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("session.wav")
        let (engine, _) = try LiveSoak.makeEngine(corpus: corpus.url, options: LiveOptions(recording: url))
        try engine.start()
        try show(corpus.scenes[2].photo, to: engine, for: 1.0)
        #expect(!FileManager.default.fileExists(atPath: url.path))
        try engine.stop()
        let clip = try WAVReader.read(url)
        #expect(clip.channels == 2 && clip.sampleRate == 48_000)
        let seconds = Double(clip.samples.count / 2) / 48_000
        #expect(seconds > 0.9 && seconds < 2, "\(seconds) s recorded")
        #expect(clip.samples.contains { abs($0) > 0.01 })
        #expect(clip.samples.allSatisfy { abs($0) <= 1 })
        #expect(engine.recordingDroppedSamples == 0)
    }

    /// Everything in the ring so far.
    private func drain(_ ring: SampleRing) -> [Float] {
        var samples = [Float](repeating: 0, count: ring.available)
        let count = samples.withUnsafeMutableBufferPointer { ring.read(into: $0) }
        return Array(samples.prefix(count))
    }
}
