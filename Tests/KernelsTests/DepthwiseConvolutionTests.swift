import Kernels
import TestSupport
import Testing

/// The SIMD depthwise kernel against a direct scalar convolution in double precision.
@Suite struct DepthwiseConvolutionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var size: Int
        var kernel: Int
        var stride: Int
        var testDescription: String { "\(size)×\(size), \(kernel)×\(kernel), stride \(stride)" }
    }

    static let cases: [Case] = [1, 2, 3, 7, 9, 14, 17].flatMap { size in
        [(3, 1), (3, 2), (5, 1), (5, 2)].map { Case(size: size, kernel: $0.0, stride: $0.1) }
    }

    @Test(arguments: cases)
    func matchesADirectConvolution(_ c: Case) {
        let channels = c.size % 2 == 0 ? 24 : 16
        let output = (c.size + c.stride - 1) / c.stride
        let pad = max((output - 1) * c.stride + c.kernel - c.size, 0) / 2
        var random = SplitMix(seed: UInt64(c.size * 100 + c.kernel * 10 + c.stride))
        let input = (0..<(c.size * c.size * channels)).map { _ in random.nextFloat() * 4 - 2 }
        let weights = (0..<(c.kernel * c.kernel * channels)).map { _ in random.nextFloat() - 0.5 }
        let bias = (0..<channels).map { _ in random.nextFloat() * 2 - 1 }
        // Padded rows (zero columns around each image row) and a zero row for rows outside the image.
        let paddedWidth = (output - 1) * c.stride + c.kernel
        var padded = [Float](repeating: 0, count: c.size * paddedWidth * channels)
        for y in 0..<c.size {
            for x in 0..<c.size {
                for ch in 0..<channels {
                    padded[(y * paddedWidth + x + pad) * channels + ch] =
                        input[(y * c.size + x) * channels + ch]
                }
            }
        }
        let zeros = [Float](repeating: 0, count: paddedWidth * channels)
        var ours = [Float](repeating: .nan, count: output * output * channels)
        padded.withUnsafeBufferPointer { image in
            zeros.withUnsafeBufferPointer { zero in
                ours.withUnsafeMutableBufferPointer { out in
                    for oy in 0..<output {
                        let rows = (0..<c.kernel).map { ky -> UnsafePointer<Float> in
                            let iy = oy * c.stride + ky - pad
                            return iy >= 0 && iy < c.size
                                ? image.baseAddress! + iy * paddedWidth * channels : zero.baseAddress!
                        }
                        DepthwiseConvolution.row(
                            rows, kernelSize: c.kernel, stride: c.stride, channels: channels,
                            outputWidth: output,
                            weights: weights, bias: bias, output: out.baseAddress! + oy * output * channels)
                    }
                }
            }
        }

        var expected = [Float](repeating: 0, count: ours.count)
        for oy in 0..<output {
            for ox in 0..<output {
                for ch in 0..<channels {
                    var sum = Double(bias[ch])
                    for ky in 0..<c.kernel {
                        for kx in 0..<c.kernel {
                            let iy = oy * c.stride + ky - pad
                            let ix = ox * c.stride + kx - pad
                            guard iy >= 0, iy < c.size, ix >= 0, ix < c.size else { continue }
                            sum +=
                                Double(input[(iy * c.size + ix) * channels + ch])
                                * Double(weights[(ky * c.kernel + kx) * channels + ch])
                        }
                    }
                    expected[(oy * output + ox) * channels + ch] = Float(min(max(sum, 0), 6))
                }
            }
        }
        #expect(maxAbsoluteDifference(ours, expected) < 1e-5)
    }
}
