import Foundation

/// Asks `ffprobe` what a media file holds.
public enum MediaProbe {
    /// Probes a file.
    ///
    /// - Parameter url: the file.
    /// - Returns: its container, duration and first video and audio streams.
    /// - Throws: `MediaIOError` naming the file: missing, a directory, empty, not media ffmpeg can
    ///   read, or `ffprobe` not installed.
    public static func probe(_ url: URL) throws -> MediaInfo {
        try checkReadableFile(url)
        let process = try ChildProcess(
            tool: .ffprobe,
            arguments: [
                "-v", "error", "-hide_banner", "-print_format", "json", "-show_format", "-show_streams",
                url.path,
            ],
            subject: url)
        var output = Data()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let count = try process.readFully(into: chunk)
            output.append(contentsOf: chunk[0..<count])
            if count < chunk.count { break }
        }
        let status = process.wait()
        guard status == 0 else {
            throw MediaIOError.unreadable(url, reason: ffmpegReason(process.errorOutput, file: url))
        }
        let report: ProbeReport
        do {
            report = try JSONDecoder().decode(ProbeReport.self, from: output)
        } catch {
            throw MediaIOError.unreadable(url, reason: "ffprobe's report could not be parsed: \(error)")
        }
        let info = report.info(for: url)
        // ffprobe guesses a format from the name alone for some image types (a text file called
        // notes.png is "png" with a 0×0 picture); with nothing else in the file, that is not media.
        if info.video == nil, info.audio == nil,
            let sizeless = report.streams?.first(where: { $0.codec_type == "video" })
        {
            let codec = sizeless.codec_name ?? "video"
            throw MediaIOError.unreadable(
                url, reason: "its \(codec) picture has no size: not a valid \(codec) file")
        }
        return info
    }

    /// Throws unless `url` names an existing, non-empty regular file.
    ///
    /// - Parameter url: the file.
    /// - Throws: `MediaIOError.fileNotFound`, `.isDirectory` or `.emptyFile`.
    public static func checkReadableFile(_ url: URL) throws {
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw MediaIOError.fileNotFound(url) }
            throw MediaIOError.systemError(url, operation: "read", errno: errno)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw MediaIOError.isDirectory(url) }
        if (info.st_mode & S_IFMT) == S_IFREG && info.st_size == 0 { throw MediaIOError.emptyFile(url) }
        guard access(url.path, R_OK) == 0 else {
            throw MediaIOError.systemError(url, operation: "read", errno: errno)
        }
    }

    /// ffmpeg's error lines without the file name it repeats (`"clip.mp4: Invalid data..."`).
    static func ffmpegReason(_ errorOutput: String, file: URL) -> String {
        let lines = errorOutput.split(whereSeparator: \.isNewline).map { line -> String in
            var text = String(line)
            if text.hasPrefix(file.path + ": ") { text.removeFirst(file.path.count + 2) }
            return text.trimmingCharacters(in: .whitespaces)
        }
        return lines.isEmpty ? "no message from ffprobe" : lines.suffix(2).joined(separator: "; ")
    }
}

/// The subset of `ffprobe -print_format json -show_format -show_streams` that Scenophone reads.
private struct ProbeReport: Decodable {
    struct Format: Decodable {
        var format_name: String?
        var duration: String?
    }
    struct Stream: Decodable {
        struct Disposition: Decodable { var attached_pic: Int? }
        struct SideData: Decodable { var rotation: Double? }
        var index: Int
        var codec_type: String?
        var codec_name: String?
        var width: Int?
        var height: Int?
        var sample_aspect_ratio: String?
        var avg_frame_rate: String?
        var r_frame_rate: String?
        var nb_frames: String?
        var sample_rate: String?
        var channels: Int?
        var disposition: Disposition?
        var side_data_list: [SideData]?
        var tags: [String: String]?
    }
    var format: Format?
    var streams: [Stream]?

    func info(for url: URL) -> MediaInfo {
        let streams = self.streams ?? []
        let video = streams.first { $0.codec_type == "video" && $0.disposition?.attached_pic != 1 }
        let audio = streams.first { $0.codec_type == "audio" && ($0.channels ?? 0) > 0 }
        return MediaInfo(
            url: url,
            formatName: format?.format_name ?? "unknown",
            duration: format?.duration.flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil },
            video: video.flatMap(Self.videoInfo),
            audio: audio.flatMap { stream in
                guard let rate = stream.sample_rate.flatMap(Int.init), let channels = stream.channels else {
                    return nil
                }
                return AudioStreamInfo(
                    index: stream.index, codec: stream.codec_name ?? "unknown", sampleRate: rate,
                    channels: channels)
            })
    }

    private static func videoInfo(_ stream: Stream) -> VideoStreamInfo? {
        guard var width = stream.width, var height = stream.height, width > 0, height > 0 else { return nil }
        // Pixel aspect ratios within 1% of square are rounding in the source (72.05 dpi and the like).
        if let aspect = ratio(stream.sample_aspect_ratio, separator: ":"), aspect > 0, abs(aspect - 1) > 0.01
        {
            width = max(1, Int((Double(width) * aspect).rounded()))
        }
        let rotation =
            stream.side_data_list?.compactMap(\.rotation).first
            ?? stream.tags?["rotate"].flatMap(Double.init) ?? 0
        if Int(abs(rotation).rounded()) % 180 == 90 { swap(&width, &height) }
        let rate = ratio(stream.avg_frame_rate, separator: "/") ?? ratio(stream.r_frame_rate, separator: "/")
        return VideoStreamInfo(
            index: stream.index, codec: stream.codec_name ?? "unknown", width: width, height: height,
            frameRate: rate.flatMap { $0 > 0 && $0 < 1000 ? $0 : nil },
            frameCount: stream.nb_frames.flatMap(Int.init))
    }

    private static func ratio(_ text: String?, separator: Character) -> Double? {
        guard let parts = text?.split(separator: separator), parts.count == 2,
            let numerator = Double(parts[0]), let denominator = Double(parts[1]), denominator != 0
        else { return nil }
        return numerator / denominator
    }
}
