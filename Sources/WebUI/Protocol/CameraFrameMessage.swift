import NIOCore

/// A camera frame as the page sends it: a small binary header and RGB pixels.
///
/// Layout (little-endian), 24 bytes of header then `width × height × 3` bytes of RGB24, row-major:
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 4 | magic `SCF1` |
/// | 4 | 4 | sequence number (the client's own count) |
/// | 8 | 2 | width |
/// | 10 | 2 | height |
/// | 12 | 4 | reserved, zero |
/// | 16 | 8 | capture time in the client's clock, milliseconds (Float64), echoed back for its display |
///
/// The page scales its camera to the network's input in a canvas, so the server accepts exactly that
/// size and nothing else: anything different is a client error, not something to resample.
public struct CameraFrameMessage: Sendable {
    /// The first four bytes of every camera frame.
    public static let magic: [UInt8] = Array("SCF1".utf8)
    /// The first four bytes of the same layout sent back to viewers as the camera preview.
    public static let previewMagic: [UInt8] = Array("SCP1".utf8)
    /// Bytes before the pixels.
    public static let headerSize = 24

    public var sequence: UInt32
    public var width: Int
    public var height: Int
    public var captureTime: Double
    /// RGB24, row-major, `width × height × 3` bytes.
    public var pixels: [UInt8]

    /// Creates a frame to send (tests and tools use this; the page builds the same bytes in JavaScript).
    public init(sequence: UInt32, width: Int, height: Int, captureTime: Double = 0, pixels: [UInt8]) {
        self.sequence = sequence
        self.width = width
        self.height = height
        self.captureTime = captureTime
        self.pixels = pixels
    }

    /// Parses and checks a binary message.
    ///
    /// - Parameters:
    ///   - buffer: the whole WebSocket message.
    ///   - side: the only width and height accepted (the network's input size).
    /// - Returns: the frame.
    /// - Throws: `ProtocolViolation` saying what is wrong with the message.
    public init(parsing buffer: ByteBuffer, side: Int) throws(ProtocolViolation) {
        var buffer = buffer
        guard buffer.readableBytes >= Self.headerSize else {
            throw .malformed(
                "a camera frame needs a \(Self.headerSize)-byte header; got \(buffer.readableBytes) bytes")
        }
        guard buffer.readBytes(length: 4) == Self.magic else {
            throw .malformed("binary messages must be camera frames starting with \"SCF1\"")
        }
        let sequence = buffer.readInteger(endianness: .little, as: UInt32.self)!
        let width = Int(buffer.readInteger(endianness: .little, as: UInt16.self)!)
        let height = Int(buffer.readInteger(endianness: .little, as: UInt16.self)!)
        let reserved = buffer.readInteger(endianness: .little, as: UInt32.self)!
        let timeBits = buffer.readInteger(endianness: .little, as: UInt64.self)!
        guard reserved == 0 else { throw .malformed("camera frame header: reserved bytes must be zero") }
        guard width == side, height == side else {
            throw .wrongFrameSize("camera frames must be \(side)×\(side) RGB; got \(width)×\(height)")
        }
        let expected = width * height * 3
        guard buffer.readableBytes == expected else {
            throw .wrongFrameSize(
                "a \(width)×\(height) RGB frame has \(expected) bytes of pixels; got \(buffer.readableBytes)")
        }
        self.sequence = sequence
        self.width = width
        self.height = height
        let time = Double(bitPattern: timeBits)
        self.captureTime = time.isFinite ? time : 0
        self.pixels = buffer.readBytes(length: expected)!
    }

    /// The message's bytes.
    ///
    /// - Returns: header and pixels, ready to send as one binary WebSocket message.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(Self.headerSize + pixels.count)
        buffer.writeBytes(Self.magic)
        buffer.writeInteger(sequence, endianness: .little)
        buffer.writeInteger(UInt16(width), endianness: .little)
        buffer.writeInteger(UInt16(height), endianness: .little)
        buffer.writeInteger(UInt32(0), endianness: .little)
        buffer.writeInteger(captureTime.bitPattern, endianness: .little)
        buffer.writeBytes(pixels)
        return buffer
    }
}
