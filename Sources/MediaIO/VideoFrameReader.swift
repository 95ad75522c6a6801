import Foundation
import Synchronization

/// Decodes pictures as RGB24 through the `ffmpeg` program, one frame at a time.
///
/// Frames come at a constant rate: frame `k` is the picture on screen at `startTime + k / fps`
/// seconds from the start of the file (ffmpeg's `fps` filter with `round=up`; its default rounding
/// picks the frame half a period later). The whole video is never held in memory. Not thread-safe:
/// one thread reads; `cancel()` alone may be called from another thread.
public final class VideoFrameReader {
    /// Delivered width in pixels.
    public let width: Int
    /// Delivered height in pixels.
    public let height: Int
    /// Frames per second delivered.
    public let fps: Double
    /// What `ffprobe` said about the file; nil for a camera.
    public let info: MediaInfo?
    /// The time of the first frame, in seconds from the start of the file.
    public let startTime: Double

    private let process: ChildProcess
    private let thumbnails: ThumbnailQueue?
    private let thumbnailDrain: DescriptorDrain?
    private var index = 0
    private var ended = false
    private let cancelled = Atomic<Bool>(false)

    /// Opens a video (or image) file.
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - fps: frames per second to deliver; the file's own average rate when nil.
    ///   - scaling: the delivered size.
    ///   - startTime: seconds into the file to start at.
    ///   - duration: seconds to read at most; to the end when nil.
    ///   - realtime: deliver frames no faster than the file plays (ffmpeg `-re`), for a live source.
    ///   - loop: start again at the end, for ever (a live source that never runs dry).
    ///   - thumbnail: also deliver each frame as a JPEG of this size (in `RGBFrame.thumbnailJPEG`).
    /// - Throws: `MediaIOError` naming the file when it is missing, not media, has no picture, or
    ///   ffmpeg is not installed.
    public convenience init(
        url: URL, fps: Double? = nil, scaling: FrameScaling = .native, startTime: Double = 0,
        duration: Double? = nil, realtime: Bool = false, loop: Bool = false, thumbnail: FrameScaling? = nil
    ) throws {
        let info = try MediaProbe.probe(url)
        guard let video = info.video else {
            throw info.audio == nil ? MediaIOError.noContent(url) : MediaIOError.noVideoStream(url)
        }
        if let fps, !(fps > 0 && fps <= 1000) {
            throw MediaIOError.invalidArgument("frames per second must be in (0, 1000], not \(fps)")
        }
        let rate = fps ?? video.frameRate ?? 25
        let size = scaling.outputSize(sourceWidth: video.width, sourceHeight: video.height)
        var input: [String] = []
        if realtime { input += ["-re"] }
        if loop { input += ["-stream_loop", "-1"] }
        if startTime > 0 { input += ["-ss", String(startTime)] }
        input += ["-i", url.path]
        let limit = duration.map { ["-t", String($0)] } ?? []
        let timing = "fps=fps=\(rate):start_time=0:round=up"
        let thumbnailSize = thumbnail.map {
            $0.outputSize(sourceWidth: video.width, sourceHeight: video.height)
        }
        try self.init(
            input: input, streamSpecifier: "0:\(video.index)", timing: timing, outputLimit: limit,
            size: size, thumbnailSize: thumbnailSize, fps: rate, startTime: startTime, info: info,
            realtime: realtime, subject: url)
    }

    /// Opens a V4L2 camera.
    ///
    /// - Parameters:
    ///   - device: the device node.
    ///   - width: the capture (and delivered) width.
    ///   - height: the capture (and delivered) height.
    ///   - fps: frames per second to capture and deliver.
    /// - Returns: a reader whose frame times count from the first captured frame.
    /// - Throws: `MediaIOError` naming the device when ffmpeg cannot start.
    public static func camera(
        device: String = "/dev/video0", width: Int = 640, height: Int = 480, fps: Double = 30
    ) throws -> VideoFrameReader {
        let url = URL(fileURLWithPath: device)
        guard FileManager.default.fileExists(atPath: device) else { throw MediaIOError.fileNotFound(url) }
        return try VideoFrameReader(
            input: [
                "-f", "v4l2", "-framerate", String(Int(fps.rounded())), "-video_size", "\(width)x\(height)",
                "-i", device,
            ],
            streamSpecifier: "0:v:0", timing: "fps=fps=\(fps)", outputLimit: [], size: (width, height),
            thumbnailSize: nil, fps: fps, startTime: 0, info: nil, realtime: true, subject: url)
    }

    /// Decodes the first picture of an image (or video) file.
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - scaling: the delivered size.
    ///   - thumbnail: also make a JPEG of this size.
    /// - Returns: the picture, at time 0.
    /// - Throws: `MediaIOError` naming the file.
    public static func readStill(
        _ url: URL, scaling: FrameScaling = .native, thumbnail: FrameScaling? = nil
    ) throws -> RGBFrame {
        let reader = try VideoFrameReader(url: url, fps: 1, scaling: scaling, thumbnail: thumbnail)
        defer { reader.close() }
        guard let frame = try reader.next() else { throw MediaIOError.noContent(url) }
        return frame
    }

    private init(
        input: [String], streamSpecifier: String, timing: String, outputLimit: [String],
        size: (width: Int, height: Int), thumbnailSize: (width: Int, height: Int)?, fps: Double,
        startTime: Double, info: MediaInfo?, realtime: Bool, subject: URL
    ) throws {
        width = size.width
        height = size.height
        self.fps = fps
        self.startTime = startTime
        self.info = info
        let scale = "scale=\(size.width):\(size.height):flags=area,format=rgb24"
        var arguments = ["-nostdin", "-hide_banner", "-v", "error"] + input
        var outputs: [Int32] = [1]
        if let thumbnailSize {
            let thumbScale = "scale=\(thumbnailSize.width):\(thumbnailSize.height):flags=area,format=yuvj420p"
            arguments +=
                [
                    "-filter_complex",
                    "[\(streamSpecifier)]\(timing),split=2[a][b];[a]\(scale)[main];[b]\(thumbScale)[thumb]",
                    "-map", "[main]", "-fps_mode", "passthrough",
                ] + outputLimit + ["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
            arguments += ["-map", "[thumb]", "-fps_mode", "passthrough"] + outputLimit
            arguments += ["-c:v", "mjpeg", "-q:v", "4", "-f", "image2pipe", "pipe:3"]
            outputs.append(3)
        } else {
            arguments +=
                [
                    "-filter_complex", "[\(streamSpecifier)]\(timing),\(scale)[main]", "-map", "[main]",
                    "-fps_mode", "passthrough",
                ] + outputLimit + ["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
        }
        // A live source keeps the pipe small so frames do not queue up behind a slow reader.
        process = try ChildProcess(
            tool: .ffmpeg, arguments: arguments, subject: subject, outputDescriptors: outputs,
            pipeCapacity: realtime ? nil : 1 << 20)
        if thumbnailSize != nil {
            let queue = ThumbnailQueue()
            thumbnails = queue
            thumbnailDrain = DescriptorDrain(
                descriptor: process.output(3), consume: { queue.push($0) }, atEnd: { queue.finish() })
        } else {
            thumbnails = nil
            thumbnailDrain = nil
        }
    }

    /// Bytes in one frame: `width × height × 3`.
    public var frameByteCount: Int { width * height * 3 }

    /// Reads the next frame into a caller's buffer, allocating nothing.
    ///
    /// - Parameter pixels: at least `frameByteCount` bytes.
    /// - Returns: the frame's time in seconds, or nil at the end.
    /// - Throws: `MediaIOError.processFailed` when ffmpeg fails (a damaged file), naming the file.
    public func read(into pixels: UnsafeMutableRawBufferPointer) throws -> Double? {
        precondition(pixels.count >= frameByteCount, "the buffer holds less than one frame")
        if ended { return nil }
        let count = try process.readFully(
            into: UnsafeMutableRawBufferPointer(rebasing: pixels[0..<frameByteCount]))
        if count < frameByteCount {
            ended = true
            thumbnailDrain?.join()
            if cancelled.load(ordering: .acquiring) {
                process.wait()
                return nil
            }
            try process.waitForSuccess()
            if count > 0 {
                throw MediaIOError.processFailed(
                    process.subject, program: "ffmpeg", status: 0, message: "the last frame was cut short")
            }
            return nil
        }
        defer { index += 1 }
        return startTime + Double(index) / fps
    }

    /// Reads the next frame.
    ///
    /// - Returns: the frame (with its thumbnail when asked for), or nil at the end.
    /// - Throws: `MediaIOError.processFailed` when ffmpeg fails (a damaged file), naming the file.
    public func next() throws -> RGBFrame? {
        var pixels = [UInt8](repeating: 0, count: frameByteCount)
        let time = try pixels.withUnsafeMutableBytes { try read(into: $0) }
        guard let time else { return nil }
        return RGBFrame(
            time: time, width: width, height: height, pixels: pixels, thumbnailJPEG: nextThumbnail())
    }

    /// The JPEG of the frame last read by `read(into:)`, when thumbnails were asked for.
    ///
    /// - Returns: the JPEG bytes, or nil without thumbnails (or when ffmpeg stopped early).
    public func nextThumbnail() -> [UInt8]? {
        thumbnails?.next()
    }

    /// What ffmpeg wrote to its error output so far (warnings such as "File ended prematurely").
    public var diagnostics: String { process.errorOutput }

    /// Stops decoding from any thread; a blocked `read` then returns the end.
    public func cancel() {
        cancelled.store(true, ordering: .releasing)
        process.cancel()
    }

    /// Stops decoding and releases the program and its pipes.
    public func close() {
        ended = true
        process.cancel()
        thumbnailDrain?.join()
        process.terminate()
    }

    deinit {
        close()
    }
}
