/// `C = epilogue(A · B + bias)` with register-blocked AVX2 microkernels and the epilogue fused into
/// the stores, for the shapes of a small CNN's 1×1 convolutions (few rows, narrow panels).
///
/// A is row-major with a leading dimension (so im2col rows and NHWC pixels both fit), B is packed
/// once at load time. Each 16-wide panel is computed 6 rows at a time (12 accumulators), a 24-wide
/// panel 4 rows at a time; leftover rows use the same kernels with fewer rows. Columns are taken in
/// blocks whose packed B stays in L2 while the rows stream past it.
public enum MatrixMultiply {
    /// Where the rows of C live: `segmentRows` consecutive rows `ldc` floats apart, then the next
    /// segment `segmentStride` floats after the previous one's start. This writes an image's rows
    /// into a buffer with padding columns between them.
    public struct Layout: Sendable {
        public var ldc: Int
        public var segmentRows: Int
        public var segmentStride: Int

        /// Rows `ldc` floats apart, with no segments.
        ///
        /// - Parameter ldc: floats between rows.
        public static func contiguous(_ ldc: Int) -> Layout {
            Layout(ldc: ldc, segmentRows: .max, segmentStride: 0)
        }

        /// Segments of `segmentRows` rows `ldc` apart, segments `segmentStride` apart.
        ///
        /// - Parameters:
        ///   - ldc: floats between rows within a segment.
        ///   - segmentRows: rows per segment.
        ///   - segmentStride: floats between the starts of segments.
        public init(ldc: Int, segmentRows: Int, segmentStride: Int) {
            self.ldc = ldc
            self.segmentRows = segmentRows
            self.segmentStride = segmentStride
        }

        @inline(__always)
        func offset(_ row: Int) -> Int { (row / segmentRows) * segmentStride + (row % segmentRows) * ldc }
    }

    /// Packed floats per column block: ~192 KiB, well inside a 512 KiB L2 beside A and C.
    static let blockFloats = 48 * 1024

    /// Computes rows `rowRange` of `C = epilogue(A · B + bias)`.
    ///
    /// - Parameters:
    ///   - rowRange: the rows of A and C to compute (a thread's share, or all of them).
    ///   - a: A, `b.rows` used floats per row.
    ///   - lda: floats between rows of A.
    ///   - b: the packed right-hand matrix.
    ///   - bias: `b.columns` floats added to every row.
    ///   - c: C, `b.columns` used floats per row.
    ///   - layout: where C's rows are (and the residual's, which has C's layout).
    ///   - epilogue: what to apply before storing.
    public static func run(
        rows rowRange: Range<Int>, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix,
        bias: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, layout: Layout, epilogue: Epilogue
    ) {
        let panelsPerBlock = max(1, blockFloats / (b.rows * 16))
        var first = 0
        while first < b.panels.count {
            let last = min(b.panels.count, first + panelsPerBlock)
            switch epilogue {
            case .bias: block(rowRange, a, lda, b, first..<last, bias, c, layout, mode: 0, residual: nil)
            case .biasReLU6: block(rowRange, a, lda, b, first..<last, bias, c, layout, mode: 1, residual: nil)
            case .biasResidual(let r):
                block(rowRange, a, lda, b, first..<last, bias, c, layout, mode: 2, residual: r)
            }
            first = last
        }
    }

    @inline(__always)
    private static func block(
        _ rowRange: Range<Int>, _ a: UnsafePointer<Float>, _ lda: Int, _ b: PackedMatrix,
        _ panels: Range<Int>,
        _ bias: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ layout: Layout, mode: Int,
        residual: UnsafePointer<Float>?
    ) {
        let k = b.rows
        for p in panels {
            let (start, width) = b.panels[p]
            let packed = b.panel(startingAt: start)
            var row = rowRange.lowerBound
            let tile = width == 16 ? 6 : 4
            while row < rowRange.upperBound {
                let rows = min(tile, rowRange.upperBound - row)
                let out = Rows(c + start, residual.map { $0 + start }, layout, first: row, count: rows)
                let input = a + row * lda
                if width == 16 {
                    switch rows {
                    case 6: tile16x6(k, input, lda, packed, bias + start, out, mode)
                    case 5: tile16x5(k, input, lda, packed, bias + start, out, mode)
                    case 4: tile16x4(k, input, lda, packed, bias + start, out, mode)
                    case 3: tile16x3(k, input, lda, packed, bias + start, out, mode)
                    case 2: tile16x2(k, input, lda, packed, bias + start, out, mode)
                    default: tile16x1(k, input, lda, packed, bias + start, out, mode)
                    }
                } else {
                    switch rows {
                    case 4: tile24x4(k, input, lda, packed, bias + start, out, mode)
                    case 3: tile24x3(k, input, lda, packed, bias + start, out, mode)
                    case 2: tile24x2(k, input, lda, packed, bias + start, out, mode)
                    default: tile24x1(k, input, lda, packed, bias + start, out, mode)
                    }
                }
                row += rows
            }
        }
    }

    // One function per row count: the compiler then unrolls each tile with its count as a constant
    // (inlining all of them into one caller exceeds the inliner's size limits).
    @inline(never) private static func tile16x6(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ out: Rows, _ mode: Int
    ) { tile16(6, k, a, lda, b, bias, out, mode) }
    @inline(never) private static func tile16x5(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ out: Rows, _ mode: Int
    ) { tile16(5, k, a, lda, b, bias, out, mode) }
    @inline(never) private static func tile16x4(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ out: Rows, _ mode: Int
    ) { tile16(4, k, a, lda, b, bias, out, mode) }
    @inline(never) private static func tile16x3(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ out: Rows, _ mode: Int
    ) { tile16(3, k, a, lda, b, bias, out, mode) }
    @inline(never) private static func tile16x2(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ out: Rows, _ mode: Int
    ) { tile16(2, k, a, lda, b, bias, out, mode) }
    @inline(never) private static func tile16x1(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ out: Rows, _ mode: Int
    ) { tile16(1, k, a, lda, b, bias, out, mode) }
    @inline(never) private static func tile24x4(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ out: Rows, _ mode: Int
    ) { tile24(4, k, a, lda, b, bias, out, mode) }
    @inline(never) private static func tile24x3(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ out: Rows, _ mode: Int
    ) { tile24(3, k, a, lda, b, bias, out, mode) }
    @inline(never) private static func tile24x2(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ out: Rows, _ mode: Int
    ) { tile24(2, k, a, lda, b, bias, out, mode) }
    @inline(never) private static func tile24x1(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ out: Rows, _ mode: Int
    ) { tile24(1, k, a, lda, b, bias, out, mode) }

    /// The output (and residual) addresses of up to six consecutive rows.
    private struct Rows {
        var c:
            (
                UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>
            )
        var residualOffsets: (Int, Int, Int, Int, Int, Int)
        var residual: UnsafePointer<Float>?

        @inline(__always)
        init(
            _ c: UnsafeMutablePointer<Float>, _ residual: UnsafePointer<Float>?, _ layout: Layout, first: Int,
            count: Int
        ) {
            let o0 = layout.offset(first)
            let o1 = count > 1 ? layout.offset(first + 1) : o0
            let o2 = count > 2 ? layout.offset(first + 2) : o0
            let o3 = count > 3 ? layout.offset(first + 3) : o0
            let o4 = count > 4 ? layout.offset(first + 4) : o0
            let o5 = count > 5 ? layout.offset(first + 5) : o0
            self.c = (c + o0, c + o1, c + o2, c + o3, c + o4, c + o5)
            residualOffsets = (o0, o1, o2, o3, o4, o5)
            self.residual = residual
        }
    }

    /// Bias, then ReLU6 (mode 1) or the residual (mode 2), then store.
    @inline(__always)
    private static func finish(
        _ value: SIMD8<Float>, _ bias: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, mode: Int,
        _ residual: UnsafePointer<Float>?, _ offset: Int
    ) {
        var v = value + load8(bias)
        if mode == 1 { v = relu6(v) }
        if mode == 2 { v += load8(residual! + offset) }
        store8(v, out)
    }

    /// `rows` (≤ 6) rows × 16 columns.
    @inline(__always)
    private static func tile16(
        _ rows: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ out: Rows, _ mode: Int
    ) {
        let zero = SIMD8<Float>(repeating: 0)
        var c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero
        var c30 = zero, c31 = zero, c40 = zero, c41 = zero, c50 = zero, c51 = zero
        let a0 = a
        let a1 = a + (rows > 1 ? lda : 0)
        let a2 = a + (rows > 2 ? 2 * lda : 0)
        let a3 = a + (rows > 3 ? 3 * lda : 0)
        let a4 = a + (rows > 4 ? 4 * lda : 0)
        let a5 = a + (rows > 5 ? 5 * lda : 0)
        var bp = b
        for p in 0..<k {
            let b0 = load8(bp)
            let b1 = load8(bp + 8)
            bp += 16
            var s = SIMD8<Float>(repeating: a0[p])
            c00 = c00.addingProduct(s, b0)
            c01 = c01.addingProduct(s, b1)
            if rows > 1 {
                s = SIMD8<Float>(repeating: a1[p])
                c10 = c10.addingProduct(s, b0)
                c11 = c11.addingProduct(s, b1)
            }
            if rows > 2 {
                s = SIMD8<Float>(repeating: a2[p])
                c20 = c20.addingProduct(s, b0)
                c21 = c21.addingProduct(s, b1)
            }
            if rows > 3 {
                s = SIMD8<Float>(repeating: a3[p])
                c30 = c30.addingProduct(s, b0)
                c31 = c31.addingProduct(s, b1)
            }
            if rows > 4 {
                s = SIMD8<Float>(repeating: a4[p])
                c40 = c40.addingProduct(s, b0)
                c41 = c41.addingProduct(s, b1)
            }
            if rows > 5 {
                s = SIMD8<Float>(repeating: a5[p])
                c50 = c50.addingProduct(s, b0)
                c51 = c51.addingProduct(s, b1)
            }
        }
        let r = out.residual
        let o = out.residualOffsets
        finish(c00, bias, out.c.0, mode: mode, r, o.0)
        finish(c01, bias + 8, out.c.0 + 8, mode: mode, r, o.0 + 8)
        if rows > 1 {
            finish(c10, bias, out.c.1, mode: mode, r, o.1)
            finish(c11, bias + 8, out.c.1 + 8, mode: mode, r, o.1 + 8)
        }
        if rows > 2 {
            finish(c20, bias, out.c.2, mode: mode, r, o.2)
            finish(c21, bias + 8, out.c.2 + 8, mode: mode, r, o.2 + 8)
        }
        if rows > 3 {
            finish(c30, bias, out.c.3, mode: mode, r, o.3)
            finish(c31, bias + 8, out.c.3 + 8, mode: mode, r, o.3 + 8)
        }
        if rows > 4 {
            finish(c40, bias, out.c.4, mode: mode, r, o.4)
            finish(c41, bias + 8, out.c.4 + 8, mode: mode, r, o.4 + 8)
        }
        if rows > 5 {
            finish(c50, bias, out.c.5, mode: mode, r, o.5)
            finish(c51, bias + 8, out.c.5 + 8, mode: mode, r, o.5 + 8)
        }
    }

    /// `rows` (≤ 4) rows × 24 columns.
    @inline(__always)
    private static func tile24(
        _ rows: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ out: Rows, _ mode: Int
    ) {
        let zero = SIMD8<Float>(repeating: 0)
        var c00 = zero, c01 = zero, c02 = zero, c10 = zero, c11 = zero, c12 = zero
        var c20 = zero, c21 = zero, c22 = zero, c30 = zero, c31 = zero, c32 = zero
        let a0 = a
        let a1 = a + (rows > 1 ? lda : 0)
        let a2 = a + (rows > 2 ? 2 * lda : 0)
        let a3 = a + (rows > 3 ? 3 * lda : 0)
        var bp = b
        for p in 0..<k {
            let b0 = load8(bp)
            let b1 = load8(bp + 8)
            let b2 = load8(bp + 16)
            bp += 24
            var s = SIMD8<Float>(repeating: a0[p])
            c00 = c00.addingProduct(s, b0)
            c01 = c01.addingProduct(s, b1)
            c02 = c02.addingProduct(s, b2)
            if rows > 1 {
                s = SIMD8<Float>(repeating: a1[p])
                c10 = c10.addingProduct(s, b0)
                c11 = c11.addingProduct(s, b1)
                c12 = c12.addingProduct(s, b2)
            }
            if rows > 2 {
                s = SIMD8<Float>(repeating: a2[p])
                c20 = c20.addingProduct(s, b0)
                c21 = c21.addingProduct(s, b1)
                c22 = c22.addingProduct(s, b2)
            }
            if rows > 3 {
                s = SIMD8<Float>(repeating: a3[p])
                c30 = c30.addingProduct(s, b0)
                c31 = c31.addingProduct(s, b1)
                c32 = c32.addingProduct(s, b2)
            }
        }
        let r = out.residual
        let o = out.residualOffsets
        finish3(c00, c01, c02, bias, out.c.0, mode, r, o.0)
        if rows > 1 { finish3(c10, c11, c12, bias, out.c.1, mode, r, o.1) }
        if rows > 2 { finish3(c20, c21, c22, bias, out.c.2, mode, r, o.2) }
        if rows > 3 { finish3(c30, c31, c32, bias, out.c.3, mode, r, o.3) }
    }

    /// Finishes one 24-wide row.
    @inline(__always)
    private static func finish3(
        _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, _ bias: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, _ mode: Int, _ residual: UnsafePointer<Float>?, _ offset: Int
    ) {
        finish(v0, bias, out, mode: mode, residual, offset)
        finish(v1, bias + 8, out + 8, mode: mode, residual, offset + 8)
        finish(v2, bias + 16, out + 16, mode: mode, residual, offset + 16)
    }
}
