import AudioOutput
import Engine
import Foundation
import Synchronization
import TestSupport
import Testing
import WebUI

extension LiveServerTests {
    /// The audio never starves while the web UI works hard.
    @Suite struct LoadTests {
        /// One minute on a paced null sink with the vision loop at full speed (frames handed to the
        /// engine the moment it takes the last, as in the engine's own soak) and the web UI busy: a
        /// camera client streaming at the page's 10 frames a second and twenty viewers (five of them
        /// listening). The sink counts zero underruns and the audio thread zero allocations, and every
        /// viewer keeps getting state. The length follows `SCENOPHONE_SOAK_SECONDS` (60 by default).
        @Test func twentyViewersAndACameraAtFullSpeedNeverStarveTheAudio() async throws {
            let seconds = LiveSoak.seconds(default: 60)
            let corpus = try SoundscapeCorpus.shared()
            let stream = SampleRing(capacity: 2 * 48_000 * 2)
            let (engine, sink) = try LiveSoak.makeEngine(
                corpus: corpus.url, options: LiveOptions(taps: [stream]))
            var configuration = LiveHubConfiguration()
            configuration.serverOutput = "browser"
            try engine.start()
            defer { try? engine.stop() }
            let frames = corpus.scenes.map { scene in
                cameraFrame(from: scene.photo.pixels, width: scene.photo.width, height: scene.photo.height)
            }

            let outcome = try await withLiveServer(
                engine: LiveEngineScene(engine: engine), hubConfiguration: configuration, audioRing: stream
            ) { port, hub in
                var viewers: [TestWebSocket] = []
                for index in 0..<20 {
                    let viewer = try await connectedClient(port: port, listen: index < 5)
                    viewer.startCounting()
                    viewers.append(viewer)
                }
                let camera = try await PremaskedCamera(port: port, messages: frames)
                let sending = Task {
                    var sequence = 0
                    while !Task.isCancelled {
                        await camera.send(sequence / 10)
                        sequence += 1
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                }
                let feeder = FlatOutFeeder(engine: engine, frames: corpus.scenes.map { LiveFrame($0.photo) })
                let replacedBefore = engine.snapshot(grainsAfter: .max).framesReplaced
                let started = ContinuousClock.now
                let report = await Self.measureOffThePool(engine: engine, sink: sink, seconds: seconds)
                sending.cancel()
                feeder.stop()
                let replaced = engine.snapshot(grainsAfter: .max).framesReplaced - replacedBefore
                let tallies = viewers.map(\.tally)
                for (index, tally) in tallies.enumerated() where tally.longestGap > .seconds(1) {
                    print(
                        "viewer \(index): gap \(tally.longestGap) ending at +\(tally.longestGapEnded.map { $0 - started } ?? .zero)"
                    )
                }
                camera.close()
                for viewer in viewers { _ = await viewer.close() }
                return (report, replaced, tallies, hub.rejections, hub.framesReceived)
            }
            let (report, replaced, tallies, rejections, cameraFrames) = outcome
            print("load: \(report); \(replaced) frames replaced while waiting (latest wins)")
            print(
                "viewers: states \(tallies.map(\.states).min() ?? 0)–\(tallies.map(\.states).max() ?? 0) each, "
                    + "longest gap \(tallies.map(\.longestGap).max() ?? .zero), binaries "
                    + "\(tallies.map(\.binaries).min() ?? 0)–\(tallies.map(\.binaries).max() ?? 0)")
            #expect(report.underruns == 0, "\(report)")
            #expect(report.allocations == 0, "\(report)")
            // The vision loop was never idle: frames kept arriving while it worked.
            #expect(report.framesAnalysed > 0)
            #expect(replaced > 0, "frames never waited for the vision loop")
            #expect(rejections.isEmpty, "clients were refused: \(rejections)")
            // The camera's frames kept reaching the engine. (A debug build unmasks a 150 KB message
            // byte by byte: with the whole suite running it takes in fewer than the page's 10 a second.)
            #expect(Double(cameraFrames) > seconds, "\(cameraFrames) camera frames in \(seconds) s")
            // Every viewer kept getting state (15 a second are sent; a slow viewer may skip some).
            for (index, tally) in tallies.enumerated() {
                #expect(Double(tally.states) > seconds * 5, "viewer \(index) got \(tally.states) states")
                #expect(
                    tally.longestGap < .seconds(3), "viewer \(index) waited \(tally.longestGap) for state")
                #expect(tally.binaries > 0, "viewer \(index) got no camera preview or audio")
            }
        }

        /// Hands the engine a new frame the moment its vision loop takes the previous one.
        final class FlatOutFeeder: Sendable {
            private let state = FeederState()
            private let done = DispatchSemaphore(value: 0)

            private final class FeederState: Sendable {
                let running = Atomic<Bool>(true)
            }

            init(engine: LiveEngine, frames: [LiveFrame]) {
                Thread { [state, done] in
                    var next = 0
                    while state.running.load(ordering: .relaxed) {
                        if engine.isFrameWaiting {
                            usleep(500)
                            continue
                        }
                        _ = try? engine.submit(frames[next % frames.count])
                        next += 1
                    }
                    done.signal()
                }.start()
            }

            func stop() {
                state.running.store(false, ordering: .relaxed)
                done.wait()
            }
        }

        /// `LiveSoak.measure` sleeps for the whole soak; a pool thread cannot be spared for that.
        private static func measureOffThePool(
            engine: LiveEngine, sink: AllocationCountingSink, seconds: Double
        ) async -> LiveSoak.Report {
            await withCheckedContinuation { continuation in
                Thread {
                    continuation.resume(
                        returning: LiveSoak.measure(engine: engine, sink: sink, seconds: seconds))
                }
                .start()
            }
        }
    }
}
