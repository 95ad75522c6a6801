/// The right-hand matrix of a matrix product, packed once into column panels for `MatrixMultiply`.
///
/// The columns are cut into panels 16 wide (the last one 24 wide when the width is 8 more than a
/// multiple of 16); each panel stores its `rows × width` block contiguously, row by row, so the
/// microkernel reads it with unit stride.
public final class PackedMatrix: @unchecked Sendable {
    /// The packed data as plain values, which is what the kernels take (no reference counting on
    /// the hot path).
    public struct View: @unchecked Sendable {
        /// The first packed float.
        public let base: UnsafePointer<Float>
        /// Rows (the product's inner dimension).
        public let rows: Int
        /// Columns (the product's output width).
        public let columns: Int

        /// The number of column panels.
        @inline(__always)
        public var panelCount: Int { columns % 16 == 0 ? columns / 16 : (columns - 24) / 16 + 1 }

        /// Panel `index`'s first column and width.
        @inline(__always)
        public func panel(_ index: Int) -> (start: Int, width: Int) {
            (index * 16, columns % 16 != 0 && index == panelCount - 1 ? 24 : 16)
        }

        /// The packed block of the panel starting at column `start`.
        @inline(__always)
        func data(startingAt start: Int) -> UnsafePointer<Float> { base + start * rows }
    }

    /// The packed data; valid while the matrix lives.
    public let view: View
    private let storage: AlignedBuffer

    /// Packs a row-major `rows × columns` matrix.
    ///
    /// - Parameters:
    ///   - matrix: the matrix, `columns` floats per row.
    ///   - rows: its rows.
    ///   - columns: its columns, a multiple of 8 and at least 16.
    public init(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int) {
        precondition(
            columns % 8 == 0 && columns >= 16, "PackedMatrix needs a multiple of 8 columns, at least 16")
        storage = AlignedBuffer(count: rows * columns)
        view = View(base: storage.baseAddress, rows: rows, columns: columns)
        var out = storage.baseAddress
        for p in 0..<view.panelCount {
            let (start, width) = view.panel(p)
            for r in 0..<rows {
                out.update(from: matrix + r * columns + start, count: width)
                out += width
            }
        }
    }

    /// Rows (the product's inner dimension).
    public var rows: Int { view.rows }
    /// Columns (the product's output width).
    public var columns: Int { view.columns }
}
