import Foundation

extension Muxer {
    /// Puts a soundtrack under a video's picture in an MP4, the picture copied and the sound in
    /// Apple Lossless: decoding the MP4's audio gives back the soundtrack's samples exactly.
    ///
    /// ALAC keeps 16- and 24-bit integer samples; a 16-bit WAV comes back bit for bit. Both streams
    /// are kept whole: the caller makes them the same length.
    /// - Parameters:
    ///   - video: an H.264 (or other MP4-compatible) video; its first video stream is used.
    ///   - audio: the soundtrack, a 16-bit WAV.
    ///   - output: the MP4 to write (replaced if it exists).
    /// - Throws: `MediaIOError` naming the file that is missing or that ffmpeg could not handle.
    public static func muxLossless(video: URL, audio: URL, output: URL) throws {
        try MediaProbe.checkReadableFile(video)
        try MediaProbe.checkReadableFile(audio)
        let temporary = output.deletingLastPathComponent().appendingPathComponent(
            ".\(output.lastPathComponent).partial-\(UInt32.random(in: 0...UInt32.max))")
        defer { unlink(temporary.path) }
        let process = try ChildProcess(
            tool: .ffmpeg,
            arguments: [
                "-nostdin", "-hide_banner", "-v", "error", "-y", "-i", video.path, "-i", audio.path, "-map",
                "0:v:0",
                "-map", "1:a:0", "-c:v", "copy", "-c:a", "alac", "-movflags", "+faststart", "-f", "mp4",
                temporary.path,
            ], subject: video, outputDescriptors: [])
        try process.waitForSuccess()
        guard rename(temporary.path, output.path) == 0 else {
            throw MediaIOError.systemError(output, operation: "rename into place", errno: errno)
        }
    }
}
