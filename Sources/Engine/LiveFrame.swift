import MediaIO

/// A camera picture handed to `LiveEngine.submit(_:)`: 8-bit RGB or RGBA pixels, row-major.
///
/// RGBA is what a browser canvas gives (`getImageData`); the alpha byte is ignored.
public struct LiveFrame: Sendable {
    /// How the bytes of one pixel are laid out.
    public enum PixelLayout: Int, Sendable {
        /// Red, green, blue: 3 bytes per pixel.
        case rgb = 3
        /// Red, green, blue, alpha: 4 bytes per pixel.
        case rgba = 4
    }

    /// The largest side accepted: bigger pictures are a mistake or an attack, not a camera.
    public static let maximumSide = 4096

    /// The pixels, `height` rows of `width × layout.rawValue` bytes.
    public var pixels: [UInt8]
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Bytes per pixel and their order.
    public var layout: PixelLayout

    /// Wraps pixels without copying them.
    ///
    /// - Parameters:
    ///   - pixels: row-major pixel bytes.
    ///   - width: width in pixels.
    ///   - height: height in pixels.
    ///   - layout: RGB or RGBA.
    public init(pixels: [UInt8], width: Int, height: Int, layout: PixelLayout = .rgb) {
        self.pixels = pixels
        self.width = width
        self.height = height
        self.layout = layout
    }

    /// Wraps a decoded video or camera frame (RGB24).
    ///
    /// - Parameter frame: a frame from MediaIO.
    public init(_ frame: RGBFrame) {
        self.init(pixels: frame.pixels, width: frame.width, height: frame.height, layout: .rgb)
    }

    /// Checks that the size is sensible and the byte count matches it.
    ///
    /// - Throws: `LiveEngineError.invalidFrame` saying what is wrong.
    public func validate() throws(LiveEngineError) {
        guard width > 0, height > 0, width <= Self.maximumSide, height <= Self.maximumSide else {
            throw .invalidFrame("\(width)×\(height) pixels is outside 1…\(Self.maximumSide) on a side")
        }
        let expected = width * height * layout.rawValue
        guard pixels.count == expected else {
            throw .invalidFrame(
                "\(pixels.count) bytes for a \(width)×\(height) \(layout) picture, which needs \(expected)")
        }
    }
}
