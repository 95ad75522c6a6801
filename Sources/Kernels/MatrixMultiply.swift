/// `C = epilogue(A · B + bias)` with register-blocked AVX2 microkernels and the epilogue fused into
/// the stores, for the shapes of a small CNN's 1×1 convolutions (few rows, narrow panels).
///
/// A is row-major with a leading dimension (so im2col rows and NHWC pixels both fit), B is packed
/// once at load time. Each 16-wide panel is computed up to 6 rows at a time (12 accumulators), a
/// 24-wide panel up to 4 rows at a time, with the rows spread evenly over the tiles. Columns are
/// taken in blocks whose packed B stays in L2 while the rows stream past it.
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

        /// Walks the rows in order, yielding each one's offset without dividing.
        struct Cursor {
            let layout: Layout
            var segment: Int
            var index: Int

            init(_ layout: Layout, at row: Int) {
                self.layout = layout
                segment = row / layout.segmentRows
                index = row % layout.segmentRows
            }

            @inline(__always)
            mutating func next() -> Int {
                let offset = segment * layout.segmentStride + index * layout.ldc
                index += 1
                if index == layout.segmentRows {
                    index = 0
                    segment += 1
                }
                return offset
            }
        }
    }

    /// Packed floats per column block: ~192 KiB, well inside a 512 KiB L2 beside A and C.
    static let blockFloats = 48 * 1024

    /// Computes rows `rowRange` of `C = epilogue(A · B + bias)`.
    ///
    /// - Parameters:
    ///   - rowRange: the rows of A and C to compute (a thread's share, or all of them).
    ///   - panelRange: the column panels of B to compute (`0..<b.panelCount`; all by default).
    ///   - a: A, `b.rows` used floats per row.
    ///   - lda: floats between rows of A.
    ///   - b: the packed right-hand matrix (`PackedMatrix.view`).
    ///   - bias: `b.columns` floats added to every row.
    ///   - c: C, `b.columns` used floats per row.
    ///   - layout: where C's rows are (and the residual's, which has C's layout).
    ///   - epilogue: what to apply before storing.
    public static func run(
        rows rowRange: Range<Int>, panels panelRange: Range<Int>? = nil, a: UnsafePointer<Float>, lda: Int,
        b: PackedMatrix.View, bias: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, layout: Layout,
        epilogue: Epilogue
    ) {
        guard !rowRange.isEmpty else { return }
        let mode: Int
        let residual: UnsafePointer<Float>?
        switch epilogue {
        case .bias: (mode, residual) = (0, nil)
        case .biasReLU6: (mode, residual) = (1, nil)
        case .biasResidual(let r): (mode, residual) = (2, r)
        }
        let panels = panelRange ?? 0..<b.panelCount
        let panelsPerBlock = max(1, blockFloats / (b.rows * 16))
        var first = panels.lowerBound
        while first < panels.upperBound {
            let last = min(panels.upperBound, first + panelsPerBlock)
            for p in first..<last {
                let (start, width) = b.panel(p)
                let panel = Panel(
                    a: a, lda: lda, k: b.rows, b: b.data(startingAt: start), bias: bias + start, c: c + start,
                    residual: residual.map { $0 + start }, layout: layout, mode: mode)
                if width == 16 { sweep16(panel, rowRange) } else { sweep24(panel, rowRange) }
            }
            first = last
        }
    }

    /// Everything a tile needs to know about one column panel.
    struct Panel {
        var a: UnsafePointer<Float>
        var lda: Int
        var k: Int
        var b: UnsafePointer<Float>
        var bias: UnsafePointer<Float>
        var c: UnsafeMutablePointer<Float>
        var residual: UnsafePointer<Float>?
        var layout: Layout
        /// 0: bias, 1: bias + ReLU6, 2: bias + residual.
        var mode: Int
    }

    // The rows are spread evenly over the fewest tiles (49 = 4×6 + 5×5, not 8×6 + 1): a tile of one
    // or two rows has too few independent accumulators to keep the FMA units busy. The tile height
    // is a type parameter, so every height gets its own specialised copy with the count constant
    // and the unused accumulators gone, whatever the inliner decides.

    /// All rows of a 16-wide panel.
    private static func sweep16(_ panel: Panel, _ rows: Range<Int>) {
        let tiles = (rows.count + 5) / 6
        var cursor = Layout.Cursor(panel.layout, at: rows.lowerBound)
        var row = rows.lowerBound
        for t in 0..<tiles {
            let count = rows.count / tiles + (t < rows.count % tiles ? 1 : 0)
            switch count {
            case 6: tile16(Rows6.self, panel, row, &cursor)
            case 5: tile16(Rows5.self, panel, row, &cursor)
            case 4: tile16(Rows4.self, panel, row, &cursor)
            case 3: tile16(Rows3.self, panel, row, &cursor)
            case 2: tile16(Rows2.self, panel, row, &cursor)
            default: tile16(Rows1.self, panel, row, &cursor)
            }
            row += count
        }
    }

    /// All rows of a 24-wide panel.
    private static func sweep24(_ panel: Panel, _ rows: Range<Int>) {
        let tiles = (rows.count + 3) / 4
        var cursor = Layout.Cursor(panel.layout, at: rows.lowerBound)
        var row = rows.lowerBound
        for t in 0..<tiles {
            let count = rows.count / tiles + (t < rows.count % tiles ? 1 : 0)
            switch count {
            case 4: tile24(Rows4.self, panel, row, &cursor)
            case 3: tile24(Rows3.self, panel, row, &cursor)
            case 2: tile24(Rows2.self, panel, row, &cursor)
            default: tile24(Rows1.self, panel, row, &cursor)
            }
            row += count
        }
    }

    /// Bias, then ReLU6 (mode 1) or the residual (mode 2), then store.
    @inline(__always)
    private static func finish(
        _ value: SIMD8<Float>, _ panel: Panel, column: Int, offset: Int
    ) {
        var v = value + load8(panel.bias + column)
        if panel.mode == 1 { v = relu6(v) }
        if panel.mode == 2 { v += load8(panel.residual! + offset + column) }
        store8(v, panel.c + offset + column)
    }

    /// `R.count` (≤ 6) rows × 16 columns, starting at row `row`.
    @inline(never)
    private static func tile16<R: TileRows>(
        _: R.Type, _ panel: Panel, _ row: Int, _ cursor: inout Layout.Cursor
    ) {
        let rows = R.count
        let zero = SIMD8<Float>(repeating: 0)
        var c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero
        var c30 = zero, c31 = zero, c40 = zero, c41 = zero, c50 = zero, c51 = zero
        let lda = panel.lda
        let a0 = panel.a + row * lda
        let a1 = a0 + (rows > 1 ? lda : 0)
        let a2 = a0 + (rows > 2 ? 2 * lda : 0)
        let a3 = a0 + (rows > 3 ? 3 * lda : 0)
        let a4 = a0 + (rows > 4 ? 4 * lda : 0)
        let a5 = a0 + (rows > 5 ? 5 * lda : 0)
        var bp = panel.b
        for p in 0..<panel.k {
            let b0 = load8(bp)
            let b1 = load8(bp + 8)
            bp += 16
            var s = SIMD8<Float>(repeating: a0[p])
            c00 = s * b0 + c00
            c01 = s * b1 + c01
            if rows > 1 {
                s = SIMD8<Float>(repeating: a1[p])
                c10 = s * b0 + c10
                c11 = s * b1 + c11
            }
            if rows > 2 {
                s = SIMD8<Float>(repeating: a2[p])
                c20 = s * b0 + c20
                c21 = s * b1 + c21
            }
            if rows > 3 {
                s = SIMD8<Float>(repeating: a3[p])
                c30 = s * b0 + c30
                c31 = s * b1 + c31
            }
            if rows > 4 {
                s = SIMD8<Float>(repeating: a4[p])
                c40 = s * b0 + c40
                c41 = s * b1 + c41
            }
            if rows > 5 {
                s = SIMD8<Float>(repeating: a5[p])
                c50 = s * b0 + c50
                c51 = s * b1 + c51
            }
        }
        var o = cursor.next()
        finish(c00, panel, column: 0, offset: o)
        finish(c01, panel, column: 8, offset: o)
        if rows > 1 {
            o = cursor.next()
            finish(c10, panel, column: 0, offset: o)
            finish(c11, panel, column: 8, offset: o)
        }
        if rows > 2 {
            o = cursor.next()
            finish(c20, panel, column: 0, offset: o)
            finish(c21, panel, column: 8, offset: o)
        }
        if rows > 3 {
            o = cursor.next()
            finish(c30, panel, column: 0, offset: o)
            finish(c31, panel, column: 8, offset: o)
        }
        if rows > 4 {
            o = cursor.next()
            finish(c40, panel, column: 0, offset: o)
            finish(c41, panel, column: 8, offset: o)
        }
        if rows > 5 {
            o = cursor.next()
            finish(c50, panel, column: 0, offset: o)
            finish(c51, panel, column: 8, offset: o)
        }
    }

    /// `R.count` (≤ 4) rows × 24 columns, starting at row `row`.
    @inline(never)
    private static func tile24<R: TileRows>(
        _: R.Type, _ panel: Panel, _ row: Int, _ cursor: inout Layout.Cursor
    ) {
        let rows = R.count
        let zero = SIMD8<Float>(repeating: 0)
        var c00 = zero, c01 = zero, c02 = zero, c10 = zero, c11 = zero, c12 = zero
        var c20 = zero, c21 = zero, c22 = zero, c30 = zero, c31 = zero, c32 = zero
        let lda = panel.lda
        let a0 = panel.a + row * lda
        let a1 = a0 + (rows > 1 ? lda : 0)
        let a2 = a0 + (rows > 2 ? 2 * lda : 0)
        let a3 = a0 + (rows > 3 ? 3 * lda : 0)
        var bp = panel.b
        for p in 0..<panel.k {
            let b0 = load8(bp)
            let b1 = load8(bp + 8)
            let b2 = load8(bp + 16)
            bp += 24
            var s = SIMD8<Float>(repeating: a0[p])
            c00 = s * b0 + c00
            c01 = s * b1 + c01
            c02 = s * b2 + c02
            if rows > 1 {
                s = SIMD8<Float>(repeating: a1[p])
                c10 = s * b0 + c10
                c11 = s * b1 + c11
                c12 = s * b2 + c12
            }
            if rows > 2 {
                s = SIMD8<Float>(repeating: a2[p])
                c20 = s * b0 + c20
                c21 = s * b1 + c21
                c22 = s * b2 + c22
            }
            if rows > 3 {
                s = SIMD8<Float>(repeating: a3[p])
                c30 = s * b0 + c30
                c31 = s * b1 + c31
                c32 = s * b2 + c32
            }
        }
        finish3(c00, c01, c02, panel, cursor.next())
        if rows > 1 { finish3(c10, c11, c12, panel, cursor.next()) }
        if rows > 2 { finish3(c20, c21, c22, panel, cursor.next()) }
        if rows > 3 { finish3(c30, c31, c32, panel, cursor.next()) }
    }

    /// Finishes one 24-wide row.
    @inline(__always)
    private static func finish3(
        _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, _ panel: Panel, _ offset: Int
    ) {
        finish(v0, panel, column: 0, offset: offset)
        finish(v1, panel, column: 8, offset: offset)
        finish(v2, panel, column: 16, offset: offset)
    }
}

/// A microkernel tile's height as a type, so each height is compiled as its own specialisation.
protocol TileRows { static var count: Int { get } }
enum Rows1: TileRows { static var count: Int { 1 } }
enum Rows2: TileRows { static var count: Int { 2 } }
enum Rows3: TileRows { static var count: Int { 3 } }
enum Rows4: TileRows { static var count: Int { 4 } }
enum Rows5: TileRows { static var count: Int { 5 } }
enum Rows6: TileRows { static var count: Int { 6 } }

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
