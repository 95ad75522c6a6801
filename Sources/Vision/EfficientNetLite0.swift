import Foundation
import Kernels

/// EfficientNet-Lite0 on the CPU: any RGB image in, the 1280-d pooled embedding (and the 1000
/// ImageNet logits) out.
///
/// The graph is the published Lite0 structure checked tensor by tensor against the weights file;
/// BatchNorm is folded into the convolutions at load time; activations are NHWC; 1×1 convolutions
/// and the im2col stem are matrix products on packed filters, depthwise convolutions SIMD kernels,
/// each MBConv block one fused kernel (see `InvertedResidual`). All workspaces are allocated here,
/// so embedding a frame allocates nothing. Not thread-safe: use one per thread.
public final class EfficientNetLite0 {
    /// The side of the square input image.
    public static let inputSize = Lite0Architecture.inputSize
    /// The length of an embedding.
    public static let embeddingSize = Lite0Architecture.headChannels
    /// The number of ImageNet classes.
    public static let classCount = Lite0Architecture.classes
    /// Floats in one preprocessed input image (224 × 224 × 3, HWC).
    public static let inputFloats = inputSize * inputSize * 3

    /// What this network's embeddings are comparable with.
    public let identity: ModelIdentity
    /// The most images one call can embed.
    public let maxBatch: Int
    /// The preprocessing used by the `rgb:` entry points.
    public let preprocessor: ImagePreprocessor

    private let stem: PointwiseConvolution
    private let stemGeometry: (pad: Int, size: Int)
    private let blocks: [InvertedResidual]
    private let head: PointwiseConvolution
    private let classifier: PointwiseConvolution

    private let input: AlignedBuffer
    private let columns: AlignedBuffer
    private let activations: (AlignedBuffer, AlignedBuffer)
    private let workspace: AlignedBuffer
    private let zeroRow: AlignedBuffer
    private let headOutput: AlignedBuffer

    /// Loads the weights and allocates workspaces for batches of up to `maxBatch` images.
    ///
    /// - Parameters:
    ///   - files: where the model is.
    ///   - maxBatch: the largest batch one call accepts.
    ///   - normalization: the input normalisation for the `rgb:` entry points.
    /// - Throws: `VisionError` when the weights are missing, truncated, or not EfficientNet-Lite0's.
    public init(files: ModelFiles, maxBatch: Int = 1, normalization: Normalization = .tensorflow) throws {
        precondition(maxBatch >= 1, "maxBatch must be at least 1")
        let file = try SafeTensorsFile(contentsOf: files.weights)
        let blockCount = Set(file.tensors.keys.compactMap { Self.blockIndex(of: $0) }).count
        guard blockCount == Lite0Architecture.blocks.count else {
            throw VisionError.invalidWeights(
                files.weights,
                reason: "\(blockCount) blocks, EfficientNet-Lite0 has \(Lite0Architecture.blocks.count)")
        }
        let size = Lite0Architecture.inputSize
        let stemPadding = Lite0Architecture.samePadding(size: size, kernel: 3, stride: 2)
        stem = try FoldedWeights.dense(
            file, convolution: "_conv_stem", batchNorm: "_bn0", inputs: 3,
            outputs: Lite0Architecture.stemChannels,
            kernelSize: 3)
        stemGeometry = (stemPadding.before, stemPadding.output)
        var side = stemPadding.output
        var blocks: [InvertedResidual] = []
        for (index, spec) in Lite0Architecture.blocks.enumerated() {
            let block = try FoldedWeights.block(file, index: index, block: spec, inputSize: side)
            side = block.geometry.outputHeight
            blocks.append(block)
        }
        self.blocks = blocks
        head = try FoldedWeights.dense(
            file, convolution: "_conv_head", batchNorm: "_bn1",
            inputs: Lite0Architecture.blocks.last!.outputChannels,
            outputs: Lite0Architecture.headChannels)
        let fc = try file.floats(
            "_fc.weight", shape: [Lite0Architecture.classes, Lite0Architecture.headChannels])
        let fcBias = try file.floats("_fc.bias", shape: [Lite0Architecture.classes])
        let fcMatrix = AlignedBuffer(count: fc.count)
        let unit = [Float](repeating: 1, count: Lite0Architecture.classes)
        fc.withUnsafeBufferPointer { f in
            unit.withUnsafeBufferPointer { one in
                FilterPacking.dense(
                    f.baseAddress!, outputs: Lite0Architecture.classes,
                    inputs: Lite0Architecture.headChannels,
                    kernelSize: 1, scale: one.baseAddress!, into: fcMatrix.baseAddress)
            }
        }
        classifier = PointwiseConvolution(
            filters: fcMatrix.baseAddress, inputs: Lite0Architecture.headChannels,
            outputs: Lite0Architecture.classes,
            bias: AlignedBuffer(fcBias))

        identity = ModelIdentity(
            name: file.metadata["model"] ?? "efficientnet-lite0", inputSize: size,
            embeddingSize: Lite0Architecture.headChannels,
            weightsSHA256: file.metadata["source_sha256"] ?? "unknown", normalization: normalization)
        self.maxBatch = maxBatch
        preprocessor = ImagePreprocessor(outputSize: size, normalization: normalization)

        let stemPixels = stemPadding.output * stemPadding.output
        let largestActivation = max(
            stemPixels * Lite0Architecture.stemChannels,
            blocks.map { $0.geometry.outputHeight * $0.geometry.outputWidth * $0.geometry.outputChannels }
                .max()!)
        input = AlignedBuffer(count: Self.inputFloats)
        columns = AlignedBuffer(count: stemPixels * stem.inputs)
        activations = (AlignedBuffer(count: largestActivation), AlignedBuffer(count: largestActivation))
        workspace = AlignedBuffer(count: blocks.map(\.workspaceFloats).max()!)
        zeroRow = AlignedBuffer(count: blocks.map(\.zeroRowFloats).max()!)
        headOutput = AlignedBuffer(count: side * side * Lite0Architecture.headChannels)
    }

    /// Embeds one RGB24 image of any size (preprocessed as `preprocessor` describes).
    ///
    /// - Parameters:
    ///   - rgb: `width × height × 3` bytes, row-major.
    ///   - width: image columns.
    ///   - height: image rows.
    ///   - embedding: receives the 1280 pooled features.
    ///   - logits: receives the 1000 class logits, if given.
    /// - Throws: `VisionError` for an empty image or wrongly sized buffers.
    public func embed(
        rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
        into embedding: UnsafeMutableBufferPointer<Float>,
        logits: UnsafeMutableBufferPointer<Float>? = nil
    ) throws {
        let image = UnsafeMutableBufferPointer(start: input.baseAddress, count: Self.inputFloats)
        try preprocessor.run(rgb: rgb, width: width, height: height, into: image)
        try embed(preprocessed: UnsafeBufferPointer(image), count: 1, into: embedding, logits: logits)
    }

    /// Embeds one RGB24 image of any size and returns its embedding.
    ///
    /// - Parameters:
    ///   - rgb: `width × height × 3` bytes, row-major.
    ///   - width: image columns.
    ///   - height: image rows.
    /// - Returns: the 1280 pooled features.
    /// - Throws: `VisionError` for an empty image or a wrongly sized buffer.
    public func embed(rgb: [UInt8], width: Int, height: Int) throws -> [Float] {
        var embedding = [Float](repeating: 0, count: Self.embeddingSize)
        try rgb.withUnsafeBufferPointer { pixels in
            try embedding.withUnsafeMutableBufferPointer { out in
                try embed(rgb: pixels, width: width, height: height, into: out)
            }
        }
        return embedding
    }

    /// Embeds `count` preprocessed images (e.g. filled by `preprocessor.run`).
    ///
    /// - Parameters:
    ///   - preprocessed: `count × 224 × 224 × 3` normalised floats, HWC per image.
    ///   - count: the number of images, 1…`maxBatch`.
    ///   - embeddings: receives `count × 1280` features.
    ///   - logits: receives `count × 1000` logits, if given.
    /// - Throws: `VisionError` when the batch is too large or a buffer has the wrong length.
    public func embed(
        preprocessed: UnsafeBufferPointer<Float>, count: Int,
        into embeddings: UnsafeMutableBufferPointer<Float>,
        logits: UnsafeMutableBufferPointer<Float>? = nil
    ) throws {
        guard count >= 1, count <= maxBatch else {
            throw VisionError.batchTooLarge(requested: count, maximum: maxBatch)
        }
        try Self.check(preprocessed.count, count * Self.inputFloats, "the preprocessed input")
        try Self.check(embeddings.count, count * Self.embeddingSize, "the embedding buffer")
        if let logits { try Self.check(logits.count, count * Self.classCount, "the logits buffer") }
        forward(
            preprocessed.baseAddress!, batch: count, embeddings: embeddings.baseAddress!,
            logits: logits?.baseAddress)
    }

    private func forward(
        _ images: UnsafePointer<Float>, batch: Int, embeddings: UnsafeMutablePointer<Float>,
        logits: UnsafeMutablePointer<Float>?
    ) {
        let size = Lite0Architecture.inputSize
        let stemPixels = stemGeometry.size * stemGeometry.size
        for n in 0..<batch {
            Im2Col.run(
                input: images + n * Self.inputFloats, height: size, width: size, channels: 3, kernelSize: 3,
                stride: 2, padTop: stemGeometry.pad, padLeft: stemGeometry.pad,
                outputHeight: stemGeometry.size,
                outputWidth: stemGeometry.size, output: columns.baseAddress)
            var current = activations.0.baseAddress
            var next = activations.1.baseAddress
            stem.run(
                rows: 0..<stemPixels, input: columns.baseAddress, output: current,
                layout: .contiguous(stem.outputs), epilogue: .biasReLU6)
            for block in blocks {
                block.run(
                    input: current, output: next, workspace: workspace.baseAddress,
                    zeroRow: zeroRow.baseAddress)
                swap(&current, &next)
            }
            let pixels = blocks.last!.geometry.outputHeight * blocks.last!.geometry.outputWidth
            head.run(
                rows: 0..<pixels, input: current, output: headOutput.baseAddress,
                layout: .contiguous(head.outputs),
                epilogue: .biasReLU6)
            GlobalAveragePool.run(
                input: headOutput.baseAddress, pixels: pixels, channels: Self.embeddingSize,
                output: embeddings + n * Self.embeddingSize)
        }
        guard let logits else { return }
        classifier.run(
            rows: 0..<batch, input: embeddings, output: logits, layout: .contiguous(Self.classCount),
            epilogue: .bias)
    }

    private static func check(_ found: Int, _ expected: Int, _ what: String) throws {
        guard found == expected else {
            throw VisionError.bufferSize(what: what, expected: expected, found: found)
        }
    }

    /// `N` for a `_blocks.N.…` key.
    private static func blockIndex(of key: String) -> Int? {
        guard key.hasPrefix("_blocks.") else { return nil }
        return Int(key.dropFirst("_blocks.".count).prefix { $0 != "." })
    }
}
