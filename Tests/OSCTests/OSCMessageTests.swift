import Foundation
import OSC
import TestSupport
import Testing

/// The OSC codec, against python-osc (a peer we did not write) and against garbage.
struct OSCMessageTests {
    @Test func decodesWhatPythonOSCEncodes() throws {
        let script = """
            from pythonosc.osc_message_builder import OscMessageBuilder as M
            from pythonosc.osc_bundle_builder import OscBundleBuilder as B, IMMEDIATELY
            m = M('/scenophone/sound/grainRate'); m.add_arg(20.5); print(m.build().dgram.hex())
            m = M('/a'); [m.add_arg(a) for a in (7, 'café', True, False, b'\\x01\\x02\\x03')]
            m.add_arg(2.5, 'd'); m.add_arg(1 << 40, 'h'); print(m.build().dgram.hex())
            b = B(IMMEDIATELY); b.add_content(M('/x').build())
            inner = B(IMMEDIATELY); m = M('/y'); m.add_arg('z'); inner.add_content(m.build()); b.add_content(inner.build())
            print(b.build().dgram.hex())
            """
        let result = try PythonOSC.run(script)
        try #require(result.status == 0, "\(result.standardError)")
        let packets = result.standardOutput.split(separator: "\n").map { Self.bytes(hex: String($0)) }
        try #require(packets.count == 3)
        #expect(
            try OSCMessage.decodePacket(packets[0]) == [
                OSCMessage("/scenophone/sound/grainRate", [.float32(20.5)])
            ])
        #expect(
            try OSCMessage.decodePacket(packets[1]) == [
                OSCMessage(
                    "/a",
                    [
                        .int32(7), .string("café"), .bool(true), .bool(false), .blob([1, 2, 3]),
                        .float64(2.5), .int64(1 << 40),
                    ])
            ])
        #expect(
            try OSCMessage.decodePacket(packets[2]) == [OSCMessage("/x"), OSCMessage("/y", [.string("z")])])
    }

    @Test func pythonOSCDecodesWhatWeEncode() throws {
        let message = OSCMessage(
            "/scenophone/sources",
            [
                .string("rain"), .float32(0.75), .int32(-3), .blob([9, 8, 7, 6, 5]), .float64(1e-3),
                .bool(true), .string(""),
            ])
        let hex = message.encoded().map { String(format: "%02x", $0) }.joined()
        let script = """
            import sys, json
            from pythonosc.osc_message import OscMessage
            m = OscMessage(bytes.fromhex(sys.argv[1]))
            print(json.dumps([m.address, [a.hex() if isinstance(a, bytes) else a for a in m.params]]))
            """
        let result = try PythonOSC.run(script, [hex])
        try #require(result.status == 0, "\(result.standardError)")
        let decoded = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [Any])
        #expect(decoded[0] as? String == "/scenophone/sources")
        let arguments = try #require(decoded[1] as? [Any])
        #expect(arguments[0] as? String == "rain")
        #expect(arguments[1] as? Double == 0.75)
        #expect(arguments[2] as? Int == -3)
        #expect(arguments[3] as? String == "0908070605")
        #expect(arguments[4] as? Double == 1e-3)
        #expect(arguments[5] as? Bool == true)
        #expect(arguments[6] as? String == "")
    }

    /// Every prefix of a valid packet is refused (but the bare address, which is a message), and
    /// random bytes are refused or decoded: never a crash, never a read past the end.
    @Test func truncatedAndRandomPacketsAreRefusedCleanly() {
        let valid = OSCMessage(
            "/scenophone/sound/temperature", [.float32(0.5), .string("x"), .blob([1, 2])]
        ).encoded()
        // The address alone, without type tags, is a valid message (old senders omit them).
        let addressOnly = ("/scenophone/sound/temperature".utf8.count + 4) & ~3
        for length in 0..<valid.count where length != addressOnly {
            #expect(throws: OSCError.self) { try OSCMessage.decodePacket(valid.prefix(length)) }
        }
        var generator = SystemRandomNumberGenerator()
        var refused = 0
        for _ in 0..<5000 {
            let count = Int.random(in: 0...96, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Half look like OSC at first glance, to reach past the address.
            if Bool.random(using: &generator) { bytes = Array("/a\0\0,".utf8) + bytes }
            if (try? OSCMessage.decodePacket(bytes)) == nil { refused += 1 }
        }
        #expect(refused > 4000)
        let nested = (0..<20).reduce(OSCMessage("/deep").encoded()) { inner, _ in
            Array("#bundle\0".utf8) + [UInt8](repeating: 0, count: 8) + Self.bigEndian(UInt32(inner.count))
                + inner
        }
        #expect(throws: OSCError.malformed("bundles nested too deep")) { try OSCMessage.decodePacket(nested) }
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
