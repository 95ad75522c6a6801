import Foundation

/// Builds finished media files with `ffmpeg`: a new soundtrack under a picture, or FLAC from WAV.
///
/// Outputs are written beside their destination under a hidden name and renamed into place when
/// ffmpeg succeeds, so a failed or interrupted run never leaves a half-written file under the name.
public enum Muxer {
    /// The containers `replaceAudio` can write, chosen by the output's extension.
    public static let supportedExtensions = ["mp4", "m4v", "mov", "mkv", "webm"]

    /// Puts a new soundtrack under a video's (or a still image's) picture.
    ///
    /// The picture is copied when the container accepts its codec and re-encoded otherwise (H.264
    /// for MP4/MOV, VP9 for WebM); a still image becomes a video as long as the sound. The audio is
    /// encoded as AAC (MP4/MOV), FLAC (MKV) or Opus (WebM). The result is as long as the shorter.
    /// - Parameters:
    ///   - picture: the video or image whose picture is kept.
    ///   - audio: the new soundtrack (any file ffmpeg reads, typically a WAV).
    ///   - output: the file to write; its extension picks the container.
    /// - Throws: `MediaIOError` naming the file that is missing or that ffmpeg could not handle.
    public static func replaceAudio(picture: URL, audio: URL, output: URL) throws {
        let info = try MediaProbe.probe(picture)
        guard let video = info.video else { throw MediaIOError.noVideoStream(picture) }
        try MediaProbe.checkReadableFile(audio)
        let ext = output.pathExtension.lowercased()
        let still = info.isStillImage
        let videoCodec: [String]
        let audioCodec: [String]
        let format: String
        switch ext {
        case "mp4", "m4v", "mov":
            let copyable: Set<String> = ["h264", "hevc", "mpeg4", "av1"]
            videoCodec =
                copyable.contains(video.codec) && !still
                ? ["-c:v", "copy"]
                : ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]
            audioCodec = ["-c:a", "aac", "-b:a", "192k"]
            format = ext == "mov" ? "mov" : "mp4"
        case "mkv":
            videoCodec = still ? ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20"] : ["-c:v", "copy"]
            audioCodec = ["-c:a", "flac"]
            format = "matroska"
        case "webm":
            let copyable: Set<String> = ["vp8", "vp9", "av1"]
            videoCodec =
                copyable.contains(video.codec) && !still
                ? ["-c:v", "copy"]
                : [
                    "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "0", "-crf",
                    "32",
                ]
            audioCodec = ["-c:a", "libopus", "-b:a", "160k"]
            format = "webm"
        default:
            throw MediaIOError.invalidArgument(
                "\(output.path): unsupported output container '.\(ext)' (use one of: "
                    + supportedExtensions.joined(separator: ", ") + ")")
        }
        // A looped still never ends: its length is the sound's (`-shortest` overshoots by the
        // encoder's buffering).
        var length = ["-shortest"]
        if still {
            let sound = try MediaProbe.probe(audio)
            guard let duration = sound.duration, sound.audio != nil else {
                throw MediaIOError.noAudioStream(audio)
            }
            length = ["-t", String(duration)]
        }
        let pictureInput = still ? ["-loop", "1", "-i", picture.path] : ["-i", picture.path]
        try runFFmpeg(
            pictureInput + ["-i", audio.path, "-map", "0:\(video.index)", "-map", "1:a:0"] + videoCodec
                + audioCodec
                + length + (format == "mp4" ? ["-movflags", "+faststart"] : []) + ["-f", format],
            output: output, subject: picture)
    }

    /// Encodes a WAV (or any audio file) as FLAC, losslessly.
    ///
    /// - Parameters:
    ///   - wav: the source.
    ///   - output: the FLAC file to write.
    /// - Throws: `MediaIOError` naming the file.
    public static func encodeFLAC(wav: URL, output: URL) throws {
        try MediaProbe.checkReadableFile(wav)
        try runFFmpeg(
            ["-i", wav.path, "-map", "0:a:0", "-c:a", "flac", "-f", "flac"], output: output, subject: wav)
    }

    /// Runs ffmpeg writing to a hidden temporary beside `output`, then renames it into place.
    private static func runFFmpeg(_ arguments: [String], output: URL, subject: URL) throws {
        let temporary = output.deletingLastPathComponent().appendingPathComponent(
            ".\(output.lastPathComponent).partial-\(UInt32.random(in: 0...UInt32.max))")
        defer { unlink(temporary.path) }
        let process = try ChildProcess(
            tool: .ffmpeg,
            arguments: ["-nostdin", "-hide_banner", "-v", "error", "-y"] + arguments + [temporary.path],
            subject: subject, outputDescriptors: [])
        try process.waitForSuccess()
        let fd = open(temporary.path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        guard rename(temporary.path, output.path) == 0 else {
            throw MediaIOError.systemError(output, operation: "rename into place", errno: errno)
        }
    }
}
