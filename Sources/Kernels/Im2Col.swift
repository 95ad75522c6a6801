/// Rearranges k×k image patches into matrix rows so a dense convolution becomes one matrix product.
public enum Im2Col {
    /// Writes one row of `kernelSize² × channels` floats (tap-major, channel-minor) per output pixel.
    ///
    /// Taps outside the image are zero (the padding). The stem has 3 channels, so rows are short and
    /// this is a plain copy loop.
    /// - Parameters:
    ///   - input: one `height × width × channels` image.
    ///   - height: input rows.
    ///   - width: input columns.
    ///   - channels: channels per pixel.
    ///   - kernelSize: the filter's side.
    ///   - stride: the step between output pixels.
    ///   - padTop: zero rows above the input.
    ///   - padLeft: zero columns left of the input.
    ///   - outputHeight: output rows.
    ///   - outputWidth: output columns.
    ///   - output: `outputHeight × outputWidth` rows of `kernelSize² × channels` floats.
    public static func run(
        input: UnsafePointer<Float>, height: Int, width: Int, channels: Int, kernelSize: Int,
        stride: Int, padTop: Int, padLeft: Int, outputHeight: Int, outputWidth: Int,
        output: UnsafeMutablePointer<Float>
    ) {
        let rowLength = kernelSize * kernelSize * channels
        for oy in 0..<outputHeight {
            for ox in 0..<outputWidth {
                var out = output + (oy * outputWidth + ox) * rowLength
                for ky in 0..<kernelSize {
                    let iy = oy * stride + ky - padTop
                    for kx in 0..<kernelSize {
                        let ix = ox * stride + kx - padLeft
                        if iy >= 0 && iy < height && ix >= 0 && ix < width {
                            out.update(from: input + (iy * width + ix) * channels, count: channels)
                        } else {
                            out.update(repeating: 0, count: channels)
                        }
                        out += channels
                    }
                }
            }
        }
    }
}
