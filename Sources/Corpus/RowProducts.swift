/// The dot product of a vector with every row of a matrix (`y = α·A·x`, row-major): the corpus
/// distances' one pass over all embeddings, and the lower bounds' pass over their projections.
///
/// Our own loop rather than BLAS `sgemv`: the pass is bound by memory bandwidth (it reads every
/// row once), so plain SIMD compiled for the toolchain's default target (SSE2 on x86-64, NEON on
/// aarch64) keeps up with the memory on any CPU, whereas a BLAS that does not recognise the CPU
/// falls back to slow generic kernels (Debian's OpenBLAS 0.3.21 runs SSE3 "Prescott" code on new
/// Xeons). One row at a time, read front to back, is what the hardware prefetcher streams best:
/// measured in C with the same codegen, it beat interleaving 2 or 4 rows (which share each load of
/// the vector) by 1.5× at 1280 columns and tied at 64.
public enum RowProducts {
    /// What computes the products, for benchmarks to print beside their figures.
    public static var kernelName: String {
        #if arch(x86_64)
            "Swift SIMD (x86-64 baseline: SSE2)"
        #elseif arch(arm64)
            "Swift SIMD (arm64: NEON)"
        #else
            "Swift SIMD (portable)"
        #endif
    }

    /// `output[i] = scale · (row i of matrix) · vector` for every row.
    ///
    /// - Parameters:
    ///   - matrix: `rows × columns` floats, row-major, rows contiguous.
    ///   - rows: the number of rows.
    ///   - columns: the length of a row and of `vector`.
    ///   - vector: `columns` floats.
    ///   - scale: the factor applied to every product.
    ///   - output: receives `rows` floats.
    public static func multiply(
        _ matrix: UnsafePointer<Float>, rows: Int, columns: Int, by vector: UnsafePointer<Float>,
        scale: Float, into output: UnsafeMutablePointer<Float>
    ) {
        for row in 0..<rows {
            output[row] = scale * product(matrix + row &* columns, vector, count: columns)
        }
    }

    /// The dot product of one row with the vector, in two chains of eight lanes (so the additions'
    /// latency is hidden), accumulated in float.
    @inline(__always)
    private static func product(_ a: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = SIMD8<Float>()
        var s1 = SIMD8<Float>()
        var i = 0
        while i &+ 16 <= count {
            s0 = load(a + i) * load(x + i) + s0
            s1 = load(a + (i &+ 8)) * load(x + (i &+ 8)) + s1
            i &+= 16
        }
        var sum = (s0 + s1).sum()
        while i < count {
            sum += a[i] * x[i]
            i &+= 1
        }
        return sum
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }
}
