/// A convolution reduced to a matrix product over pixels (a 1×1 convolution, or a k×k one over
/// im2col rows), with its BatchNorm already folded into the filters and the bias.
public struct PointwiseConvolution: @unchecked Sendable {
    /// The `(k·k·inputs) × outputs` filter matrix, packed.
    public let filters: PackedMatrix
    /// `outputs` floats.
    public let bias: AlignedBuffer

    /// Packs row-major filters.
    ///
    /// - Parameters:
    ///   - filters: `inputs × outputs` floats, row-major (`FilterPacking.dense` produces this).
    ///   - inputs: rows of the filter matrix (input channels × taps).
    ///   - outputs: output channels, a multiple of 8 and at least 16.
    ///   - bias: `outputs` floats.
    public init(filters: UnsafePointer<Float>, inputs: Int, outputs: Int, bias: AlignedBuffer) {
        self.filters = PackedMatrix(filters, rows: inputs, columns: outputs)
        self.bias = bias
    }

    /// The number of input values per pixel.
    public var inputs: Int { filters.rows }
    /// The number of output channels.
    public var outputs: Int { filters.columns }

    /// `output = epilogue(input · filters + bias)` for pixels `rows`.
    ///
    /// - Parameters:
    ///   - rows: the pixels to compute.
    ///   - panels: the output-channel panels to compute (`0..<filters.view.panelCount`; all by default).
    ///   - input: `inputs` floats per pixel, pixels contiguous.
    ///   - output: where pixel 0 goes; `layout` places the others.
    ///   - layout: the output's row layout.
    ///   - epilogue: bias, bias + ReLU6, or bias + a residual laid out like the output.
    public func run(
        rows: Range<Int>, panels: Range<Int>? = nil, input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>,
        layout: MatrixMultiply.Layout, epilogue: Epilogue
    ) {
        MatrixMultiply.run(
            rows: rows, panels: panels, a: input, lda: filters.rows, b: filters.view, bias: bias.baseAddress,
            c: output,
            layout: layout,
            epilogue: epilogue)
    }
}
