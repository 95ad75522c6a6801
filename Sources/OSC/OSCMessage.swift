/// An OSC 1.0 message: an address and typed arguments; and the packet codec (messages and bundles).
///
/// Written here rather than taken from a library: the Swift OSC packages are not in the package
/// mirror and Debian's liblo would add a C dependency for what is ~200 lines. The tests check it
/// against python-osc, a peer we did not write.
public struct OSCMessage: Sendable, Equatable {
    /// The address, e.g. `/scenophone/sound/grainRate`.
    public var address: String
    /// The arguments.
    public var arguments: [OSCArgument]

    /// Creates a message.
    ///
    /// - Parameters:
    ///   - address: the address (must start with `/`).
    ///   - arguments: the arguments.
    public init(_ address: String, _ arguments: [OSCArgument] = []) {
        self.address = address
        self.arguments = arguments
    }

    /// The deepest nesting of bundles accepted (a hostile packet could nest thousands).
    public static let maximumBundleDepth = 8

    // MARK: Decoding

    /// Decodes a packet: one message, or a bundle of them (nested bundles flattened, time tags ignored:
    /// every message applies at once).
    ///
    /// - Parameter bytes: the datagram.
    /// - Returns: the messages in order.
    /// - Throws: ``OSCError`` for anything malformed or truncated.
    public static func decodePacket(_ bytes: some Collection<UInt8>) throws(OSCError) -> [OSCMessage] {
        var messages: [OSCMessage] = []
        var reader = Reader(bytes: Array(bytes))
        try decode(&reader, depth: 0, into: &messages)
        return messages
    }

    private static func decode(_ reader: inout Reader, depth: Int, into messages: inout [OSCMessage])
        throws(OSCError)
    {
        guard let first = reader.peek() else { throw .truncated("empty packet") }
        if first == UInt8(ascii: "#") {
            guard depth < maximumBundleDepth else { throw .malformed("bundles nested too deep") }
            guard try reader.string() == "#bundle" else {
                throw .malformed("a '#' packet that is not #bundle")
            }
            _ = try reader.bytes(8)  // time tag: applied at once
            while !reader.atEnd {
                let size = Int(try reader.int32())
                guard size >= 0, size % 4 == 0, size <= reader.remaining else {
                    throw .truncated("bundle element of \(size) bytes")
                }
                var element = Reader(bytes: try reader.bytes(size))
                try decode(&element, depth: depth + 1, into: &messages)
            }
        } else {
            messages.append(try decodeMessage(&reader))
            guard reader.atEnd else { throw .malformed("bytes after the message's arguments") }
        }
    }

    private static func decodeMessage(_ reader: inout Reader) throws(OSCError) -> OSCMessage {
        let address = try reader.string()
        guard address.hasPrefix("/") else {
            throw .malformed("address \"\(address.prefix(40))\" does not start with /")
        }
        // A message may omit its type tags (old senders): then it has no arguments.
        guard !reader.atEnd else { return OSCMessage(address) }
        let tags = try reader.string()
        guard tags.hasPrefix(",") else { throw .malformed("type tags must start with ','") }
        var arguments: [OSCArgument] = []
        for tag in tags.utf8.dropFirst() {
            switch tag {
            case UInt8(ascii: "i"): arguments.append(.int32(try reader.int32()))
            case UInt8(ascii: "f"):
                arguments.append(.float32(Float(bitPattern: UInt32(bitPattern: try reader.int32()))))
            case UInt8(ascii: "s"), UInt8(ascii: "S"): arguments.append(.string(try reader.string()))
            case UInt8(ascii: "b"):
                let size = Int(try reader.int32())
                guard size >= 0 else { throw .malformed("negative blob size") }
                arguments.append(.blob(try reader.bytes(size)))
                try reader.skipPadding(after: size)
            case UInt8(ascii: "h"): arguments.append(.int64(try reader.int64()))
            case UInt8(ascii: "d"):
                arguments.append(.float64(Double(bitPattern: UInt64(bitPattern: try reader.int64()))))
            case UInt8(ascii: "t"): arguments.append(.int64(try reader.int64()))
            case UInt8(ascii: "T"): arguments.append(.bool(true))
            case UInt8(ascii: "F"): arguments.append(.bool(false))
            case UInt8(ascii: "N"): arguments.append(.null)
            case UInt8(ascii: "I"): arguments.append(.impulse)
            default: throw .malformed("unknown type tag '\(Character(Unicode.Scalar(tag)))'")
            }
        }
        return OSCMessage(address, arguments)
    }

    /// Reads big-endian fields and padded strings, never past the end.
    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset >= bytes.count }
        var remaining: Int { bytes.count - offset }
        func peek() -> UInt8? { atEnd ? nil : bytes[offset] }

        mutating func bytes(_ count: Int) throws(OSCError) -> [UInt8] {
            guard count <= remaining else { throw .truncated("\(count) bytes wanted, \(remaining) left") }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        mutating func int32() throws(OSCError) -> Int32 {
            let field = try bytes(4)
            return Int32(bitPattern: field.reduce(0) { $0 << 8 | UInt32($1) })
        }

        mutating func int64() throws(OSCError) -> Int64 {
            let field = try bytes(8)
            return Int64(bitPattern: field.reduce(0) { $0 << 8 | UInt64($1) })
        }

        /// A NUL-terminated UTF-8 string padded to a multiple of 4 bytes.
        mutating func string() throws(OSCError) -> String {
            guard let end = bytes[offset...].firstIndex(of: 0) else {
                throw .truncated("a string without its NUL")
            }
            let text = bytes[offset..<end]
            guard let string = String(validating: text, as: UTF8.self) else {
                throw .malformed("a string that is not UTF-8")
            }
            let padded = (text.count + 4) & ~3
            guard padded <= remaining else { throw .truncated("a string's padding") }
            offset += padded
            return string
        }

        mutating func skipPadding(after count: Int) throws(OSCError) {
            let padding = (4 - count % 4) % 4
            _ = try bytes(padding)
        }
    }

    // MARK: Encoding

    /// The message as an OSC packet.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        Self.append(string: address, to: &bytes)
        Self.append(string: "," + String(decoding: arguments.map(\.tag), as: UTF8.self), to: &bytes)
        for argument in arguments {
            switch argument {
            case .int32(let value): Self.append(UInt32(bitPattern: value), to: &bytes)
            case .float32(let value): Self.append(value.bitPattern, to: &bytes)
            case .string(let value): Self.append(string: value, to: &bytes)
            case .blob(let value):
                Self.append(UInt32(value.count), to: &bytes)
                bytes += value
                bytes += [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
            case .int64(let value): Self.append(UInt64(bitPattern: value), to: &bytes)
            case .float64(let value): Self.append(value.bitPattern, to: &bytes)
            case .bool, .null, .impulse: break
            }
        }
        return bytes
    }

    private static func append(string: String, to bytes: inout [UInt8]) {
        // A NUL inside would end the string early on the other side: leave it out.
        let utf8 = string.utf8.filter { $0 != 0 }
        bytes += utf8
        bytes += [UInt8](repeating: 0, count: 4 - utf8.count % 4)
    }

    private static func append<Word: FixedWidthInteger>(_ value: Word, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes += $0 }
    }
}
