import AudioOutput
import Engine
import Foundation
import NIOCore
import TestSupport
import Testing
import WebUI

extension LiveServerTests {
    /// The page's view of the real live engine: controls reach the sound at once, the inside view
    /// describes what plays, and the sound outlives the camera.
    @Suite struct LiveEngineSceneTests {
        let corpus: SoundscapeCorpus

        init() throws {
            corpus = try SoundscapeCorpus.shared()
        }

        private func frame(ofScene index: Int, sequence: UInt32) -> CameraFrameMessage {
            let photo = corpus.scenes[index].photo
            return try! CameraFrameMessage(
                parsing: cameraFrame(
                    from: photo.pixels, width: photo.width, height: photo.height, sequence: sequence),
                side: 224)
        }

        /// Waits until the engine has analysed a frame with the given camera sequence number.
        private func waitForEcho(_ sequence: UInt32, in scene: LiveEngineScene) async throws -> SceneState {
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                let state = scene.snapshot()
                if state.frameSequence == sequence { return state }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw TestFailure("frame \(sequence) was never analysed")
        }

        @Test func theInsideViewDescribesTheSceneAndControlsApplyAtOnce() async throws {
            let (engine, _) = try LiveSoak.makeEngine(corpus: corpus.url)
            let scene = LiveEngineScene(engine: engine)
            try engine.start()
            defer { try? engine.stop() }
            #expect(scene.inputSide == 224)
            #expect(scene.overview.sources.map(\.name) == corpus.scenes.map(\.name))

            let boats = corpus.scenes.firstIndex { $0.name == "boats" }!
            scene.submit(frame(ofScene: boats, sequence: 41), arrival: MonotonicClock.now())
            let state = try await waitForEcho(41, in: scene)
            #expect(state.nearest.first?.source == boats)
            // A few sources: every one is a lane, in corpus order, and nothing is left to summarise.
            #expect(state.lanes.map(\.source) == Array(corpus.scenes.indices))
            let mass = state.lanes.map { $0.curve.reduce(0, +) }
            #expect(zip(mass, state.lanes.map(\.mass)).allSatisfy { abs($0 - $1) < 1e-5 })
            #expect(mass.firstIndex(of: mass.max()!) == boats, "p(t) mass per source: \(mass)")
            #expect(state.archive.count == corpus.scenes.count)
            #expect(abs(state.totalMass - 1) < 1e-3)
            #expect(state.labels.count == 5)
            #expect((state.visionMilliseconds ?? 0) > 0)

            // Controls as the page sends them; the mute keeps the source's volume for unmuting.
            let settings = try scene.apply(
                SoundChange(
                    [
                        "grainRate": 40, "grainMinMs": 30, "grainMaxMs": 80, "temperature": 0.5, "topK": 3,
                        "smoothing": 0.2, "gainDb": -3,
                    ],
                    sources: [.init(index: 0, volume: 0.25), .init(index: boats, muted: true)]))
            #expect(
                settings["grainRate"] == 40 && settings["grainMinMs"] == 30 && settings["grainMaxMs"] == 80)
            #expect(settings["temperature"] == 0.5 && settings["topK"] == 3 && settings["smoothing"] == 0.2)
            #expect(settings["gainDb"] == -3)
            #expect(settings.sources[0] == .init(volume: 0.25, muted: false))
            #expect(settings.sources[boats] == .init(volume: 1, muted: true))
            #expect(scene.parameters == settings)
            #expect(engine.sound.grainParameters.grainRate == 40 && engine.sound.distanceMapping.topK == 3)
            let volumes = engine.sound.grainParameters.sourceVolumes
            #expect(volumes[0] == 0.25 && volumes[boats] == 0)

            // The next audio blocks obey: no grain of the muted source, about 40 grains a second.
            _ = scene.snapshot()
            try await Task.sleep(for: .milliseconds(300))
            _ = scene.snapshot()
            try await Task.sleep(for: .seconds(1))
            let grains = scene.snapshot().grains
            #expect(!grains.contains { $0.source == boats })
            #expect((20...60).contains(grains.count), "\(grains.count) grains in a second at 40/s")

            let unmuted = try scene.apply(SoundChange(sources: [.init(index: boats, muted: false)]))
            #expect(unmuted.sources[boats] == .init(volume: 1, muted: false))
            #expect(engine.sound.grainParameters.sourceVolumes[boats] == 1)
        }

        /// The camera page closes: the listener keeps hearing the last scene, then, after the idle
        /// timeout, a fade to silence: the level falls through the fade's steps rather than being cut.
        @Test func whenTheCameraLeavesTheSoundGoesOnThenFades() async throws {
            let stream = SampleRing(capacity: 2 * 48_000 * 2)
            let parameters = LiveParameters(idleTimeout: 1.5, fadeOut: 0.4, fadeIn: 0.05)
            let (engine, sink) = try LiveSoak.makeEngine(
                corpus: corpus.url, parameters: parameters, options: LiveOptions(taps: [stream]))
            try engine.start()
            defer { try? engine.stop() }
            let rain = corpus.scenes.firstIndex { $0.name == "rain" }!
            let photo = corpus.scenes[rain].photo
            let message = cameraFrame(from: photo.pixels, width: photo.width, height: photo.height)

            let samples = try await withLiveServer(
                engine: LiveEngineScene(engine: engine), audioRing: stream
            ) { port, _ in
                let listener = try await connectedClient(port: port, listen: true)
                let camera = try await connectedClient(port: port, role: "camera")
                for _ in 0..<10 {
                    camera.send(binary: message)
                    try await Task.sleep(for: .milliseconds(100))
                }
                while engine.snapshot().framesAnalysed == 0 { try await Task.sleep(for: .milliseconds(20)) }
                _ = await camera.close()
                // From the camera's leaving: 3.5 s of the stream (idle after 1.5 s, 0.4 s of fade).
                while listener.pendingCount > 0, await listener.next(timeout: .zero) != nil {}
                var samples: [Float] = []
                while samples.count < 2 * 48_000 * 7 / 2,
                    var chunk = await listener.nextBinary(magic: "SCA1", timeout: .seconds(3))
                {
                    chunk.moveReaderIndex(forwardBy: AudioChunkMessage.headerSize)
                    while let value = chunk.readInteger(endianness: .little, as: Int16.self) {
                        samples.append(Float(value) / 32767)
                    }
                }
                _ = await listener.close()
                return samples
            }
            #expect(sink.underruns == 0)
            // RMS of each 10 ms (480 stereo frames).
            let window = 960
            let levels = stride(from: 0, to: samples.count - window + 1, by: window).map { start in
                (samples[start..<start + window].reduce(0) { $0 + $1 * $1 } / Float(window)).squareRoot()
            }
            #expect(levels.count >= 300, "only \(levels.count * 10) ms of audio came")
            // The first second after the camera left still plays the rain.
            let playing = levels.prefix(100)
            #expect(playing.allSatisfy { $0 > 1e-3 }, "the sound stopped with the camera")
            // It ends in silence…
            let silentFrom = try #require(
                levels.indices.first { index in levels[index...].allSatisfy { $0 == 0 } },
                "the sound never faded out")
            #expect(silentFrom >= 120, "faded after \(silentFrom * 10) ms, before the idle timeout")
            // …reached through the fade: the last 100 ms before silence are far below the playing level.
            let typical = playing.sorted()[playing.count / 2]
            let tail = levels[max(0, silentFrom - 10)..<silentFrom]
            #expect(tail.allSatisfy { $0 < typical * 0.5 }, "cut, not faded: \(Array(tail)) vs \(typical)")
        }
    }
}
