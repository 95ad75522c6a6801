/// One MBConv block run as a single kernel: 1×1 expansion (ReLU6) → depthwise k×k (ReLU6) →
/// linear 1×1 projection (+ skip connection), NHWC, one image at a time.
///
/// Large blocks stream: each expanded row is computed into a ring of `k` zero-padded rows just
/// before the depthwise convolution needs it, so the expanded tensor (up to 4.8 MB at 112×112×96)
/// never leaves L2. Small blocks (whose expanded tensor fits in L2 anyway) expand the whole image
/// in one matrix product, which keeps the microkernel's row tiles full. Padding columns are zero and
/// rows outside the image point at a shared zero row, so no inner loop checks bounds.
public final class InvertedResidual: @unchecked Sendable {
    /// The block's shape.
    public struct Geometry: Sendable, Equatable {
        public var height: Int
        public var width: Int
        public var inputChannels: Int
        public var expandedChannels: Int
        public var outputChannels: Int
        public var kernelSize: Int
        public var stride: Int
        /// Zero rows above (and columns left of) the input; TF "SAME" puts any odd one after.
        public var padBefore: Int
        public var outputHeight: Int
        public var outputWidth: Int

        /// Creates a geometry.
        ///
        /// - Parameters:
        ///   - height: input rows.
        ///   - width: input columns.
        ///   - inputChannels: input channels.
        ///   - expandedChannels: channels after expansion (equal to the input's without one).
        ///   - outputChannels: output channels.
        ///   - kernelSize: the depthwise filter's side.
        ///   - stride: the depthwise stride.
        ///   - padBefore: zero rows above and columns left of the input.
        ///   - outputHeight: output rows.
        ///   - outputWidth: output columns.
        public init(
            height: Int, width: Int, inputChannels: Int, expandedChannels: Int, outputChannels: Int,
            kernelSize: Int,
            stride: Int, padBefore: Int, outputHeight: Int, outputWidth: Int
        ) {
            self.height = height
            self.width = width
            self.inputChannels = inputChannels
            self.expandedChannels = expandedChannels
            self.outputChannels = outputChannels
            self.kernelSize = kernelSize
            self.stride = stride
            self.padBefore = padBefore
            self.outputHeight = outputHeight
            self.outputWidth = outputWidth
        }

        /// Columns of a padded row: every column some output pixel reads.
        public var paddedWidth: Int { (outputWidth - 1) * stride + kernelSize }
        /// A skip connection joins blocks that keep both the resolution and the width.
        public var hasResidual: Bool { stride == 1 && inputChannels == outputChannels }
    }

    public let geometry: Geometry
    let expand: PointwiseConvolution?
    let depthwiseWeights: AlignedBuffer
    let depthwiseBias: AlignedBuffer
    let project: PointwiseConvolution
    /// Whether expanded rows stream through a ring (large blocks) or the whole image is expanded.
    public let streamsRows: Bool
    /// Output rows projected together when streaming, so the projection's row tiles stay full.
    let bandRows: Int

    /// Creates the block from folded weights.
    ///
    /// - Parameters:
    ///   - geometry: the shape.
    ///   - expand: the expansion, or `nil` when the block has none.
    ///   - depthwiseWeights: `k² × expandedChannels` floats.
    ///   - depthwiseBias: `expandedChannels` floats.
    ///   - project: the projection.
    public init(
        geometry: Geometry, expand: PointwiseConvolution?, depthwiseWeights: AlignedBuffer,
        depthwiseBias: AlignedBuffer,
        project: PointwiseConvolution
    ) {
        self.geometry = geometry
        self.expand = expand
        self.depthwiseWeights = depthwiseWeights
        self.depthwiseBias = depthwiseBias
        self.project = project
        streamsRows = geometry.height * geometry.width * geometry.expandedChannels * 4 > 1 << 20
        bandRows =
            streamsRows ? (48 + geometry.outputWidth - 1) / geometry.outputWidth : geometry.outputHeight
    }

    private var rowSlots: Int { streamsRows ? geometry.kernelSize : geometry.height }
    private var paddedRowFloats: Int { geometry.paddedWidth * geometry.expandedChannels }

    /// Floats of scratch one `run` needs.
    public var workspaceFloats: Int {
        rowSlots * paddedRowFloats + bandRows * geometry.outputWidth * geometry.expandedChannels
    }

    /// Floats of the all-zero row `run` reads for rows outside the image.
    public var zeroRowFloats: Int { paddedRowFloats }

    /// Runs the block on one image.
    ///
    /// - Parameters:
    ///   - input: `height × width × inputChannels` floats.
    ///   - output: `outputHeight × outputWidth × outputChannels` floats; must not overlap `input`.
    ///   - workspace: `workspaceFloats` floats of scratch.
    ///   - zeroRow: at least `zeroRowFloats` zeros, never written.
    public func run(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>,
        zeroRow: UnsafePointer<Float>
    ) {
        let g = geometry
        let cm = g.expandedChannels
        let slots = workspace
        let band = workspace + rowSlots * paddedRowFloats
        // Padding columns of every slot must read as zeros; other blocks reuse this memory.
        let rightPad = g.paddedWidth - g.padBefore - g.width
        for slot in 0..<rowSlots {
            let row = slots + slot * paddedRowFloats
            row.update(repeating: 0, count: g.padBefore * cm)
            if rightPad > 0 {
                (row + (g.padBefore + g.width) * cm).update(repeating: 0, count: rightPad * cm)
            }
        }
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: g.kernelSize) { rows in
            if !streamsRows { expandRows(0..<g.height, input, into: slots) }
            var nextRow = 0
            var bandStart = 0
            for oy in 0..<g.outputHeight {
                let top = oy * g.stride - g.padBefore
                if streamsRows {
                    while nextRow < min(g.height, top + g.kernelSize) {
                        expandRows(
                            nextRow..<(nextRow + 1), input,
                            into: slots + (nextRow % rowSlots) * paddedRowFloats)
                        nextRow += 1
                    }
                }
                for ky in 0..<g.kernelSize {
                    let iy = top + ky
                    rows[ky] =
                        iy >= 0 && iy < g.height
                        ? UnsafePointer(slots + (iy % rowSlots) * paddedRowFloats) : zeroRow
                }
                DepthwiseConvolution.row(
                    UnsafePointer(rows.baseAddress!), kernelSize: g.kernelSize, stride: g.stride,
                    channels: cm,
                    outputWidth: g.outputWidth, weights: depthwiseWeights.baseAddress,
                    bias: depthwiseBias.baseAddress,
                    output: band + (oy - bandStart) * g.outputWidth * cm)
                if oy - bandStart + 1 == bandRows || oy == g.outputHeight - 1 {
                    projectRows(bandStart..<(oy + 1), band, input, output)
                    bandStart = oy + 1
                }
            }
        }
    }

    /// Expands image rows `rows` into consecutive padded rows starting at `destination`.
    @inline(__always)
    private func expandRows(
        _ rows: Range<Int>, _ input: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        let cm = g.expandedChannels
        let first = destination + g.padBefore * cm
        let source = input + rows.lowerBound * g.width * g.inputChannels
        guard let expand else {
            for r in 0..<rows.count {
                (first + r * paddedRowFloats).update(from: source + r * g.width * cm, count: g.width * cm)
            }
            return
        }
        expand.run(
            rows: 0..<(rows.count * g.width), input: source, output: first,
            layout: .init(ldc: cm, segmentRows: g.width, segmentStride: paddedRowFloats), epilogue: .biasReLU6
        )
    }

    /// Projects the depthwise output of output rows `rows` (held in `band`) into `output`.
    @inline(__always)
    private func projectRows(
        _ rows: Range<Int>, _ band: UnsafePointer<Float>, _ input: UnsafePointer<Float>,
        _ output: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        let pixels = rows.count * g.outputWidth
        let first = rows.lowerBound * g.outputWidth
        project.run(
            rows: 0..<pixels, input: band, output: output + first * g.outputChannels,
            layout: .contiguous(g.outputChannels),
            epilogue: g.hasResidual ? .biasResidual(input + first * g.inputChannels) : .bias)
    }
}
