import Foundation

/// What `ffprobe` says about a media file.
public struct MediaInfo: Sendable, Equatable {
    /// The file that was probed.
    public var url: URL
    /// ffmpeg's name for the container, e.g. `"matroska,webm"` or `"image2"`.
    public var formatName: String
    /// The container's duration in seconds, or nil when it has none (a still image).
    public var duration: Double?
    /// The first video stream that is a picture (cover art in audio files is not), or nil.
    public var video: VideoStreamInfo?
    /// The first audio stream, or nil.
    public var audio: AudioStreamInfo?

    /// Creates a description (probing makes these; tests may too).
    public init(
        url: URL, formatName: String, duration: Double?, video: VideoStreamInfo?, audio: AudioStreamInfo?
    ) {
        self.url = url
        self.formatName = formatName
        self.duration = duration
        self.video = video
        self.audio = audio
    }

    /// Whether the file is a single picture (JPEG, PNG...) rather than a moving video.
    public var isStillImage: Bool {
        guard let video else { return false }
        let imageFormats: Set<String> = ["image2", "image2pipe"]
        return imageFormats.contains(formatName) || formatName.hasSuffix("_pipe") || video.frameCount == 1
    }
}

/// A video stream as `ffprobe` describes it.
public struct VideoStreamInfo: Sendable, Equatable {
    /// The stream's index in the file (ffmpeg's `0:N`).
    public var index: Int
    /// ffmpeg's codec name, e.g. `"h264"`.
    public var codec: String
    /// The displayed width in square pixels, after rotation and pixel aspect ratio.
    public var width: Int
    /// The displayed height in pixels, after rotation.
    public var height: Int
    /// The average frame rate, or nil when the file does not say.
    public var frameRate: Double?
    /// The number of frames when the container records it.
    public var frameCount: Int?

    /// Creates a description.
    public init(index: Int, codec: String, width: Int, height: Int, frameRate: Double?, frameCount: Int?) {
        self.index = index
        self.codec = codec
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.frameCount = frameCount
    }
}

/// An audio stream as `ffprobe` describes it.
public struct AudioStreamInfo: Sendable, Equatable {
    /// The stream's index in the file (ffmpeg's `0:N`).
    public var index: Int
    /// ffmpeg's codec name, e.g. `"vorbis"`.
    public var codec: String
    /// Samples per second per channel.
    public var sampleRate: Int
    /// The number of channels.
    public var channels: Int

    /// Creates a description.
    public init(index: Int, codec: String, sampleRate: Int, channels: Int) {
        self.index = index
        self.codec = codec
        self.sampleRate = sampleRate
        self.channels = channels
    }
}
