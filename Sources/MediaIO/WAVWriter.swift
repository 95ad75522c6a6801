import Foundation

/// Writes a WAV file as samples arrive, atomically: the file appears under its name only once
/// `finish()` has written a correct header and flushed it to disk.
public final class WAVWriter {
    /// How samples are stored.
    public enum SampleFormat: Sendable {
        /// IEEE 32-bit float, the full precision of the synthesis (format tag 3).
        case float32
        /// 16-bit PCM (x · 32768, rounded, clipped to −32768…32767), for players that do not read float.
        case int16

        var bytesPerSample: Int {
            switch self {
            case .float32: 4
            case .int16: 2
            }
        }
    }

    /// The final file.
    public let url: URL
    /// Samples per second per channel.
    public let sampleRate: Int
    /// Interleaved channels.
    public let channels: Int
    /// The stored sample format.
    public let format: SampleFormat
    /// Sample frames written so far.
    public private(set) var frameCount = 0

    /// Bytes gathered before one `write(2)`: large, so a long render costs few system calls.
    static let blockBytes = 1 << 20
    /// Float samples at least this large (64 KiB) are written from the caller's buffer, uncopied.
    static let directBytes = 1 << 16

    private let temporaryURL: URL
    private var descriptor: Int32
    /// Samples (and at first the header) waiting to be written: `pending` bytes of `blockBytes`.
    private let block: UnsafeMutableRawPointer
    private var pending = 0
    private var finished = false
    private let headerSize: Int

    /// Starts a file; nothing appears at `url` until `finish()`.
    ///
    /// - Parameters:
    ///   - url: the file to create (replaced atomically if it exists).
    ///   - sampleRate: samples per second per channel.
    ///   - channels: interleaved channels, at least 1.
    ///   - format: the stored sample format.
    /// - Throws: `MediaIOError` naming the file when it cannot be created.
    public init(url: URL, sampleRate: Int, channels: Int, format: SampleFormat = .float32) throws {
        guard sampleRate > 0, channels > 0, channels <= 64 else {
            throw MediaIOError.invalidArgument(
                "\(url.path): a WAV file needs a positive rate and 1–64 channels")
        }
        self.url = url
        self.sampleRate = sampleRate
        self.channels = channels
        self.format = format
        temporaryURL = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).partial-\(UInt32.random(in: 0...UInt32.max))")
        descriptor = open(temporaryURL.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw MediaIOError.systemError(url, operation: "create", errno: errno) }
        block = .allocate(byteCount: Self.blockBytes, alignment: 64)
        // A placeholder header (no frames yet) goes first; `finish()` writes the real one over it.
        let header = Self.header(sampleRate: sampleRate, channels: channels, format: format, frames: 0)
        headerSize = header.count
        header.withUnsafeBytes { block.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        pending = headerSize
    }

    /// Appends interleaved samples.
    ///
    /// Float samples on a little-endian machine are stored as they are: gathered in the writer's
    /// block, or, from ``directBytes`` on, written to the file straight from the caller's buffer.
    /// 16-bit samples are converted into the block.
    ///
    /// - Parameter samples: a whole number of frames, nominally in −1…1.
    /// - Throws: `MediaIOError` when the disk write fails or the file would pass WAV's 4 GiB limit.
    public func write(_ samples: UnsafeBufferPointer<Float>) throws {
        precondition(!finished, "write after finish")
        precondition(samples.count % channels == 0, "samples must be whole frames")
        let frames = samples.count / channels
        let dataBytes = (frameCount + frames) * channels * format.bytesPerSample
        guard headerSize + dataBytes < Int(UInt32.max) else {
            throw MediaIOError.invalidArgument("\(url.path): longer than a WAV file can hold (4 GiB)")
        }
        switch format {
        case .float32:
            #if _endian(little)
                // WAV is little-endian like the host: the samples' bytes go in as they are.
                try append(UnsafeRawBufferPointer(samples))
            #else
                try convert(samples) { $0.bitPattern.littleEndian }
            #endif
        case .int16:
            try convert(samples) { sample in
                let scaled = ((sample.isNaN ? 0 : sample) * 32768).rounded()
                return Int16(max(-32768, min(32767, scaled))).littleEndian
            }
        }
        frameCount += frames
    }

    /// Appends interleaved samples.
    ///
    /// - Parameter samples: a whole number of frames.
    /// - Throws: as `write(_:)` with a buffer pointer.
    public func write(_ samples: [Float]) throws {
        try samples.withUnsafeBufferPointer { try write($0) }
    }

    /// Writes the final header, flushes to disk and moves the file to its name.
    ///
    /// - Throws: `MediaIOError` when a write, fsync or rename fails; the partial file is then removed.
    public func finish() throws {
        precondition(!finished, "finish called twice")
        do {
            try flush()
            let header = Self.header(
                sampleRate: sampleRate, channels: channels, format: format, frames: frameCount)
            let written = header.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
            guard written == header.count else { throw systemError("write") }
            guard fsync(descriptor) == 0 else { throw systemError("flush") }
            close(descriptor)
            descriptor = -1
            guard rename(temporaryURL.path, url.path) == 0 else { throw systemError("rename into place") }
            finished = true
        } catch {
            abandon()
            throw error
        }
    }

    /// Gives up: removes the partial file; nothing appears at `url`.
    public func abandon() {
        if finished { return }
        finished = true
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporaryURL.path)
    }

    deinit {
        abandon()
        block.deallocate()
    }

    /// Stores `bytes` after what is pending, going straight to the file when there are many.
    private func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if bytes.count >= Self.directBytes {
            try flush()
            try writeAll(bytes)
            return
        }
        if pending + bytes.count > Self.blockBytes { try flush() }
        (block + pending).copyMemory(from: base, byteCount: bytes.count)
        pending += bytes.count
    }

    /// Stores each sample as `encode` turns it into its stored bytes, a block at a time.
    @inline(__always)
    private func convert<Stored: FixedWidthInteger>(
        _ samples: UnsafeBufferPointer<Float>, _ encode: (Float) -> Stored
    ) throws {
        let size = MemoryLayout<Stored>.size
        var index = 0
        while index < samples.count {
            if pending + size > Self.blockBytes { try flush() }
            let count = min(samples.count - index, (Self.blockBytes - pending) / size)
            let destination = block + pending
            for offset in 0..<count {
                destination.storeBytes(
                    of: encode(samples[index + offset]), toByteOffset: offset * size, as: Stored.self)
            }
            pending += count * size
            index += count
        }
    }

    /// Writes the pending bytes to the file.
    private func flush() throws {
        try writeAll(UnsafeRawBufferPointer(start: block, count: pending))
        pending = 0
    }

    /// Writes all of `bytes` at the file's current offset.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw systemError("write")
            }
            offset += count
        }
    }

    private func systemError(_ operation: String) -> MediaIOError {
        MediaIOError.systemError(url, operation: operation, errno: errno)
    }

    /// The RIFF header up to the start of the sample data.
    static func header(sampleRate: Int, channels: Int, format: SampleFormat, frames: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        func append32(_ value: Int) {
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian) { bytes += $0 }
        }
        func append16(_ value: Int) {
            withUnsafeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian) { bytes += $0 }
        }
        let bits = format.bytesPerSample * 8
        let blockAlign = channels * format.bytesPerSample
        let dataBytes = frames * blockAlign
        let tag = format == .float32 ? 3 : 1
        // More than two channels need WAVE_FORMAT_EXTENSIBLE for players to accept them.
        let extensible = channels > 2
        let fmtSize = extensible ? 40 : (format == .float32 ? 18 : 16)
        let factSize = format == .float32 ? 12 : 0
        bytes += Array("RIFF".utf8)
        append32(4 + (8 + fmtSize) + factSize + 8 + dataBytes)
        bytes += Array("WAVEfmt ".utf8)
        append32(fmtSize)
        append16(extensible ? 0xFFFE : tag)
        append16(channels)
        append32(sampleRate)
        append32(sampleRate * blockAlign)
        append16(blockAlign)
        append16(bits)
        if extensible {
            append16(22)
            append16(bits)
            append32(0)  // no speaker positions claimed
            append16(tag)
            bytes += [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        } else if format == .float32 {
            append16(0)
        }
        if format == .float32 {
            bytes += Array("fact".utf8)
            append32(4)
            append32(frames)
        }
        bytes += Array("data".utf8)
        append32(dataBytes)
        return bytes
    }
}
