import Corpus
import Engine
import Foundation
import MediaIO
import NIOCore
import TestSupport
import Testing
import Vision
import WebUI

extension LiveServerTests {
    /// "Sounds like ▸ source" in `serve`: a `teach` message stores the current camera frame in the
    /// corpus as an example, the analysis uses it after the reload, and a client's bad requests
    /// store nothing and do not hurt the server.
    @Suite struct TeachMessageTests {
        @Test func aTeachMessageStoresTheCameraFrameAndTheAnalysisUsesIt() async throws {
            let shared = try SoundscapeCorpus.shared()
            let directory = try TemporaryDirectory()
            let url = directory.file("taught.scenophone")
            try FileManager.default.copyItem(at: shared.url, to: url)
            let (engine, sink) = try LiveSoak.makeEngine(corpus: url)
            let scene = LiveEngineScene(
                engine: engine,
                teaching: .init(
                    teacher: CameraFrameTeacher(corpus: url, modelDirectory: Paths.modelDirectory),
                    makeEngine: { corpus, parameters in
                        try LiveEngine(
                            corpus: corpus, modelDirectory: Paths.modelDirectory, sink: sink,
                            parameters: parameters)
                    }))
            try engine.start()
            defer { try? scene.engine.stop() }
            // The misty pier, held out of the corpus, is not heard as rain; it will be taught as rain.
            let pier = try VideoFrameReader.readStill(
                Paths.media.appendingPathComponent("images/plasma_ColdRipple.jpg"), scaling: .shortSide(256))
            let rain = try #require(shared.scenes.firstIndex { $0.name == "rain" })

            try await withLiveServer(engine: scene) { port, _ in
                let viewer = try await connectedClient(port: port)
                // Before any camera frame there is nothing to teach.
                viewer.send(json: ["type": "teach", "source": rain])
                let early = try #require(await viewer.next(type: "taught"))
                #expect(early["ok"] as? Bool == false)
                #expect((early["message"] as? String)?.contains("no camera frame") == true)

                let camera = try await connectedClient(port: port, role: "camera")
                var sequence: UInt32 = 0
                /// Sends the pier until a state shows it analysed; returns that state's nearest frames.
                func nearestForPier() async throws -> [[String: Any]] {
                    let deadline = ContinuousClock.now + .seconds(60)
                    while ContinuousClock.now < deadline {
                        sequence += 1
                        camera.send(
                            binary: cameraFrame(
                                from: pier.pixels, width: pier.width, height: pier.height, sequence: sequence)
                        )
                        try await Task.sleep(for: .milliseconds(150))
                        while let state = await viewer.next(type: "state", timeout: .milliseconds(100)) {
                            if state["frameSequence"] as? Int == Int(sequence),
                                let nearest = state["nearest"] as? [[String: Any]], !nearest.isEmpty
                            {
                                return nearest
                            }
                        }
                    }
                    throw TestFailure("the pier was never analysed")
                }
                let before = try await nearestForPier()
                #expect(
                    before.first?["source"] as? Int != rain, "the control: the pier already sounded like rain"
                )
                #expect(before.allSatisfy { $0["example"] as? Bool == false })

                let asked = ContinuousClock.now
                viewer.send(json: ["type": "teach", "source": rain])
                let taught = try #require(await viewer.next(type: "taught", timeout: .seconds(120)))
                // For docs/live.md: storing, embedding and the reload, as a page waits for them.
                print("teach → taught (store + reload): \(ContinuousClock.now - asked)")
                #expect(taught["ok"] as? Bool == true, "\(taught)")
                #expect(taught["sourceName"] as? String == "rain")
                #expect(await camera.next(type: "taught") != nil, "every page hears of it")

                // Stored in the corpus, atomically, as a camera frame standing for all of the rain.
                let stored = try Corpus.open(url)
                try #require(stored.examples.count == 1)
                let example = stored.examples[0]
                #expect(
                    example.source == rain && example.coversWholeSource && example.picture.role == "camera")
                #expect(
                    taught["example"] as? String == example.id && taught["frame"] as? Int == example.frame)
                #expect(taught["frameCount"] as? Int == stored.frameCount)

                // The reloaded analysis finds the taught frame nearest, marked as an example.
                let after = try await nearestForPier()
                #expect(after.first?["source"] as? Int == rain && after.first?["example"] as? Bool == true)
                #expect(after.first?["index"] as? Int == example.frame)
                #expect(scene.thumbnail(ofFrame: example.frame)?.starts(with: [0xFF, 0xD8]) == true)

                // A source that does not exist, or one that is not a number, closes that client only.
                for hostile in [#"{"type":"teach","source":99}"#, #"{"type":"teach","source":"rain"}"#] {
                    let client = try await connectedClient(port: port)
                    client.send(text: hostile)
                    let error = try #require(await client.next(type: "error"), "\(hostile)")
                    #expect((error["message"] as? String)?.contains("teach") == true, "\(error)")
                    #expect(await client.closed() != nil, "\(hostile) left the client connected")
                }
                #expect(await viewer.next(type: "state") != nil, "the server still serves")
            }
            #expect(try Corpus.open(url).examples.count == 1, "only the one request stored anything")
        }
    }
}
