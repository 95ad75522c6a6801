/// The right-hand matrix of a matrix product, packed once into column panels for `MatrixMultiply`.
///
/// The columns are cut into panels 16 wide (the last one 24 wide when the width is 8 more than a
/// multiple of 16); each panel stores its `rows × width` block contiguously, row by row, so the
/// microkernel reads it with unit stride.
public final class PackedMatrix: @unchecked Sendable {
    /// Rows (the product's inner dimension).
    public let rows: Int
    /// Columns (the product's output width), a multiple of 8 and at least 16.
    public let columns: Int
    /// The panels' first columns and widths, in order.
    public let panels: [(start: Int, width: Int)]
    let storage: AlignedBuffer

    /// Packs a row-major `rows × columns` matrix.
    ///
    /// - Parameters:
    ///   - matrix: the matrix, `columns` floats per row.
    ///   - rows: its rows.
    ///   - columns: its columns, a multiple of 8 and at least 16.
    public init(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int) {
        precondition(
            columns % 8 == 0 && columns >= 16, "PackedMatrix needs a multiple of 8 columns, at least 16")
        self.rows = rows
        self.columns = columns
        var panels: [(Int, Int)] = []
        var start = 0
        while start < columns {
            let width = columns - start == 24 ? 24 : 16
            panels.append((start, width))
            start += width
        }
        self.panels = panels
        storage = AlignedBuffer(count: rows * columns)
        var out = storage.baseAddress
        for (start, width) in panels {
            for r in 0..<rows {
                out.update(from: matrix + r * columns + start, count: width)
                out += width
            }
        }
    }

    /// The packed block of the panel starting at column `start`.
    @inline(__always)
    func panel(startingAt start: Int) -> UnsafePointer<Float> {
        UnsafePointer(storage.baseAddress + start * rows)
    }
}
