import AudioOutput
import Foundation
import NIOCore
import NIOWebSocket
import Testing
import WebUI

extension LiveServerTests {
    /// Each hostile client is refused with an error while a well-behaved viewer keeps getting state and
    /// new clients can still connect.
    @Suite struct HostileClientTests {
        /// Checks that the server still serves: the bystander gets fresh state, and a newcomer is welcomed.
        private func expectStillServing(port: Int, bystander: TestWebSocket) async throws {
            _ = await drain(bystander)
            #expect(
                await bystander.next(type: "state", timeout: .seconds(10)) != nil,
                "the bystander stopped getting state")
            let newcomer = try await connectedClient(port: port)
            _ = await newcomer.close()
        }

        private func drain(_ client: TestWebSocket) async -> Int {
            var count = 0
            while client.pendingCount > 0, await client.next(timeout: .zero) != nil { count += 1 }
            return count
        }

        @Test(arguments: [
            "this is not json", #"{"type":"teleport"}"#, #"{"type":"parameters","grainRate":"fast"}"#,
            #"{"type":"parameters","grainRate":-1}"#,
        ])
        func malformedMessagesCloseTheConnection(text: String) async throws {
            try await withLiveServer { port, hub in
                let bystander = try await connectedClient(port: port)
                let hostile = try await connectedClient(port: port)
                hostile.send(text: text)
                #expect(await hostile.next(type: "error")?["code"] as? String == "malformed")
                let close = await hostile.closed()
                #expect(close?.closeCode == .dataInconsistentWithMessage)
                #expect(hub.rejections["malformed"] == 1)
                try await expectStillServing(port: port, bystander: bystander)
            }
        }

        @Test func aMessageBeforeHelloIsRefused() async throws {
            try await withLiveServer { port, _ in
                let hostile = TestWebSocket(port: port)
                hostile.send(json: ["type": "listen", "on": true])
                #expect(
                    await hostile.next(type: "error")?["message"] as? String
                        == "the first message must be \"hello\"")
                #expect(await hostile.closed() != nil)
            }
        }

        @Test func oversizedFramesAreRefusedBeforeTheyAreBuffered() async throws {
            try await withLiveServer { port, hub in
                let bystander = try await connectedClient(port: port)
                let hostile = try await connectedClient(port: port, role: "camera")
                // 4 MB claimed in one WebSocket frame: the server stops at the header.
                hostile.send(binary: ByteBuffer(repeating: 0x42, count: 4 << 20))
                let close = await hostile.closed()
                #expect(close?.closeCode == .messageTooLarge)
                #expect(hub.framesReceived == 0)
                try await expectStillServing(port: port, bystander: bystander)
            }
        }

        @Test func anOversizedMessageInFragmentsIsRefused() async throws {
            try await withLiveServer { port, hub in
                let bystander = try await connectedClient(port: port)
                let raw = try RawTCPClient(port: port)
                await raw.send(RawTCPClient.upgradeRequest())
                _ = await raw.readHead()
                // Fragments of 128 KiB each: each frame is allowed, their sum is not.
                let piece = [UInt8](repeating: 1, count: 128 * 1024)
                await raw.send(RawTCPClient.frame(opcode: 0x2, payload: piece, fin: false))
                await raw.send(RawTCPClient.frame(opcode: 0x0, payload: piece, fin: false))
                await raw.send(RawTCPClient.frame(opcode: 0x0, payload: piece, fin: true))
                let (bytes, closed) = await raw.readUntilClosed()
                #expect(closed)
                // The close frame: opcode 0x8, code 1009 (message too large).
                #expect(bytes.count >= 4 && bytes[0] == 0x88 && Int(bytes[2]) << 8 | Int(bytes[3]) == 1009)
                #expect(hub.framesReceived == 0)
                try await expectStillServing(port: port, bystander: bystander)
            }
        }

        // 448 would be 602 KB: larger than any message the server takes, covered by the oversize tests.
        @Test(arguments: [112, 225, 256])
        func framesOfTheWrongSizeAreRefused(side: Int) async throws {
            try await withLiveServer { port, hub in
                let bystander = try await connectedClient(port: port)
                let hostile = try await connectedClient(port: port, role: "camera")
                hostile.send(binary: cameraFrame(side: side))
                let error = try #require(await hostile.next(type: "error"))
                #expect(error["code"] as? String == "wrong-frame-size")
                #expect((error["message"] as? String)?.contains("224×224") == true)
                #expect(await hostile.closed()?.closeCode == .dataInconsistentWithMessage)
                #expect(hub.framesReceived == 0)
                try await expectStillServing(port: port, bystander: bystander)
            }
        }

        @Test func aFloodOfFramesIsCutOff() async throws {
            // A debug build unmasks a 150 KB frame slowly enough that a test client cannot outrun 30 fps;
            // a lower limit exercises the same mechanism.
            var configuration = LiveHubConfiguration()
            configuration.maximumFrameRate = 5
            try await withLiveServer(hubConfiguration: configuration) { port, hub in
                let bystander = try await connectedClient(port: port)
                let hostile = try await connectedClient(port: port, role: "camera")
                let frame = cameraFrame()
                for _ in 0..<60 { hostile.send(binary: frame) }
                #expect(await hostile.next(type: "error")?["code"] as? String == "flood")
                #expect(await hostile.closed()?.closeCode == .policyViolation)
                // The burst allowance (and what refilled while it arrived) passed through; the rest did not.
                #expect(hub.framesReceived >= 5 && hub.framesReceived < 30)
                #expect(hub.rejections["flood"] == 1)
                try await expectStillServing(port: port, bystander: bystander)
            }
        }

        @Test func aClientThatNeverReadsIsDisconnected() async throws {
            var configuration = LiveHubConfiguration()
            configuration.stallTimeout = .seconds(1)
            configuration.stateRate = 50
            let ring = SampleRing(capacity: 1 << 17)
            try await withLiveServer(hubConfiguration: configuration, audioRing: ring) { port, hub in
                let bystander = try await connectedClient(port: port)
                let camera = try await connectedClient(port: port, role: "camera")
                // The stalled client listens to audio and watches previews, and never reads a byte.
                let raw = try RawTCPClient(port: port, receiveBuffer: 4096)
                await raw.send(RawTCPClient.upgradeRequest())
                _ = await raw.readHead()
                await raw.send(
                    RawTCPClient.frame(
                        opcode: 0x1, payload: Array(#"{"type":"hello","role":"viewer","listen":true}"#.utf8)))
                let started = ContinuousClock.now
                let silence = [Float](repeating: 0.1, count: 1024)
                while hub.rejections["stalled"] == nil && ContinuousClock.now - started < .seconds(20) {
                    camera.send(binary: cameraFrame())
                    for _ in 0..<5 { _ = silence.withUnsafeBufferPointer { ring.write($0) } }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(hub.rejections["stalled"] == 1)
                #expect(await eventually { hub.clientCount == 2 })
                try await expectStillServing(port: port, bystander: bystander)
                _ = await camera.close()
            }
        }

        /// Bytes that are not HTTP, each a way a confused or hostile client might open.
        enum Garbage: String, CaseIterable, Sendable {
            case notHTTP, zeros, unknownVersion, noise

            var bytes: [UInt8] {
                switch self {
                case .notHTTP: Array("GARBAGE\r\n\r\n".utf8)
                case .zeros: [UInt8](repeating: 0, count: 5000)
                case .unknownVersion: Array("GET / HTTP/9.9\r\n\r\n".utf8)
                case .noise: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
                }
            }
        }

        @Test(arguments: Garbage.allCases)
        func garbageBytesAreRefused(garbage: Garbage) async throws {
            let bytes = garbage.bytes
            try await withLiveServer { port, _ in
                let bystander = try await connectedClient(port: port)
                let raw = try RawTCPClient(port: port)
                await raw.send(bytes)
                let (response, closed) = await raw.readUntilClosed()
                #expect(closed)
                let text = String(decoding: response, as: UTF8.self)
                #expect(text.isEmpty || text.hasPrefix("HTTP/1.1 4"))
                try await expectStillServing(port: port, bystander: bystander)
            }
        }

        @Test func garbageAfterTheUpgradeIsRefused() async throws {
            try await withLiveServer { port, _ in
                let bystander = try await connectedClient(port: port)
                let raw = try RawTCPClient(port: port)
                await raw.send(RawTCPClient.upgradeRequest())
                let handshake = await raw.readHead()
                #expect(handshake.hasPrefix("HTTP/1.1 101"))
                // Unmasked frames with a reserved opcode and reserved bits: not WebSocket.
                await raw.send([0xFF, 0x7F] + [UInt8](repeating: 0xEE, count: 300))
                #expect(await raw.readUntilClosed().closed)
                try await expectStillServing(port: port, bystander: bystander)
            }
        }

        @Test func aSilentConnectionIsClosed() async throws {
            try await withLiveServer(silenceTimeout: .seconds(3)) { port, _ in
                let bystander = try await connectedClient(port: port)
                let silent = try RawTCPClient(port: port)
                let started = ContinuousClock.now
                let (_, closed) = await silent.readUntilClosed(timeout: 10)
                let waited = ContinuousClock.now - started
                #expect(closed)
                #expect(waited > .seconds(2) && waited < .seconds(8))
                // The bystander answered the server's pings meanwhile, so it is still there.
                try await expectStillServing(port: port, bystander: bystander)
            }
        }

        @Test func abruptDisconnectsLeaveNoTrace() async throws {
            try await withLiveServer { port, hub in
                let bystander = try await connectedClient(port: port)
                for _ in 0..<5 {
                    let raw = try RawTCPClient(port: port)
                    await raw.send(RawTCPClient.upgradeRequest())
                    _ = await raw.readHead()
                    await raw.send(
                        RawTCPClient.frame(
                            opcode: 0x1, payload: Array(#"{"type":"hello","role":"camera"}"#.utf8)))
                    // Half a camera frame, then a reset.
                    let frame = Array(cameraFrame().readableBytesView)
                    let bytes = RawTCPClient.frame(opcode: 0x2, payload: frame)
                    await raw.send(Array(bytes[0..<(bytes.count / 2)]))
                    raw.reset()
                }
                let deadline = ContinuousClock.now + .seconds(3)
                while hub.clientCount > 1 && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(hub.clientCount == 1)
                #expect(hub.framesReceived == 0)
                try await expectStillServing(port: port, bystander: bystander)
            }
        }
    }
}
