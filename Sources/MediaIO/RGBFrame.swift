/// One decoded picture: RGB24, row-major, no padding between rows.
public struct RGBFrame: Sendable, Equatable {
    /// The presentation time in seconds from the start of the file (or of the capture).
    public var time: Double
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// `width × height × 3` bytes, R, G, B for each pixel, top row first.
    public var pixels: [UInt8]
    /// A small JPEG of the same picture, when the reader was asked for thumbnails.
    public var thumbnailJPEG: [UInt8]?

    /// Creates a frame.
    ///
    /// - Parameters:
    ///   - time: the presentation time in seconds.
    ///   - width: width in pixels.
    ///   - height: height in pixels.
    ///   - pixels: `width × height × 3` bytes.
    ///   - thumbnailJPEG: an optional JPEG thumbnail.
    public init(time: Double, width: Int, height: Int, pixels: [UInt8], thumbnailJPEG: [UInt8]? = nil) {
        precondition(pixels.count == width * height * 3, "RGB24 needs width × height × 3 bytes")
        self.time = time
        self.width = width
        self.height = height
        self.pixels = pixels
        self.thumbnailJPEG = thumbnailJPEG
    }
}
