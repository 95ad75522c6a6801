import Foundation

/// Encodes RGB24 frames at a constant frame rate into an H.264 MP4, piping them to `ffmpeg`.
///
/// The file appears under its name only when `finish()` succeeds; until then ffmpeg writes a hidden
/// temporary beside it.
public final class RawVideoWriter {
    /// The MP4 file.
    public let url: URL
    /// Frame width in pixels.
    public let width: Int
    /// Frame height in pixels.
    public let height: Int
    /// Frames per second.
    public let fps: Int
    /// Frames written so far.
    public private(set) var frameCount = 0
    private let temporaryURL: URL
    private let process: ChildProcess

    /// Starts ffmpeg.
    ///
    /// - Parameters:
    ///   - url: the MP4 to write.
    ///   - width: frame width (even, as H.264 in 4:2:0 needs).
    ///   - height: frame height (even).
    ///   - fps: frames per second.
    /// - Throws: `MediaIOError.invalidArgument` for an odd or empty size, `.toolMissing` without ffmpeg.
    public init(url: URL, width: Int, height: Int, fps: Int) throws {
        guard width > 0, height > 0, width % 2 == 0, height % 2 == 0, fps > 0 else {
            throw MediaIOError.invalidArgument(
                "\(url.path): a video of \(width)×\(height) at \(fps) fps cannot be encoded (even sides needed)"
            )
        }
        self.url = url
        self.width = width
        self.height = height
        self.fps = fps
        temporaryURL = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).partial-\(UInt32.random(in: 0...UInt32.max))")
        // A write to a pipe whose reader died must fail with EPIPE, not kill the whole program.
        signal(SIGPIPE, SIG_IGN)
        process = try ChildProcess(
            tool: .ffmpeg,
            arguments: [
                "-hide_banner", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
                "\(width)x\(height)",
                "-r", "\(fps)", "-i", "pipe:0", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
                "-pix_fmt",
                "yuv420p", "-movflags", "+faststart", "-f", "mp4", temporaryURL.path,
            ], subject: url, outputDescriptors: [], pipeInput: true)
    }

    /// Appends one frame.
    ///
    /// - Parameter rgb: `width × height × 3` bytes, row-major.
    /// - Throws: `MediaIOError.invalidArgument` for the wrong size, `.processFailed` when ffmpeg has
    ///   stopped taking frames.
    public func write(_ rgb: [UInt8]) throws {
        guard rgb.count == width * height * 3 else {
            throw MediaIOError.invalidArgument(
                "\(url.path): a frame of \(rgb.count) bytes is not \(width)×\(height) RGB")
        }
        guard let input = process.inputDescriptor else {
            throw MediaIOError.invalidArgument("\(url.path): the video is already finished")
        }
        try rgb.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(input, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    process.terminate()
                    throw MediaIOError.processFailed(
                        url, program: "ffmpeg", status: -1,
                        message:
                            "stopped taking frames (\(String(cString: strerror(code)))) \(process.errorSummary)"
                    )
                }
                offset += written
            }
        }
        frameCount += 1
    }

    /// Ends the stream, waits for ffmpeg and moves the video to its name.
    ///
    /// - Throws: `MediaIOError` when ffmpeg failed or the rename failed (nothing is left behind).
    public func finish() throws {
        defer { unlink(temporaryURL.path) }
        process.closeInput()
        try process.waitForSuccess()
        guard rename(temporaryURL.path, url.path) == 0 else {
            throw MediaIOError.systemError(url, operation: "rename into place", errno: errno)
        }
    }

    /// Gives up: stops ffmpeg and removes the partial file.
    public func abandon() {
        process.closeInput()
        process.terminate()
        unlink(temporaryURL.path)
    }
}
