import Foundation

/// The two programs MediaIO drives over pipes.
public enum FFmpegTool: String, Sendable, CaseIterable {
    case ffmpeg
    case ffprobe

    /// Finds the program on the PATH.
    ///
    /// - Parameter environment: where PATH is read from; the process environment by default.
    /// - Returns: the absolute path of the executable.
    /// - Throws: `MediaIOError.toolMissing`, whose message says how to install it.
    public func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        guard let path = ChildProcess.locate(rawValue, environment: environment) else {
            throw MediaIOError.toolMissing(rawValue)
        }
        return path
    }
}
