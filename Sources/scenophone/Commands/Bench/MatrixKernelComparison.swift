import Foundation
import Kernels

/// One of the network's matrix products timed with Scenophone's microkernels and with OpenBLAS.
///
/// This is the measurement behind the choice of microkernels over `cblas_sgemm` for the 1×1
/// convolutions; it re-runs on any machine with `scenophone bench vision --kernels`.
struct MatrixKernelComparison: Codable {
    var rows: Int
    var inner: Int
    var columns: Int
    /// Packed microkernels with the bias and ReLU6 fused into the stores.
    var microkernelMs: Double
    /// `cblas_sgemm` followed by a bias + ReLU6 pass, as a BLAS-based engine would do it.
    var openblasMs: Double

    /// Times every shape, each engine taking the best of five repetitions.
    ///
    /// - Parameter shapes: (rows, inner dimension, columns) per product.
    /// - Returns: one comparison per shape.
    static func measure(shapes: [(rows: Int, inner: Int, columns: Int)]) -> [MatrixKernelComparison] {
        var random = UInt64(0x2545_F491_4F6C_DD1D)
        func next() -> Float {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(random >> 40) / Float(1 << 24) - 0.5
        }
        return shapes.map { shape in
            let (m, k, n) = shape
            let a = AlignedBuffer((0..<(m * k)).map { _ in next() })
            let b = AlignedBuffer((0..<(k * n)).map { _ in next() })
            let bias = AlignedBuffer(count: n)
            let c = AlignedBuffer(count: m * n)
            let packed = PackedMatrix(b.baseAddress, rows: k, columns: n)
            let ours = best {
                MatrixMultiply.run(
                    rows: 0..<m, a: a.baseAddress, lda: k, b: packed.view, bias: bias.baseAddress,
                    c: c.baseAddress,
                    layout: .contiguous(n), epilogue: .biasReLU6)
            }
            let theirs = best {
                BLAS.multiply(
                    m: m, n: n, k: k, a: a.baseAddress, lda: k, b: b.baseAddress, ldb: n, c: c.baseAddress,
                    ldc: n)
                Epilogue.biasReLU6.apply(to: c.baseAddress, rows: m, channels: n, bias: bias.baseAddress)
            }
            return MatrixKernelComparison(
                rows: m, inner: k, columns: n, microkernelMs: ours, openblasMs: theirs)
        }
    }

    /// The fastest of five timed repetitions (each enough calls to last about 20 ms), in ms per call.
    ///
    /// Timed in this thread's CPU time, so being descheduled on a busy machine does not count.
    private static func best(_ body: () -> Void) -> Double {
        body()
        let once = threadMilliseconds(body)
        let calls = max(1, Int(20 / max(once, 1e-3)))
        var fastest = Double.infinity
        for _ in 0..<5 {
            fastest = min(fastest, threadMilliseconds { for _ in 0..<calls { body() } } / Double(calls))
        }
        return fastest
    }

    private static func threadMilliseconds(_ body: () -> Void) -> Double {
        var start = timespec()
        var end = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start)
        body()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end)
        return Double(end.tv_sec - start.tv_sec) * 1e3 + Double(end.tv_nsec - start.tv_nsec) / 1e6
    }
}
