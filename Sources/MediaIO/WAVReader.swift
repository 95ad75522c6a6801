import Foundation

/// Reads WAV files: 8/16/24/32-bit PCM and 32/64-bit float, plain or WAVE_FORMAT_EXTENSIBLE.
public enum WAVReader {
    /// Reads a whole WAV file.
    ///
    /// - Parameter url: the file.
    /// - Returns: its samples as float in −1…1, interleaved, at the file's own rate.
    /// - Throws: `MediaIOError` naming the file when it is missing or not a WAV this reader supports.
    public static func read(_ url: URL) throws -> AudioClip {
        try MediaProbe.checkReadableFile(url)
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw MediaIOError.systemError(url, operation: "read", errno: EIO)
        }
        return try data.withUnsafeBytes { try parse($0, url: url) }
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer, url: URL) throws -> AudioClip {
        func fail(_ reason: String) -> MediaIOError { .invalidWAV(url, reason: reason) }
        func u32(_ offset: Int) -> Int {
            Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        }
        func u16(_ offset: Int) -> Int {
            Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
        }
        func tag(_ offset: Int) -> String { String(decoding: bytes[offset..<offset + 4], as: UTF8.self) }
        guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else { throw fail("no RIFF/WAVE header") }
        var offset = 12
        var format: (tag: Int, channels: Int, rate: Int, bits: Int)?
        while offset + 8 <= bytes.count {
            let id = tag(offset)
            let size = u32(offset + 4)
            let body = offset + 8
            if id == "fmt " {
                guard size >= 16, body + size <= bytes.count else { throw fail("short fmt chunk") }
                var formatTag = u16(body)
                if formatTag == 0xFFFE {
                    guard size >= 40 else { throw fail("short extensible fmt chunk") }
                    formatTag = u16(body + 24)
                }
                format = (formatTag, u16(body + 2), u32(body + 4), u16(body + 14))
            } else if id == "data" {
                guard let format else { throw fail("data before fmt") }
                // Streamed files may carry a placeholder size: take what the file holds.
                let end = min(bytes.count, body + size)
                return try decode(
                    UnsafeRawBufferPointer(rebasing: bytes[body..<end]), format: format, fail: fail)
            }
            offset = body + size + (size & 1)
        }
        throw fail("no data chunk")
    }

    private static func decode(
        _ data: UnsafeRawBufferPointer, format: (tag: Int, channels: Int, rate: Int, bits: Int),
        fail: (String) -> MediaIOError
    ) throws -> AudioClip {
        guard format.channels > 0, format.rate > 0 else { throw fail("zero channels or sample rate") }
        let width = format.bits / 8
        guard width > 0 else { throw fail("\(format.bits)-bit samples") }
        let count = data.count / (width * format.channels) * format.channels
        var samples = [Float](repeating: 0, count: count)
        switch (format.tag, format.bits) {
        case (3, 32):
            for i in 0..<count {
                samples[i] = Float(
                    bitPattern: UInt32(
                        littleEndian: data.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
            }
        case (3, 64):
            for i in 0..<count {
                samples[i] = Float(
                    Double(
                        bitPattern: UInt64(
                            littleEndian: data.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
            }
        case (1, 8):
            for i in 0..<count { samples[i] = (Float(data[i]) - 128) / 128 }
        case (1, 16):
            for i in 0..<count {
                samples[i] =
                    Float(Int16(littleEndian: data.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)))
                    / 32768
            }
        case (1, 24):
            for i in 0..<count {
                let b = i * 3
                let value =
                    Int32(
                        bitPattern: UInt32(data[b]) << 8 | UInt32(data[b + 1]) << 16 | UInt32(data[b + 2])
                            << 24) >> 8
                samples[i] = Float(value) / 8_388_608
            }
        case (1, 32):
            for i in 0..<count {
                samples[i] =
                    Float(Int32(littleEndian: data.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
                    / 2_147_483_648
            }
        default:
            throw fail("format tag \(format.tag) with \(format.bits)-bit samples")
        }
        return AudioClip(sampleRate: format.rate, channels: format.channels, samples: samples)
    }
}
