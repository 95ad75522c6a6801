import Kernels
import TestSupport
import Testing

@Suite struct ImageResamplerTests {
    @Test(arguments: [(1, 224), (224, 224), (262, 224), (448, 224), (1000, 224), (3, 7)])
    func filterRowsAreNormalisedAndCentred(input: Int, output: Int) {
        let filter = ResamplingFilter(inputCount: input, outputCount: output)
        for o in 0..<output {
            let row = filter.weights[(o * filter.taps)..<((o + 1) * filter.taps)]
            #expect(abs(row.reduce(0, +) - 1) < 1e-5)
            #expect(row.allSatisfy { $0 >= 0 })
            let centre = (Double(o) + 0.5) * Double(input) / Double(output)
            let mean = row.enumerated().reduce(0.0) {
                $0 + Double($1.element) * (Double(filter.starts[o] + $1.offset) + 0.5)
            }
            // Truncation at the borders shifts the centre of mass by less than the support.
            #expect(abs(mean - centre) <= max(Double(input) / Double(output), 1))
        }
    }

    @Test func sameSizeIsTheIdentity() {
        let filter = ResamplingFilter(inputCount: 5, outputCount: 5)
        #expect(filter.taps == 1)
        #expect(filter.starts == [0, 1, 2, 3, 4])
        #expect(filter.weights == [1, 1, 1, 1, 1])
    }

    @Test func resamplingMatchesADirectSeparableSum() {
        let (width, height, top, left, side, out) = (41, 33, 3, 7, 29, 11)
        var random = SplitMix(seed: 7)
        let rgb = (0..<(width * height * 3)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let filter = ResamplingFilter(inputCount: side, outputCount: out)
        let scale = SIMD3<Float>(0.5, 0.25, 2)
        let offset = SIMD3<Float>(-1, 0, 3)
        var scratch = [Float](repeating: 0, count: out * side * 3 + 8)
        var ours = [Float](repeating: .nan, count: out * out * 3)
        ImageResampler.run(
            rgb: rgb, rowBytes: width * 3, cropTop: top, cropLeft: left, vertical: filter, horizontal: filter,
            scale: scale, offset: offset, scratch: &scratch, output: &ours)
        var expected = [Float](repeating: 0, count: ours.count)
        for oy in 0..<out {
            for ox in 0..<out {
                for c in 0..<3 {
                    var sum = 0.0
                    for ty in 0..<filter.taps {
                        for tx in 0..<filter.taps {
                            let y = top + filter.starts[oy] + ty
                            let x = left + filter.starts[ox] + tx
                            let w =
                                Double(filter.weights[oy * filter.taps + ty])
                                * Double(filter.weights[ox * filter.taps + tx])
                            if w != 0 { sum += w * Double(rgb[(y * width + x) * 3 + c]) }
                        }
                    }
                    expected[(oy * out + ox) * 3 + c] = Float(sum) * scale[c] + offset[c]
                }
            }
        }
        #expect(maxAbsoluteDifference(ours, expected) < 1e-3)
    }
}
