/// Depthwise k×k convolution of NHWC rows with bias and ReLU6 fused: one output row at a time,
/// from `k` input rows that already carry their zero padding (so the inner loops have no bounds
/// checks). Rows outside the image are passed as an all-zero row.
public enum DepthwiseConvolution {
    /// Computes one output row.
    ///
    /// Output pixel `x`, tap `(ky, kx)` reads column `x · stride + kx` of padded row `ky`.
    /// - Parameters:
    ///   - rows: `kernelSize` pointers to padded input rows (`channels` floats per column).
    ///   - kernelSize: the filter's side, 3 or 5.
    ///   - stride: 1 or 2.
    ///   - channels: channels per pixel, a multiple of 8.
    ///   - channelRange: the channels to compute (multiples of 8; all by default), so threads can
    ///     share a row.
    ///   - outputWidth: output pixels in the row.
    ///   - weights: `kernelSize² × channels` floats (tap-major, channel-minor).
    ///   - bias: `channels` floats.
    ///   - output: `outputWidth × channels` floats.
    public static func row(
        _ rows: UnsafePointer<UnsafePointer<Float>>, kernelSize: Int, stride: Int, channels: Int,
        channelRange: Range<Int>? = nil, outputWidth: Int, weights: UnsafePointer<Float>,
        bias: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>
    ) {
        let g = channelRange ?? 0..<channels
        precondition(
            channels % 8 == 0 && g.lowerBound % 8 == 0 && g.upperBound % 8 == 0 && g.upperBound <= channels,
            "depthwise convolution works on whole groups of 8 channels")
        switch (kernelSize, stride) {
        case (3, 1): convolve(Filter3Stride1.self, rows, channels, g, outputWidth, weights, bias, output)
        case (3, 2): convolve(Filter3Stride2.self, rows, channels, g, outputWidth, weights, bias, output)
        case (5, 1): convolve(Filter5Stride1.self, rows, channels, g, outputWidth, weights, bias, output)
        case (5, 2): convolve(Filter5Stride2.self, rows, channels, g, outputWidth, weights, bias, output)
        default: preconditionFailure("depthwise convolution supports 3×3 and 5×5 filters with stride 1 or 2")
        }
    }

    /// Eight output pixels at a time, eight channels at a time. The last tile overlaps the one
    /// before it rather than leaving single pixels, whose one accumulator chain would run at an
    /// eighth of the speed (rows of 7 and 14 pixels are common); recomputed pixels get the same
    /// values.
    private static func convolve<F: FilterShape>(
        _: F.Type, _ rows: UnsafePointer<UnsafePointer<Float>>, _ c: Int, _ groups: Range<Int>, _ width: Int,
        _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>
    ) {
        if width >= 8 {
            var x = 0
            while x &+ 8 <= width {
                tile(F.self, Pixels8.self, rows, c, groups, x, weights, bias, output)
                x &+= 8
            }
            if x < width { tile(F.self, Pixels8.self, rows, c, groups, width &- 8, weights, bias, output) }
        } else if width >= 4 {
            tile(F.self, Pixels4.self, rows, c, groups, 0, weights, bias, output)
            tile(F.self, Pixels4.self, rows, c, groups, width &- 4, weights, bias, output)
        } else {
            for x in 0..<width { tile(F.self, Pixels1.self, rows, c, groups, x, weights, bias, output) }
        }
    }

    /// `P.count` adjacent output pixels, all channels. Eight accumulators (one per pixel) hide the
    /// FMA latency. Filter size, stride and tile width are type parameters, so each combination
    /// is its own specialised copy with the tap loops unrolled, whatever the inliner decides.
    private static func tile<F: FilterShape, P: PixelCount>(
        _: F.Type, _: P.Type, _ rows: UnsafePointer<UnsafePointer<Float>>, _ c: Int, _ groups: Range<Int>,
        _ x: Int,
        _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>
    ) {
        let n = P.count
        let k = F.size
        let s = F.stride
        var g = groups.lowerBound
        while g < groups.upperBound {
            let b = load8(bias + g)
            var a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b
            for ky in 0..<k {
                let row = rows[ky] + (x &* s &* c &+ g)
                let taps = weights + (ky &* k &* c &+ g)
                for kx in 0..<k {
                    let w = load8(taps + kx &* c)
                    a0 = load8(row + kx &* c) * w + a0
                    if n > 1 {
                        a1 = load8(row + (s &+ kx) &* c) * w + a1
                        a2 = load8(row + (2 &* s &+ kx) &* c) * w + a2
                        a3 = load8(row + (3 &* s &+ kx) &* c) * w + a3
                    }
                    if n > 4 {
                        a4 = load8(row + (4 &* s &+ kx) &* c) * w + a4
                        a5 = load8(row + (5 &* s &+ kx) &* c) * w + a5
                        a6 = load8(row + (6 &* s &+ kx) &* c) * w + a6
                        a7 = load8(row + (7 &* s &+ kx) &* c) * w + a7
                    }
                }
            }
            let o = output + (x &* c &+ g)
            store8(relu6(a0), o)
            if n > 1 {
                store8(relu6(a1), o + c)
                store8(relu6(a2), o + 2 &* c)
                store8(relu6(a3), o + 3 &* c)
            }
            if n > 4 {
                store8(relu6(a4), o + 4 &* c)
                store8(relu6(a5), o + 5 &* c)
                store8(relu6(a6), o + 6 &* c)
                store8(relu6(a7), o + 7 &* c)
            }
            g &+= 8
        }
    }
}

/// A depthwise filter's side and stride, as a type.
protocol FilterShape {
    static var size: Int { get }
    static var stride: Int { get }
}

enum Filter3Stride1: FilterShape {
    static var size: Int { 3 }
    static var stride: Int { 1 }
}

enum Filter3Stride2: FilterShape {
    static var size: Int { 3 }
    static var stride: Int { 2 }
}

enum Filter5Stride1: FilterShape {
    static var size: Int { 5 }
    static var stride: Int { 1 }
}

enum Filter5Stride2: FilterShape {
    static var size: Int { 5 }
    static var stride: Int { 2 }
}

/// A depthwise tile's width in output pixels, as a type.
protocol PixelCount { static var count: Int { get } }
enum Pixels1: PixelCount { static var count: Int { 1 } }
enum Pixels4: PixelCount { static var count: Int { 4 } }
enum Pixels8: PixelCount { static var count: Int { 8 } }

// Debug builds compile each file on its own, so a helper from another file is a real call per
// vector there (four times slower kernels in `swift test`); the hot loops keep file-local copies.
@inline(__always)
private func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func store8(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}

/// `min(max(x, 0), 6)` lane by lane, as `vmaxps` + a blend (the generic `pointwiseMin`/`Max` are
/// not inlined and run lane by lane).
@inline(__always)
private func relu6(_ x: SIMD8<Float>) -> SIMD8<Float> {
    x.replacing(with: 0, where: x .< 0).replacing(with: 6, where: x .> 6)
}
