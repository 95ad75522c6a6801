/// One MBConv block run as a single kernel: expansion (ReLU6) → depthwise k×k (ReLU6) → linear 1×1
/// projection (+ skip connection), NHWC, one image at a time.
///
/// The expansion is a 1×1 convolution, nothing (the depthwise convolution reads the input), or a
/// k×k convolution over im2col rows: the network's stem runs as the first block's expansion, so
/// its 112×112×32 output is never written out whole.
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

    /// How a block produces the rows its depthwise convolution reads.
    public enum Expansion: @unchecked Sendable {
        /// The input rows themselves.
        case identity
        /// A 1×1 convolution with ReLU6.
        case pointwise(PointwiseConvolution)
        /// A k×k convolution with ReLU6 over `patches` rows of the block's input image.
        case convolution(PointwiseConvolution, patches: Im2Col)
    }

    public let geometry: Geometry
    let expand: Expansion
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
    ///   - expand: how the depthwise convolution's input rows are made.
    ///   - depthwiseWeights: `k² × expandedChannels` floats.
    ///   - depthwiseBias: `expandedChannels` floats.
    ///   - project: the projection.
    public init(
        geometry: Geometry, expand: Expansion, depthwiseWeights: AlignedBuffer,
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

    private var paddedRowFloats: Int { geometry.paddedWidth * geometry.expandedChannels }
    private var patchFloats: Int {
        guard case .convolution(_, let patches) = expand else { return 0 }
        return patches.outputWidth * patches.rowLength
    }

    /// Scratch shared by all threads: the whole padded expanded image and the whole depthwise output
    /// (only when not streaming).
    private var sharedFloats: Int {
        streamsRows
            ? 0
            : geometry.height * paddedRowFloats + geometry.outputHeight * geometry.outputWidth
                * geometry.expandedChannels
    }

    /// Scratch private to each thread: its ring of rows and band of depthwise output when streaming,
    /// and its im2col patches.
    private var memberFloats: Int {
        let ring =
            streamsRows
            ? geometry.kernelSize * paddedRowFloats + bandRows * geometry.outputWidth
                * geometry.expandedChannels : 0
        return ring + patchFloats
    }

    /// Floats of scratch `run` needs with `threads` threads.
    ///
    /// - Parameter threads: the team's size.
    /// - Returns: the workspace length.
    public func workspaceFloats(threads: Int) -> Int { sharedFloats + threads * memberFloats }

    /// Floats of the all-zero row `run` reads for rows outside the image.
    public var zeroRowFloats: Int { paddedRowFloats }

    /// Runs the block on one image, its work split over `team`.
    ///
    /// - Parameters:
    ///   - team: the threads to use.
    ///   - input: `height × width × inputChannels` floats (for a `.convolution` expansion, the image
    ///     its patches describe).
    ///   - output: `outputHeight × outputWidth × outputChannels` floats; must not overlap `input`.
    ///   - workspace: `workspaceFloats(threads: team.count)` floats of scratch.
    ///   - zeroRow: at least `zeroRowFloats` zeros, never written.
    public func run(
        team: ThreadTeam, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>, zeroRow: UnsafePointer<Float>
    ) {
        let g = geometry
        let members = team.count
        let privateScratch = { (member: Int) in workspace + self.sharedFloats + member * self.memberFloats }
        if streamsRows {
            // Each thread streams its own share of output rows through its own ring.
            team.run { member in
                let rows = ThreadTeam.share(0..<g.outputHeight, member, of: members)
                let scratch = privateScratch(member)
                stream(
                    rows, input, output, slots: scratch, band: scratch + g.kernelSize * paddedRowFloats,
                    patches: scratch + memberFloats - patchFloats, zeroRow: zeroRow)
            }
            return
        }
        // The whole image: expand (rows split), depthwise (channels split), project (pixels split).
        let slots = workspace
        let band = workspace + g.height * paddedRowFloats
        team.run { member in
            let rows = ThreadTeam.share(0..<g.height, member, of: members)
            clearPadding(slots + rows.lowerBound * paddedRowFloats, rows: rows.count)
            if case .pointwise = expand {
                let pixels = ThreadTeam.share(0..<(g.height * g.width), member, of: members)
                expandPixels(pixels, input, into: slots)
            } else {
                expandRows(
                    rows, input, into: slots + rows.lowerBound * paddedRowFloats,
                    patches: privateScratch(member) + memberFloats - patchFloats)
            }
        }
        team.run { member in
            let channels = ThreadTeam.share(0..<(g.expandedChannels / 8), member, of: members)
            let range = (channels.lowerBound * 8)..<(channels.upperBound * 8)
            guard !range.isEmpty else { return }
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: g.kernelSize) { rows in
                for oy in 0..<g.outputHeight {
                    depthwiseRow(
                        oy, rows, slots: slots, ringed: false, channels: range, zeroRow: zeroRow,
                        into: band + oy * g.outputWidth * g.expandedChannels)
                }
            }
        }
        team.run { member in
            let pixels = ThreadTeam.share(0..<(g.outputHeight * g.outputWidth), member, of: members)
            project(pixels, band + pixels.lowerBound * g.expandedChannels, input, output)
        }
    }

    /// Streams output rows `rows`: expanded rows enter a ring of `k` padded rows as the depthwise
    /// convolution first needs them, and depthwise output is projected a band of rows at a time.
    private func stream(
        _ rows: Range<Int>, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
        slots: UnsafeMutablePointer<Float>, band: UnsafeMutablePointer<Float>,
        patches: UnsafeMutablePointer<Float>,
        zeroRow: UnsafePointer<Float>
    ) {
        let g = geometry
        guard !rows.isEmpty else { return }
        clearPadding(slots, rows: g.kernelSize)
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: g.kernelSize) { pointers in
            var nextRow = max(0, rows.lowerBound * g.stride - g.padBefore)
            var bandStart = rows.lowerBound
            for oy in rows {
                let needed = min(g.height, oy * g.stride - g.padBefore + g.kernelSize)
                while nextRow < needed {
                    let slot = slots + (nextRow % g.kernelSize) * paddedRowFloats
                    expandRows(nextRow..<(nextRow + 1), input, into: slot, patches: patches)
                    nextRow += 1
                }
                depthwiseRow(
                    oy, pointers, slots: slots, ringed: true, channels: 0..<g.expandedChannels,
                    zeroRow: zeroRow,
                    into: band + (oy - bandStart) * g.outputWidth * g.expandedChannels)
                if oy - bandStart + 1 == bandRows || oy == rows.upperBound - 1 {
                    let pixels = (bandStart * g.outputWidth)..<((oy + 1) * g.outputWidth)
                    project(pixels, band, input, output)
                    bandStart = oy + 1
                }
            }
        }
    }

    /// Zeroes the padding columns of `rows` consecutive padded rows (other blocks reuse the memory).
    private func clearPadding(_ first: UnsafeMutablePointer<Float>, rows: Int) {
        let g = geometry
        let cm = g.expandedChannels
        let rightPad = g.paddedWidth - g.padBefore - g.width
        for r in 0..<rows {
            let row = first + r * paddedRowFloats
            row.update(repeating: 0, count: g.padBefore * cm)
            (row + (g.padBefore + g.width) * cm).update(repeating: 0, count: rightPad * cm)
        }
    }

    /// One depthwise output row from the padded rows it reads (image rows `slot = row`, or
    /// `row mod k` in a ring; rows outside the image read `zeroRow`).
    @inline(__always)
    private func depthwiseRow(
        _ oy: Int, _ pointers: UnsafeMutableBufferPointer<UnsafePointer<Float>>,
        slots: UnsafeMutablePointer<Float>,
        ringed: Bool, channels: Range<Int>, zeroRow: UnsafePointer<Float>,
        into destination: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        for ky in 0..<g.kernelSize {
            let iy = oy * g.stride - g.padBefore + ky
            pointers[ky] =
                iy >= 0 && iy < g.height
                ? UnsafePointer(slots + (ringed ? iy % g.kernelSize : iy) * paddedRowFloats) : zeroRow
        }
        DepthwiseConvolution.row(
            UnsafePointer(pointers.baseAddress!), kernelSize: g.kernelSize, stride: g.stride,
            channels: g.expandedChannels, channelRange: channels, outputWidth: g.outputWidth,
            weights: depthwiseWeights.baseAddress, bias: depthwiseBias.baseAddress, output: destination)
    }

    /// Expands image pixels `pixels` (a 1×1 expansion only) into the padded image at `slots`.
    private func expandPixels(
        _ pixels: Range<Int>, _ input: UnsafePointer<Float>, into slots: UnsafeMutablePointer<Float>
    ) {
        guard case .pointwise(let convolution) = expand, !pixels.isEmpty else { return }
        let g = geometry
        let layout = MatrixMultiply.Layout(
            ldc: g.expandedChannels, segmentRows: g.width, segmentStride: paddedRowFloats)
        convolution.run(
            rows: pixels, input: input, output: slots + g.padBefore * g.expandedChannels, layout: layout,
            epilogue: .biasReLU6)
    }

    /// Expands image rows `rows` into consecutive padded rows starting at `destination`.
    private func expandRows(
        _ rows: Range<Int>, _ input: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
        patches: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        let cm = g.expandedChannels
        let first = destination + g.padBefore * cm
        let layout = MatrixMultiply.Layout(ldc: cm, segmentRows: g.width, segmentStride: paddedRowFloats)
        switch expand {
        case .identity:
            let source = input + rows.lowerBound * g.width * cm
            for r in 0..<rows.count {
                (first + r * paddedRowFloats).update(from: source + r * g.width * cm, count: g.width * cm)
            }
        case .pointwise(let convolution):
            convolution.run(
                rows: 0..<(rows.count * g.width), input: input + rows.lowerBound * g.width * g.inputChannels,
                output: first, layout: layout, epilogue: .biasReLU6)
        case .convolution(let convolution, let geometry):
            // One image row of patches at a time keeps the patch rows in L1.
            for r in 0..<rows.count {
                geometry.run(
                    rows: (rows.lowerBound + r)..<(rows.lowerBound + r + 1), input: input, output: patches)
                convolution.run(
                    rows: 0..<g.width, input: patches, output: first + r * paddedRowFloats, layout: layout,
                    epilogue: .biasReLU6)
            }
        }
    }

    /// Projects output pixels `pixels`, whose depthwise output starts at `source`, into `output`.
    private func project(
        _ pixels: Range<Int>, _ source: UnsafePointer<Float>, _ input: UnsafePointer<Float>,
        _ output: UnsafeMutablePointer<Float>
    ) {
        guard !pixels.isEmpty else { return }
        let g = geometry
        let first = pixels.lowerBound
        project.run(
            rows: 0..<pixels.count, input: source, output: output + first * g.outputChannels,
            layout: .contiguous(g.outputChannels),
            epilogue: g.hasResidual ? .biasResidual(input + first * g.inputChannels) : .bias)
    }
}
