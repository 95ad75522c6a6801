/// Turns a crop of an RGB24 image into a normalised float RGB image with two separable passes.
public enum ImageResampler {
    /// Resamples the crop with `vertical` then `horizontal`, then maps each value `x` to
    /// `x · scale[channel] + offset[channel]`.
    ///
    /// - Parameters:
    ///   - rgb: the whole image, 3 bytes per pixel.
    ///   - rowBytes: bytes from one image row to the next.
    ///   - cropTop: the crop's first row.
    ///   - cropLeft: the crop's first column.
    ///   - vertical: crop rows → output rows.
    ///   - horizontal: crop columns → output columns.
    ///   - scale: per-channel multiplier applied after resampling.
    ///   - offset: per-channel addend applied after scaling.
    ///   - scratch: at least `vertical.outputCount × horizontal.inputCount × 3 + 8` floats.
    ///   - output: `vertical.outputCount × horizontal.outputCount × 3` floats (HWC).
    public static func run(
        rgb: UnsafePointer<UInt8>, rowBytes: Int, cropTop: Int, cropLeft: Int,
        vertical: ResamplingFilter, horizontal: ResamplingFilter, scale: SIMD3<Float>,
        offset: SIMD3<Float>, scratch: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let rowFloats = horizontal.inputCount * 3
        vertical.weights.withUnsafeBufferPointer { vw in
            for oy in 0..<vertical.outputCount {
                let dst = scratch + oy * rowFloats
                dst.update(repeating: 0, count: rowFloats)
                let first = vertical.starts[oy]
                for t in 0..<vertical.taps {
                    let weight = vw[oy * vertical.taps + t]
                    if weight == 0 { continue }
                    accumulate(
                        rgb + (cropTop + first + t) * rowBytes + cropLeft * 3, count: rowFloats,
                        weight: weight, into: dst)
                }
            }
        }
        // Trailing floats let the 4-lane loads below read one float past the last pixel (the fourth
        // lane is never stored).
        (scratch + vertical.outputCount * rowFloats).update(repeating: 0, count: 8)
        let scale4 = SIMD4<Float>(scale, 0)
        let offset4 = SIMD4<Float>(offset, 0)
        horizontal.weights.withUnsafeBufferPointer { hw in
            horizontal.starts.withUnsafeBufferPointer { starts in
                for oy in 0..<vertical.outputCount {
                    let src = scratch + oy * rowFloats
                    let dst = output + oy * horizontal.outputCount * 3
                    for ox in 0..<horizontal.outputCount {
                        var sum = SIMD4<Float>(repeating: 0)
                        let base = src + starts[ox] * 3
                        for t in 0..<horizontal.taps {
                            let pixel = UnsafeRawPointer(base + t * 3).loadUnaligned(as: SIMD4<Float>.self)
                            sum = pixel * hw[ox * horizontal.taps + t] + sum
                        }
                        let value = sum * scale4 + offset4
                        dst[ox * 3] = value.x
                        dst[ox * 3 + 1] = value.y
                        dst[ox * 3 + 2] = value.z
                    }
                }
            }
        }
    }

    /// `dst[i] += weight · Float(src[i])` for `count` bytes.
    @inline(__always)
    private static func accumulate(
        _ src: UnsafePointer<UInt8>, count: Int, weight: Float, into dst: UnsafeMutablePointer<Float>
    ) {
        // A plain loop: the compiler vectorises the byte-to-float conversion and the multiply-add.
        for i in 0..<count { dst[i] += weight * Float(src[i]) }
    }
}
