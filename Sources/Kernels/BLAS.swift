import COpenBLAS

/// The few OpenBLAS entry points Scenophone uses, behind Swift names.
public enum BLAS {
    /// The name of the kernel family OpenBLAS picked for this CPU (e.g. "Haswell", "Zen").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The number of threads OpenBLAS uses for one call.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of threads OpenBLAS uses for one call, process-wide.
    ///
    /// One thread keeps OpenBLAS from waking (and spinning) its worker threads, which would steal the
    /// core that the audio thread needs.
    /// - Parameter count: the thread count, at least 1.
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The sum of the absolute values of `values` (`cblas_sasum`): the benchmarks' baseline for
    /// streaming floats once through memory.
    ///
    /// - Parameter values: the floats.
    /// - Returns: their absolute sum.
    public static func absoluteSum(_ values: UnsafeBufferPointer<Float>) -> Float {
        cblas_sasum(Int32(values.count), values.baseAddress, 1)
    }

    /// `C[m×n] = A[m×k] · B[k×n] (+ C when accumulate)`, all row-major with leading dimensions.
    ///
    /// - Parameters:
    ///   - m: rows of A and C.
    ///   - n: columns of B and C.
    ///   - k: columns of A, rows of B.
    ///   - a: A, with `lda` floats between rows.
    ///   - b: B, with `ldb` floats between rows; read transposed (B is then n×k) when `transposeB`.
    ///   - c: C, with `ldc` floats between rows.
    ///   - accumulate: add into C instead of overwriting it.
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb),
            accumulate ? 1 : 0, c, Int32(ldc))
    }
}
