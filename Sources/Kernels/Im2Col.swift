/// Rearranges k×k image patches into matrix rows, so a dense convolution becomes a matrix product.
///
/// Each output pixel gets one row of `kernelSize² × channels` floats (tap-major, channel-minor);
/// taps outside the image are zero (the padding). Lite0's stem has 3 input channels, so rows are
/// short and this is a plain copy loop.
public struct Im2Col: Sendable, Equatable {
    public var height: Int
    public var width: Int
    public var channels: Int
    public var kernelSize: Int
    public var stride: Int
    /// Zero rows above (and columns left of) the input.
    public var padBefore: Int
    public var outputHeight: Int
    public var outputWidth: Int

    /// Describes a convolution's patch geometry.
    ///
    /// - Parameters:
    ///   - height: input rows.
    ///   - width: input columns.
    ///   - channels: input channels.
    ///   - kernelSize: the filter's side.
    ///   - stride: the step between output pixels.
    ///   - padBefore: zero rows above and columns left of the input.
    ///   - outputHeight: output rows.
    ///   - outputWidth: output columns.
    public init(
        height: Int, width: Int, channels: Int, kernelSize: Int, stride: Int, padBefore: Int,
        outputHeight: Int,
        outputWidth: Int
    ) {
        self.height = height
        self.width = width
        self.channels = channels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padBefore = padBefore
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
    }

    /// Floats in one patch row.
    public var rowLength: Int { kernelSize * kernelSize * channels }

    /// Writes the patch rows of output image rows `rows`, `outputWidth` patch rows per image row.
    ///
    /// - Parameters:
    ///   - rows: the output image rows.
    ///   - input: one `height × width × channels` image.
    ///   - output: `rows.count × outputWidth × rowLength` floats.
    public func run(rows: Range<Int>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let span = kernelSize * channels
        var out = output
        for oy in rows {
            for ox in 0..<outputWidth {
                let left = ox * stride - padBefore
                let inside = left >= 0 && left + kernelSize <= width
                for ky in 0..<kernelSize {
                    let iy = oy * stride + ky - padBefore
                    if iy < 0 || iy >= height {
                        for i in 0..<span { out[i] = 0 }
                    } else if inside {
                        // The k taps of one patch row are adjacent pixels: one contiguous run.
                        let source = input + (iy * width + left) * channels
                        for i in 0..<span { out[i] = source[i] }
                    } else {
                        for kx in 0..<kernelSize {
                            let ix = left + kx
                            let valid = ix >= 0 && ix < width
                            for c in 0..<channels {
                                out[kx * channels + c] = valid ? input[(iy * width + ix) * channels + c] : 0
                            }
                        }
                    }
                    out += span
                }
            }
        }
    }
}
