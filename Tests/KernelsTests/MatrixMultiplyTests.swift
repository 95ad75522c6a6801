import Kernels
import TestSupport
import Testing

/// The microkernels against OpenBLAS `cblas_sgemm` plus a separate epilogue pass.
@Suite struct MatrixMultiplyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var m: Int
        var k: Int
        var n: Int
        var testDescription: String { "\(m)×\(k)·\(k)×\(n)" }
    }

    /// Every row remainder (1–6), both panel widths, Lite0's narrowest and widest shapes.
    static let cases: [Case] = [
        Case(m: 1, k: 1280, n: 1000), Case(m: 7, k: 27, n: 32), Case(m: 11, k: 16, n: 24),
        Case(m: 49, k: 192, n: 1152),
        Case(m: 50, k: 1152, n: 320), Case(m: 196, k: 80, n: 40), Case(m: 100, k: 3, n: 16),
        Case(m: 27, k: 144, n: 56),
    ]

    @Test(arguments: cases)
    func matchesOpenBLASWithEveryEpilogue(_ c: Case) {
        var random = SplitMix(seed: UInt64(c.m * 7 + c.k * 3 + c.n))
        let a = (0..<(c.m * c.k)).map { _ in random.nextFloat() * 2 - 1 }
        let b = (0..<(c.k * c.n)).map { _ in random.nextFloat() * 2 - 1 }
        let bias = (0..<c.n).map { _ in random.nextFloat() * 4 - 2 }
        let residual = (0..<(c.m * c.n)).map { _ in random.nextFloat() }
        let packed = b.withUnsafeBufferPointer { PackedMatrix($0.baseAddress!, rows: c.k, columns: c.n) }
        residual.withUnsafeBufferPointer { skip in
            for epilogue in [Epilogue.bias, .biasReLU6, .biasResidual(skip.baseAddress!)] {
                var expected = [Float](repeating: 0, count: c.m * c.n)
                BLAS.multiply(m: c.m, n: c.n, k: c.k, a: a, lda: c.k, b: b, ldb: c.n, c: &expected, ldc: c.n)
                epilogue.apply(to: &expected, rows: c.m, channels: c.n, bias: bias)
                var ours = [Float](repeating: .nan, count: c.m * c.n)
                MatrixMultiply.run(
                    rows: 0..<c.m, a: a, lda: c.k, b: packed.view, bias: bias, c: &ours,
                    layout: .contiguous(c.n),
                    epilogue: epilogue)
                #expect(maxAbsoluteDifference(ours, expected) < 1e-4 * Float(c.k).squareRoot(), "\(epilogue)")
            }
        }
    }

    @Test func segmentedOutputLeavesTheGapsAlone() {
        let (m, k, n, segment, stride) = (20, 8, 16, 7, 9 * 16)
        var random = SplitMix(seed: 3)
        let a = (0..<(m * k)).map { _ in random.nextFloat() }
        let b = (0..<(k * n)).map { _ in random.nextFloat() }
        let bias = [Float](repeating: 0, count: n)
        let packed = b.withUnsafeBufferPointer { PackedMatrix($0.baseAddress!, rows: k, columns: n) }
        var dense = [Float](repeating: 0, count: m * n)
        MatrixMultiply.run(
            rows: 0..<m, a: a, lda: k, b: packed.view, bias: bias, c: &dense, layout: .contiguous(n),
            epilogue: .bias)
        let segments = (m + segment - 1) / segment
        var gapped = [Float](repeating: -7, count: segments * stride)
        MatrixMultiply.run(
            rows: 0..<m, a: a, lda: k, b: packed.view, bias: bias, c: &gapped,
            layout: .init(ldc: n, segmentRows: segment, segmentStride: stride), epilogue: .bias)
        for row in 0..<m {
            let at = (row / segment) * stride + (row % segment) * n
            #expect(Array(gapped[at..<(at + n)]) == Array(dense[(row * n)..<((row + 1) * n)]))
        }
        // The two pixels of padding after each 7-row segment are untouched.
        for s in 0..<segments {
            #expect(gapped[(s * stride + segment * n)..<((s + 1) * stride)].allSatisfy { $0 == -7 })
        }
    }
}
