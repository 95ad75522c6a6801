import Engine
import Foundation
import NIOCore
import Testing

@testable import WebUI

@Suite struct ProtocolTests {
    @Test func cameraFrameRoundTrips() throws {
        let pixels = (0..<(224 * 224 * 3)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let message = CameraFrameMessage(
            sequence: 42, width: 224, height: 224, captureTime: 1234.5, pixels: pixels)
        let parsed = try CameraFrameMessage(parsing: message.encoded(), side: 224)
        #expect(parsed.sequence == 42)
        #expect(parsed.captureTime == 1234.5)
        #expect(parsed.pixels == pixels)
    }

    @Test func cameraFrameOfTheWrongSizeIsRefused() {
        let small = CameraFrameMessage(
            sequence: 0, width: 100, height: 100, pixels: .init(repeating: 0, count: 30_000))
        #expect(throws: ProtocolViolation.wrongFrameSize("camera frames must be 224×224 RGB; got 100×100")) {
            try CameraFrameMessage(parsing: small.encoded(), side: 224)
        }
        // Right header, short payload (as if RGBA were cut short, or the client miscounted).
        var truncated = cameraFrame()
        truncated.moveWriterIndex(to: truncated.writerIndex - 1)
        #expect(throws: ProtocolViolation.self) { try CameraFrameMessage(parsing: truncated, side: 224) }
        do {
            _ = try CameraFrameMessage(parsing: truncated, side: 224)
        } catch {
            #expect(error.code == "wrong-frame-size")
        }
    }

    @Test func garbageBinaryIsMalformed() {
        for bytes: [UInt8] in [
            [], [1, 2, 3], Array(repeating: 0xFF, count: 200),
            Array("SCF2".utf8) + Array(repeating: 0, count: 40),
        ] {
            #expect(throws: ProtocolViolation.self) {
                try CameraFrameMessage(parsing: ByteBuffer(bytes: bytes), side: 224)
            }
        }
    }

    @Test func clientMessagesParse() throws {
        #expect(
            try ClientMessage.parse(#"{"type":"hello","role":"camera","listen":true}"#)
                == .hello(role: .camera, listen: true))
        #expect(
            try ClientMessage.parse(#"{"type":"hello","role":"viewer"}"#)
                == .hello(role: .viewer, listen: false))
        #expect(try ClientMessage.parse(#"{"type":"listen","on":false}"#) == .listen(false))
        #expect(try ClientMessage.parse(#"{"type":"role","role":"viewer"}"#) == .role(.viewer))
        let update = try ClientMessage.parse(
            #"{"type":"parameters","grainRate":200,"grainMinMs":20,"mapping":"softmax","sources":[{"index":1,"muted":true}]}"#
        )
        #expect(
            update
                == .parameters(
                    SoundChange(
                        ["grainRate": 200, "grainMinMs": 20, "mapping": 1],
                        sources: [.init(index: 1, muted: true)])))
        #expect(
            try ClientMessage.parse(#"{"type":"preset","action":"load","name":"drone"}"#)
                == .preset(.loadBuiltIn("drone")))
        #expect(try ClientMessage.parse(#"{"type":"preset","action":"reset"}"#) == .preset(.reset))
    }

    @Test(arguments: [
        "", "null", "[]", "{", "not json at all", #"{"role":"camera"}"#, #"{"type":42}"#,
        #"{"type":"dance"}"#,
        #"{"type":"hello"}"#, #"{"type":"hello","role":"director"}"#, #"{"type":"listen","on":"yes"}"#,
        #"{"type":"parameters","grainRate":-5}"#, #"{"type":"parameters","grainRate":1e308}"#,
        #"{"type":"parameters","grainRte":50}"#, #"{"type":"parameters","grainRate":true}"#,
        #"{"type":"parameters","topK":-1}"#, #"{"type":"parameters","topK":2.5}"#,
        #"{"type":"parameters","sources":[{"index":-1}]}"#,
        #"{"type":"parameters","sources":[{"index":0,"volume":9}]}"#,
        #"{"type":"parameters","sources":[{"index":0,"loud":true}]}"#,
        #"{"type":"parameters","gainDb":"loud"}"#, #"{"type":"parameters","mapping":"cubic"}"#,
        #"{"type":"preset","action":"dance"}"#, #"{"type":"preset","action":"save"}"#,
    ])
    func malformedClientMessagesAreRefused(text: String) {
        #expect(throws: ProtocolViolation.self) { try ClientMessage.parse(text) }
    }

    @Test func hugeTextIsRefusedBeforeParsing() {
        let text = #"{"type":"hello","role":"viewer","x":""# + String(repeating: "a", count: 20_000) + #""}"#
        #expect(throws: ProtocolViolation.self) { try ClientMessage.parse(text) }
    }

    @Test func serverMessagesCarryTheirType() throws {
        let state = ServerMessage.state(
            SceneState(frame: 3, nearest: [.init(index: 1, source: 0, time: 2, distance: 3)]),
            audience: .init(viewers: 2, listeners: 1)
        ).encoded()
        let object = try JSONSerialization.jsonObject(with: Data(buffer: state)) as! [String: Any]
        #expect(object["type"] as? String == "state")
        #expect(object["frame"] as? Int == 3)
        #expect((object["audience"] as? [String: Any])?["viewers"] as? Int == 2)
        let error = ServerMessage.error(code: "flood", message: "too fast").encoded()
        let errorObject = try JSONSerialization.jsonObject(with: Data(buffer: error)) as! [String: Any]
        #expect(errorObject["type"] as? String == "error")
        #expect(errorObject["code"] as? String == "flood")
    }

    @Test func audioChunksAreClipped16BitPCM() {
        let samples: [Float] = [0, 0.5, -0.5, 1, -1, 2, -3, .nan]
        let buffer = samples.withUnsafeBufferPointer {
            AudioChunkMessage.encode(sequence: 7, sampleRate: 48_000, channels: 2, samples: $0)
        }
        var reader = buffer
        #expect(reader.readString(length: 4) == "SCA1")
        #expect(reader.readInteger(endianness: .little, as: UInt32.self) == 7)
        #expect(reader.readInteger(endianness: .little, as: UInt32.self) == 48_000)
        #expect(reader.readInteger(endianness: .little, as: UInt16.self) == 2)
        #expect(reader.readInteger(endianness: .little, as: UInt16.self) == 4)
        let values = (0..<8).map { _ in reader.readInteger(endianness: .little, as: Int16.self)! }
        #expect(values == [0, 16384, -16384, 32767, -32767, 32767, -32767, 0])
    }

    @Test func rateLimiterAllowsBurstsAndRefusesFloods() {
        var limiter = FrameRateLimiter(rate: 30, burst: 30)
        var now: Int64 = 0
        // Ten frames a second for ten seconds: never refused.
        for _ in 0..<100 {
            let admitted = limiter.admit(at: now)
            #expect(admitted)
            now += 100_000_000
        }
        // A thousand frames a second: refused within the burst.
        var refused = false
        for _ in 0..<100 where !refused {
            refused = !limiter.admit(at: now)
            now += 1_000_000
        }
        #expect(refused)
    }
}
