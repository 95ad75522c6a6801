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
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(directory)/\(rawValue)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw MediaIOError.toolMissing(rawValue)
    }
}
