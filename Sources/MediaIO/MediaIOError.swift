import Foundation

/// What went wrong with a media file or with the `ffmpeg`/`ffprobe` programs.
///
/// Every case that concerns a file names it, so the message alone tells the user what to fix.
public enum MediaIOError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `ffmpeg` or `ffprobe` is not on the PATH.
    case toolMissing(String)
    /// The file does not exist.
    case fileNotFound(URL)
    /// The path names a directory, not a file.
    case isDirectory(URL)
    /// The file exists but holds no bytes.
    case emptyFile(URL)
    /// `ffprobe` could not read the file as media; the reason is ffmpeg's own message.
    case unreadable(URL, reason: String)
    /// The file is media but has no picture (it holds audio only, or nothing).
    case noVideoStream(URL)
    /// The file is media but has no sound track.
    case noAudioStream(URL)
    /// The file has no decodable content (zero duration, no frames).
    case noContent(URL)
    /// A program failed while working on the file.
    case processFailed(URL, program: String, status: Int32, message: String)
    /// The file could not be read or written by the operating system.
    case systemError(URL, operation: String, errno: Int32)
    /// A WAV file is malformed or uses an encoding this reader does not know.
    case invalidWAV(URL, reason: String)
    /// A request that makes no sense (an output container not supported, a zero sample rate...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .toolMissing(let tool):
            return
                "\(tool) is not installed or not on the PATH; Scenophone decodes media with it. "
                + "Install it with `sudo apt-get install ffmpeg` (or run scripts/setup)."
        case .fileNotFound(let url):
            return "\(url.path): no such file"
        case .isDirectory(let url):
            return "\(url.path): is a directory, not a media file"
        case .emptyFile(let url):
            return "\(url.path): the file is empty (0 bytes)"
        case .unreadable(let url, let reason):
            return "\(url.path): not a media file ffmpeg can read (\(reason))"
        case .noVideoStream(let url):
            return "\(url.path): has no video stream (it holds audio only)"
        case .noAudioStream(let url):
            return "\(url.path): has no audio track"
        case .noContent(let url):
            return "\(url.path): contains no frames (zero-length media)"
        case .processFailed(let url, let program, let status, let message):
            let detail = message.isEmpty ? "no message" : message
            return "\(url.path): \(program) failed with status \(status): \(detail)"
        case .systemError(let url, let operation, let code):
            return "\(url.path): cannot \(operation): \(String(cString: strerror(code)))"
        case .invalidWAV(let url, let reason):
            return "\(url.path): not a WAV file this reader supports (\(reason))"
        case .invalidArgument(let message):
            return message
        }
    }
}
