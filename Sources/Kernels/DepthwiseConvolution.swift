/// Depthwise k×k convolution of NHWC rows with bias and ReLU6 fused: one output row at a time,
/// from `k` input rows that already carry their zero padding (so the inner loops have no bounds
/// checks). Rows outside the image are passed as an all-zero row.
public enum DepthwiseConvolution {
    /// Computes one output row.
    ///
    /// Output pixel `x`, tap `(ky, kx)` reads column `x · stride + kx` of padded row `ky`.
    /// - Parameters:
    ///   - rows: `kernelSize` pointers to padded input rows (`channels` floats per column).
    ///   - kernelSize: the filter's side.
    ///   - stride: 1 or 2.
    ///   - channels: channels, a multiple of 8.
    ///   - outputWidth: output pixels in the row.
    ///   - weights: `kernelSize² × channels` floats (tap-major, channel-minor).
    ///   - bias: `channels` floats.
    ///   - output: `outputWidth × channels` floats.
    public static func row(
        _ rows: UnsafePointer<UnsafePointer<Float>>, kernelSize: Int, stride: Int, channels: Int,
        outputWidth: Int,
        weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        precondition(channels % 8 == 0, "depthwise convolution needs a multiple of 8 channels")
        switch (kernelSize, stride) {
        case (3, 1): convolve3x3s1(rows, channels, outputWidth, weights, bias, output)
        case (3, 2): convolve3x3s2(rows, channels, outputWidth, weights, bias, output)
        case (5, 1): convolve5x5s1(rows, channels, outputWidth, weights, bias, output)
        case (5, 2): convolve5x5s2(rows, channels, outputWidth, weights, bias, output)
        default: convolve(rows, k: kernelSize, s: stride, channels, outputWidth, weights, bias, output)
        }
    }

    // One function per kernel size and stride, so each is compiled with them as constants: the tap
    // loops unroll and loads shared between neighbouring taps are issued once.
    @inline(never) private static func convolve3x3s1(
        _ rows: UnsafePointer<UnsafePointer<Float>>, _ c: Int, _ width: Int, _ weights: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>
    ) {
        convolve(rows, k: 3, s: 1, c, width, weights, bias, output)
    }
    @inline(never) private static func convolve3x3s2(
        _ rows: UnsafePointer<UnsafePointer<Float>>, _ c: Int, _ width: Int, _ weights: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>
    ) {
        convolve(rows, k: 3, s: 2, c, width, weights, bias, output)
    }
    @inline(never) private static func convolve5x5s1(
        _ rows: UnsafePointer<UnsafePointer<Float>>, _ c: Int, _ width: Int, _ weights: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>
    ) {
        convolve(rows, k: 5, s: 1, c, width, weights, bias, output)
    }
    @inline(never) private static func convolve5x5s2(
        _ rows: UnsafePointer<UnsafePointer<Float>>, _ c: Int, _ width: Int, _ weights: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>
    ) {
        convolve(rows, k: 5, s: 2, c, width, weights, bias, output)
    }

    @inline(__always)
    private static func convolve(
        _ rows: UnsafePointer<UnsafePointer<Float>>, k: Int, s: Int, _ c: Int, _ width: Int,
        _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>
    ) {
        var x = 0
        // Four output pixels × 16 channels: eight accumulators, each weight load used four times.
        while x + 4 <= width {
            var g = 0
            while g + 16 <= c {
                let b0 = load8(bias + g)
                let b1 = load8(bias + g + 8)
                var p00 = b0, p01 = b1, p10 = b0, p11 = b1, p20 = b0, p21 = b1, p30 = b0, p31 = b1
                for ky in 0..<k {
                    let row = rows[ky] + x * s * c + g
                    let taps = weights + ky * k * c + g
                    for kx in 0..<k {
                        let w0 = load8(taps + kx * c)
                        let w1 = load8(taps + kx * c + 8)
                        let i0 = row + kx * c
                        let i1 = row + (s + kx) * c
                        let i2 = row + (2 * s + kx) * c
                        let i3 = row + (3 * s + kx) * c
                        p00 = p00.addingProduct(load8(i0), w0)
                        p01 = p01.addingProduct(load8(i0 + 8), w1)
                        p10 = p10.addingProduct(load8(i1), w0)
                        p11 = p11.addingProduct(load8(i1 + 8), w1)
                        p20 = p20.addingProduct(load8(i2), w0)
                        p21 = p21.addingProduct(load8(i2 + 8), w1)
                        p30 = p30.addingProduct(load8(i3), w0)
                        p31 = p31.addingProduct(load8(i3 + 8), w1)
                    }
                }
                let o = output + x * c + g
                store8(relu6(p00), o)
                store8(relu6(p01), o + 8)
                store8(relu6(p10), o + c)
                store8(relu6(p11), o + c + 8)
                store8(relu6(p20), o + 2 * c)
                store8(relu6(p21), o + 2 * c + 8)
                store8(relu6(p30), o + 3 * c)
                store8(relu6(p31), o + 3 * c + 8)
                g += 16
            }
            if g < c {
                for j in 0..<4 { pixel8(rows, k: k, s: s, c, x + j, g, weights, bias, output) }
            }
            x += 4
        }
        while x < width {
            var g = 0
            while g < c {
                pixel8(rows, k: k, s: s, c, x, g, weights, bias, output)
                g += 8
            }
            x += 1
        }
    }

    /// One output pixel, eight channels.
    @inline(__always)
    private static func pixel8(
        _ rows: UnsafePointer<UnsafePointer<Float>>, k: Int, s: Int, _ c: Int, _ x: Int, _ g: Int,
        _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>
    ) {
        var a = load8(bias + g)
        for ky in 0..<k {
            let row = rows[ky] + x * s * c + g
            let taps = weights + ky * k * c + g
            for kx in 0..<k { a = a.addingProduct(load8(row + kx * c), load8(taps + kx * c)) }
        }
        store8(relu6(a), output + x * c + g)
    }
}
