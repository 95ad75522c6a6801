import NIOCore

/// A piece of the browser audio stream: 16-bit PCM, interleaved, little-endian.
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 4 | magic `SCA1` |
/// | 4 | 4 | sequence number (consecutive; a gap means the server dropped chunks for this client) |
/// | 8 | 4 | sample rate |
/// | 12 | 2 | channels |
/// | 14 | 2 | frames |
/// | 16 | … | `frames × channels` Int16 samples |
public enum AudioChunkMessage {
    public static let magic: [UInt8] = Array("SCA1".utf8)
    public static let headerSize = 16

    /// Encodes float samples, clipped to ±1.
    ///
    /// - Parameters:
    ///   - sequence: the chunk's number in the stream.
    ///   - sampleRate: frames per second.
    ///   - channels: interleaved channels.
    ///   - samples: `frames × channels` floats.
    /// - Returns: the binary message.
    public static func encode(
        sequence: UInt32, sampleRate: Int, channels: Int, samples: UnsafeBufferPointer<Float>
    ) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(headerSize + samples.count * 2)
        buffer.writeBytes(magic)
        buffer.writeInteger(sequence, endianness: .little)
        buffer.writeInteger(UInt32(sampleRate), endianness: .little)
        buffer.writeInteger(UInt16(channels), endianness: .little)
        buffer.writeInteger(UInt16(samples.count / channels), endianness: .little)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: samples.count * 2) { raw in
            for (i, sample) in samples.enumerated() {
                let clipped = max(-1, min(1, sample.isNaN ? 0 : sample))
                let value = Int16((clipped * 32767).rounded())
                raw.storeBytes(of: value.littleEndian, toByteOffset: i * 2, as: Int16.self)
            }
            return samples.count * 2
        }
        return buffer
    }
}
