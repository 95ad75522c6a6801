import AudioOutput
import Foundation
import NIOCore
import Testing
import WebUI

extension LiveServerTests {
    @Suite struct LiveHubTests {
        @Test func welcomeDescribesTheServer() async throws {
            try await withLiveServer { port, _ in
                let client = TestWebSocket(port: port)
                client.send(json: ["type": "hello", "role": "viewer"])
                let welcome = try #require(await client.next(type: "welcome"))
                #expect(welcome["inputSide"] as? Int == 224)
                #expect(welcome["role"] as? String == "viewer")
                let overview = welcome["overview"] as? [String: Any]
                #expect((overview?["sources"] as? [Any])?.count == 2)
                #expect((welcome["parameters"] as? [String: Any])?["grainRate"] as? Double == 100)
                _ = await client.close()
            }
        }

        /// The welcome is a page's first message even while states flow to every greeted page: a
        /// state offered between greeting a client and queueing its welcome used to overtake it.
        @Test func theWelcomeComesBeforeAnyState() async throws {
            var configuration = LiveHubConfiguration()
            configuration.stateRate = 1000
            try await withLiveServer(hubConfiguration: configuration) { port, _ in
                for attempt in 0..<150 {
                    let client = TestWebSocket(port: port)
                    client.send(json: ["type": "hello", "role": "viewer"])
                    guard case .text(let first) = await client.next(timeout: .seconds(60)) else {
                        throw TestFailure("connection \(attempt): nothing arrived")
                    }
                    #expect(
                        first.contains(#""type":"welcome""#), "connection \(attempt): \(first.prefix(60))")
                    _ = await client.close()
                }
            }
        }

        @Test func cameraFramesReachTheEngineAndViewersSeeTheResult() async throws {
            let engine = ScriptedSceneEngine()
            try await withLiveServer(engine: engine) { port, hub in
                let camera = try await connectedClient(port: port, role: "camera")
                let viewer = try await connectedClient(port: port)
                camera.send(binary: cameraFrame(red: 7, sequence: 1))
                // The viewer's state names the nearest frame the engine derived from this frame (red 7).
                var nearestIndex: Int?
                for _ in 0..<40 where nearestIndex != 7 {
                    let state = await viewer.next(type: "state")
                    nearestIndex = ((state?["nearest"] as? [[String: Any]])?.first?["index"] as? Int)
                }
                #expect(nearestIndex == 7)
                // And the viewer gets the camera frame as a preview.
                let preview = try #require(await viewer.nextBinary(magic: "SCP1"))
                #expect(preview.readableBytes == CameraFrameMessage.headerSize + 224 * 224 * 3)
                #expect(engine.submittedFrames.count == 1)
                #expect(hub.framesReceived == 1)
                _ = await camera.close()
                _ = await viewer.close()
            }
        }

        @Test func anotherDeviceCanTakeTheCamera() async throws {
            try await withLiveServer { port, hub in
                let first = try await connectedClient(port: port, role: "camera")
                let second = try await connectedClient(port: port)
                second.send(json: ["type": "role", "role": "camera"])
                #expect(await second.next(type: "role")?["role"] as? String == "camera")
                #expect(await first.next(type: "role")?["role"] as? String == "viewer")
                // Frames from the former camera are ignored, with an error, and it stays connected.
                first.send(binary: cameraFrame())
                #expect(await first.next(type: "error")?["code"] as? String == "not-the-camera")
                #expect(hub.framesReceived == 0)
                second.send(binary: cameraFrame())
                #expect(await eventually { hub.framesReceived == 1 })
                #expect(await first.next(type: "state") != nil)
                _ = await first.close()
                _ = await second.close()
            }
        }

        @Test func parameterChangesReachTheEngineAndEveryPage() async throws {
            let engine = ScriptedSceneEngine()
            try await withLiveServer(engine: engine) { port, _ in
                let a = try await connectedClient(port: port)
                let b = try await connectedClient(port: port)
                a.send(json: [
                    "type": "parameters", "grainRate": 250, "sources": [["index": 1, "muted": true]],
                ])
                let seen = try #require(await b.next(type: "parameters"))
                #expect(seen["grainRate"] as? Double == 250)
                #expect(((seen["sources"] as? [[String: Any]])?[1]["muted"]) as? Bool == true)
                #expect(engine.appliedUpdates.count == 1)
                // A source the corpus does not have is a malformed message.
                a.send(json: ["type": "parameters", "sources": [["index": 9, "volume": 1]]])
                #expect(await a.next(type: "error")?["code"] as? String == "malformed")
                _ = await b.close()
            }
        }

        @Test func listenersReceiveTheAudioStream() async throws {
            let ring = SampleRing(capacity: 2 * 48_000 * 2)
            try await withLiveServer(audioRing: ring) { port, _ in
                let listener = try await connectedClient(port: port, listen: true)
                let deaf = try await connectedClient(port: port)
                // One second of a 440 Hz tone, written at the pace the audio thread would render it.
                let tone = (0..<48_000).flatMap { i -> [Float] in
                    let v = Float(sin(2 * Double.pi * 440 * Double(i) / 48_000)) * 0.5
                    return [v, v]
                }
                let writer = Task {
                    for start in stride(from: 0, to: tone.count, by: 1920) {
                        _ = tone[start..<min(start + 1920, tone.count)].withUnsafeBufferPointer {
                            ring.write($0)
                        }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                var frames = 0
                var sequences: [UInt32] = []
                while frames < 48_000,
                    var chunk = await listener.nextBinary(magic: "SCA1", timeout: .seconds(3))
                {
                    chunk.moveReaderIndex(forwardBy: 4)
                    sequences.append(chunk.readInteger(endianness: .little, as: UInt32.self)!)
                    #expect(chunk.readInteger(endianness: .little, as: UInt32.self) == 48_000)
                    #expect(chunk.readInteger(endianness: .little, as: UInt16.self) == 2)
                    frames += Int(chunk.readInteger(endianness: .little, as: UInt16.self)!)
                }
                try await writer.value
                #expect(frames == 48_000)
                #expect(sequences == Array(sequences.indices).map { UInt32($0) + sequences[0] })
                // A page that did not ask for sound gets none.
                #expect(await deaf.nextBinary(magic: "SCA1", timeout: .milliseconds(300)) == nil)
                _ = await listener.close()
                _ = await deaf.close()
            }
        }

        @Test func theCameraRoleIsFreedWhenTheCameraLeaves() async throws {
            try await withLiveServer { port, hub in
                let camera = try await connectedClient(port: port, role: "camera")
                camera.send(binary: cameraFrame())
                #expect(await eventually { hub.framesReceived == 1 })
                _ = await camera.close()
                #expect(await eventually { hub.clientCount == 0 })
                // Reconnecting resumes: the new connection gets the camera back at once.
                let again = try await connectedClient(port: port, role: "camera")
                again.send(binary: cameraFrame())
                #expect(await eventually { hub.framesReceived == 2 })
                _ = await again.close()
            }
        }

        @Test func thumbnailsAreServed() async throws {
            try await withLiveServer { port, _ in
                let ok = try await httpGet(port: port, path: "/corpus/frames/3.jpg")
                #expect(ok.status == 200)
                #expect(ok.headers["content-type"] == "image/jpeg")
                #expect(try await httpGet(port: port, path: "/corpus/frames/99.jpg").status == 404)
                #expect(try await httpGet(port: port, path: "/corpus/frames/abc.jpg").status == 404)
            }
        }

        @Test func thePageAndItsFilesAreServed() async throws {
            try await withLiveServer { port, _ in
                let page = try await httpGet(port: port, path: "/")
                #expect(page.status == 200)
                #expect(page.body.contains("<title>Scenophone</title>"))
                #expect(page.headers["content-security-policy"]?.contains("default-src 'self'") == true)
                for file in ["app.js", "app.css", "audio-worklet.js", "favicon.svg"] {
                    #expect(try await httpGet(port: port, path: "/\(file)").status == 200, "\(file)")
                }
                #expect(try await httpGet(port: port, path: "/../Package.swift").status == 404)
                #expect(try await httpGet(port: port, path: "/nothing.js").status == 404)
            }
        }
    }
}
