import Foundation

/// Decodes a file's audio through the `ffmpeg` program as interleaved 32-bit float, chunk by chunk.
///
/// The audio is resampled to the requested rate and placed on the file's timeline: sample 0 is the
/// start of the file, so a sound track that starts late is preceded by silence and samples before
/// the start (encoder delay) are dropped, keeping it aligned with `VideoFrameReader`'s frame times.
public final class AudioStreamReader {
    /// Samples per second per channel delivered.
    public let sampleRate: Int
    /// Channels delivered: the file's own count, at most the requested maximum (more are mixed down).
    public let channels: Int
    /// What `ffprobe` said about the file.
    public let info: MediaInfo

    private let process: ChildProcess
    private var ended = false

    /// Opens a file's first audio stream.
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - sampleRate: the delivered rate.
    ///   - maxChannels: mix down to this many channels when the file has more.
    ///   - realtime: deliver no faster than the file plays (ffmpeg `-re`).
    /// - Throws: `MediaIOError` naming the file when it is missing, not media, has no audio, or
    ///   ffmpeg is not installed.
    public init(url: URL, sampleRate: Int = 48_000, maxChannels: Int = 2, realtime: Bool = false) throws {
        guard sampleRate > 0, maxChannels > 0 else {
            throw MediaIOError.invalidArgument("sample rate and channel count must be positive")
        }
        let info = try MediaProbe.probe(url)
        guard let audio = info.audio else {
            throw info.video == nil ? MediaIOError.noContent(url) : MediaIOError.noAudioStream(url)
        }
        self.info = info
        self.sampleRate = sampleRate
        channels = min(audio.channels, maxChannels)
        let arguments =
            ["-nostdin", "-hide_banner", "-v", "error"] + (realtime ? ["-re"] : []) + [
                "-i", url.path, "-map", "0:\(audio.index)", "-vn", "-sn", "-dn",
                "-af", "aresample=\(sampleRate):first_pts=0", "-ac", String(channels),
                "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1",
            ]
        process = try ChildProcess(
            tool: .ffmpeg, arguments: arguments, subject: url, pipeCapacity: realtime ? nil : 1 << 20)
    }

    /// Reads the next samples into a caller's buffer.
    ///
    /// - Parameter samples: where the interleaved samples go; filled completely except at the end.
    /// - Returns: how many samples were read (a multiple of `channels`); 0 at the end.
    /// - Throws: `MediaIOError.processFailed` when ffmpeg fails, naming the file.
    public func read(into samples: UnsafeMutableBufferPointer<Float>) throws -> Int {
        if ended { return 0 }
        let frameBytes = channels * MemoryLayout<Float>.size
        let wanted = (samples.count * MemoryLayout<Float>.size / frameBytes) * frameBytes
        let count = try process.readFully(
            into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(samples)[0..<wanted]))
        if count < wanted {
            ended = true
            try process.waitForSuccess()
        }
        return count / frameBytes * channels
    }

    /// What ffmpeg wrote to its error output so far (warnings such as "File ended prematurely").
    public var diagnostics: String { process.errorOutput }

    /// Stops decoding and releases the program.
    public func close() {
        ended = true
        process.terminate()
    }

    deinit {
        close()
    }
}
