import Corpus
import TestSupport
import Testing

@Suite struct RowProductsTests {
    /// Row lengths around the loop's steps (16 lanes, then a scalar tail) and the two shapes the
    /// search uses (64 projected components, 1280 features).
    @Test(arguments: [
        (1, 1), (2, 16), (3, 7), (4, 8), (3, 24), (5, 9), (7, 15), (9, 17), (101, 64), (37, 1280), (6, 1283),
    ])
    func productsMatchADoubleReference(rows: Int, columns: Int) {
        var generator = SplitMix(seed: UInt64(rows * 10_000 + columns))
        let matrix = (0..<rows * columns).map { _ in generator.nextFloat() * 4 - 2 }
        let vector = (0..<columns).map { _ in generator.nextFloat() * 4 - 2 }
        var output = [Float](repeating: .nan, count: rows)
        matrix.withUnsafeBufferPointer { a in
            vector.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    RowProducts.multiply(
                        a.baseAddress!, rows: rows, columns: columns, by: x.baseAddress!, scale: -2,
                        into: y.baseAddress!)
                }
            }
        }
        for row in 0..<rows {
            var expected = 0.0
            var magnitude = 0.0
            for column in 0..<columns {
                let term = Double(matrix[row * columns + column]) * Double(vector[column])
                expected += term
                magnitude += abs(term)
            }
            // The classic bound for a float sum of n terms, n·ε·Σ|terms| (ε = 2⁻²³, twice the unit
            // roundoff), scaled like the output.
            let bound = 2 * magnitude * Double(columns) * Double(Float.ulpOfOne)
            #expect(abs(Double(output[row]) + 2 * expected) <= bound, "row \(row)")
        }
    }

    @Test func noRowsWritesNothing() {
        var output: [Float] = [42]
        let one: [Float] = [1]
        one.withUnsafeBufferPointer { a in
            output.withUnsafeMutableBufferPointer { y in
                RowProducts.multiply(
                    a.baseAddress!, rows: 0, columns: 1, by: a.baseAddress!, scale: 1, into: y.baseAddress!)
            }
        }
        #expect(output == [42])
    }
}
