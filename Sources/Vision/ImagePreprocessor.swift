import Kernels

/// Turns any RGB24 image into the network's input: a centre square crop of 0.875 × the short side,
/// an antialiased (triangle-filter) resize to 224 × 224, then per-channel normalisation.
///
/// The crop matches ImageNet evaluation (224 of 256); the antialiased resize keeps large frames from
/// aliasing; both follow `../shared/bench/lite0_ref.py`, which produced the golden tensors. Not
/// thread-safe: it keeps the filter for the last crop size and a scratch buffer, so a stream of
/// same-sized frames allocates nothing.
public final class ImagePreprocessor {
    /// The fraction of the short side kept by the centre crop.
    public static let cropFraction = 0.875

    /// The side of the square output.
    public let outputSize: Int
    /// The normalisation applied after resizing.
    public let normalization: Normalization
    private var filter: ResamplingFilter?
    private var scratch = AlignedBuffer(count: 0)

    /// Creates a preprocessor.
    ///
    /// - Parameters:
    ///   - outputSize: the side of the square output.
    ///   - normalization: how to map 0…255 values.
    public init(outputSize: Int = 224, normalization: Normalization = .tensorflow) {
        self.outputSize = outputSize
        self.normalization = normalization
    }

    /// The centre crop of a `width × height` image: a square of `round(0.875 × short side)` pixels
    /// (half-way cases to even, as the reference does).
    ///
    /// - Parameters:
    ///   - width: image columns, at least 1.
    ///   - height: image rows, at least 1.
    /// - Returns: the crop's first row, first column and side.
    public static func centreCrop(width: Int, height: Int) -> (top: Int, left: Int, side: Int) {
        let side = max(1, Int((Double(min(width, height)) * cropFraction).rounded(.toNearestOrEven)))
        return ((height - side) / 2, (width - side) / 2, side)
    }

    /// Writes the normalised `outputSize × outputSize × 3` (HWC) input for one image.
    ///
    /// - Parameters:
    ///   - rgb: `width × height × 3` bytes, row-major.
    ///   - width: image columns.
    ///   - height: image rows.
    ///   - output: `outputSize² × 3` floats.
    /// - Throws: `VisionError.emptyImage` for a 0-pixel image, `.bufferSize` when `rgb` or `output`
    ///   has the wrong length.
    public func run(
        rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
        into output: UnsafeMutableBufferPointer<Float>
    ) throws {
        guard width > 0, height > 0 else { throw VisionError.emptyImage(width: width, height: height) }
        guard rgb.count == width * height * 3 else {
            throw VisionError.bufferSize(
                what: "the \(width)×\(height) RGB image", expected: width * height * 3, found: rgb.count)
        }
        let outputCount = outputSize * outputSize * 3
        guard output.count == outputCount else {
            throw VisionError.bufferSize(
                what: "the preprocessed image", expected: outputCount, found: output.count)
        }
        let crop = Self.centreCrop(width: width, height: height)
        if filter?.inputCount != crop.side {
            filter = ResamplingFilter(inputCount: crop.side, outputCount: outputSize)
        }
        let needed = outputSize * crop.side * 3 + 8
        if scratch.count < needed { scratch = AlignedBuffer(count: needed) }
        let scale = 1 / normalization.standardDeviation
        ImageResampler.run(
            rgb: rgb.baseAddress!, rowBytes: width * 3, cropTop: crop.top, cropLeft: crop.left,
            vertical: filter!, horizontal: filter!, scale: scale, offset: -normalization.mean * scale,
            scratch: scratch.baseAddress, output: output.baseAddress!)
    }
}
