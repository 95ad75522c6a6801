import Foundation
import Kernels

/// An EfficientNet-Lite network (Lite0, Lite1 or Lite2) on the CPU: any RGB image in, the 1280-d
/// pooled embedding (and the 1000 ImageNet logits) out.
///
/// The graph is read from the weights file (`LiteArchitecture`) and checked tensor by tensor;
/// BatchNorm is folded into the convolutions at load time; activations are NHWC; 1×1 convolutions
/// and the im2col stem are matrix products on packed filters, depthwise convolutions SIMD kernels,
/// each MBConv block one fused kernel (see `InvertedResidual`). All workspaces are allocated here,
/// so embedding a frame allocates nothing. Not thread-safe: use one per thread.
public final class EfficientNetLite {
    /// The length of an embedding (the head's width, the same for the whole family).
    public static let embeddingSize = LiteArchitecture.headChannels
    /// The number of ImageNet classes.
    public static let classCount = LiteArchitecture.classes

    /// Which member of the family this is.
    public let variant: Variant
    /// The graph: input size and blocks, as read from the weights.
    public let architecture: LiteArchitecture
    /// What this network's embeddings are comparable with.
    public let identity: ModelIdentity
    /// The files the network was loaded from (weights and labels).
    public let files: ModelFiles
    /// The most images one call can embed.
    public let maxBatch: Int
    /// The threads one image's work is split over (the caller's included).
    public var threads: Int { team.count }
    /// The preprocessing used by the `rgb:` entry points.
    public let preprocessor: ImagePreprocessor
    /// The side of the square input image (224, 240 or 260).
    public var inputSize: Int { architecture.inputSize }
    /// Floats in one preprocessed input image (`inputSize² × 3`, HWC).
    public var inputFloats: Int { inputSize * inputSize * 3 }

    private let team: ThreadTeam
    private let blocks: [InvertedResidual]
    private let head: PointwiseConvolution
    private let classifier: PointwiseConvolution

    private let input: AlignedBuffer
    private let activations: (AlignedBuffer, AlignedBuffer)
    private let workspace: AlignedBuffer
    private let zeroRow: AlignedBuffer
    private let headOutput: AlignedBuffer

    /// Loads the network whose embeddings are comparable with `identity`'s: the same variant, the
    /// same normalisation, the same checkpoint. Every command that queries a corpus loads its
    /// network here.
    ///
    /// - Parameters:
    ///   - identity: the model a corpus was embedded with.
    ///   - directory: the model directory (`--model-dir`), or `nil` for the default.
    ///   - maxBatch: the largest batch one call accepts.
    ///   - threads: threads to split each image's work over, the caller's included.
    ///   - environment: the variables that locate the default directory.
    /// - Throws: `VisionError.unknownModel` for a model this version does not run, `.modelNotFound`
    ///   (naming the model and `scripts/setup`) when it is not installed, `.differentWeights` when
    ///   the installed weights are not the corpus's, and any error loading the weights.
    public convenience init(
        matching identity: ModelIdentity, directory: URL? = nil, maxBatch: Int = 1, threads: Int = 1,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let files = try ModelFiles.locate(for: identity, directory: directory, environment: environment)
        try self.init(
            files: files, maxBatch: maxBatch, normalization: identity.normalization, threads: threads)
        guard self.identity == identity else {
            throw VisionError.differentWeights(files.weights, expected: identity, found: self.identity)
        }
    }

    /// Loads the weights and allocates workspaces for batches of up to `maxBatch` images.
    ///
    /// - Parameters:
    ///   - files: where the model is, and which variant it is.
    ///   - maxBatch: the largest batch one call accepts.
    ///   - normalization: the input normalisation for the `rgb:` entry points.
    ///   - threads: threads to split each image's work over, the caller's included. One (the
    ///     default) keeps the network on the calling thread and leaves other cores to audio;
    ///     helpers spin briefly after each layer and then sleep.
    /// - Throws: `VisionError` when the weights are missing, truncated, of another variant, or not
    ///   an EfficientNet-Lite network.
    public init(
        files: ModelFiles, maxBatch: Int = 1, normalization: Normalization = .tensorflow, threads: Int = 1
    ) throws {
        precondition(maxBatch >= 1, "maxBatch must be at least 1")
        precondition(threads >= 1, "threads must be at least 1")
        let file = try SafeTensorsFile(contentsOf: files.weights)
        let variant = files.variant
        if let recorded = file.metadata["model"], recorded != variant.modelName {
            throw VisionError.wrongModel(files.weights, expected: variant.modelName, found: recorded)
        }
        let architecture = try LiteArchitecture(file, inputSize: variant.inputSize)
        let size = architecture.inputSize
        let stemPadding = LiteArchitecture.samePadding(size: size, kernel: 3, stride: 2)
        let stem = try FoldedWeights.dense(
            file, convolution: "_conv_stem", batchNorm: "_bn0", inputs: 3,
            outputs: LiteArchitecture.stemChannels,
            kernelSize: 3)
        let patches = Im2Col(
            height: size, width: size, channels: 3, kernelSize: 3, stride: 2, padBefore: stemPadding.before,
            outputHeight: stemPadding.output, outputWidth: stemPadding.output)
        var side = stemPadding.output
        var blocks: [InvertedResidual] = []
        for (index, spec) in architecture.blocks.enumerated() {
            // The first block has no expansion layer: the stem takes its place, fused into it.
            let block = try FoldedWeights.block(
                file, index: index, block: spec, inputSize: side,
                precededBy: index == 0 ? .convolution(stem, patches: patches) : .identity)
            side = block.geometry.outputHeight
            blocks.append(block)
        }
        self.blocks = blocks
        head = try FoldedWeights.dense(
            file, convolution: "_conv_head", batchNorm: "_bn1",
            inputs: architecture.blocks.last!.outputChannels,
            outputs: LiteArchitecture.headChannels)
        let fc = try file.floats(
            "_fc.weight", shape: [LiteArchitecture.classes, LiteArchitecture.headChannels])
        let fcBias = try file.floats("_fc.bias", shape: [LiteArchitecture.classes])
        let fcMatrix = AlignedBuffer(count: fc.count)
        let unit = [Float](repeating: 1, count: LiteArchitecture.classes)
        fc.withUnsafeBufferPointer { f in
            unit.withUnsafeBufferPointer { one in
                FilterPacking.dense(
                    f.baseAddress!, outputs: LiteArchitecture.classes,
                    inputs: LiteArchitecture.headChannels,
                    kernelSize: 1, scale: one.baseAddress!, into: fcMatrix.baseAddress)
            }
        }
        classifier = PointwiseConvolution(
            filters: fcMatrix.baseAddress, inputs: LiteArchitecture.headChannels,
            outputs: LiteArchitecture.classes,
            bias: AlignedBuffer(fcBias))

        self.variant = variant
        self.architecture = architecture
        self.files = files
        identity = ModelIdentity(
            name: variant.modelName, inputSize: size,
            embeddingSize: LiteArchitecture.headChannels,
            weightsSHA256: file.metadata["source_sha256"] ?? "unknown", normalization: normalization)
        self.maxBatch = maxBatch
        preprocessor = ImagePreprocessor(outputSize: size, normalization: normalization)

        let largestActivation = blocks.map {
            $0.geometry.outputHeight * $0.geometry.outputWidth * $0.geometry.outputChannels
        }.max()!
        input = AlignedBuffer(count: size * size * 3)
        activations = (AlignedBuffer(count: largestActivation), AlignedBuffer(count: largestActivation))
        workspace = AlignedBuffer(count: blocks.map { $0.workspaceFloats(threads: threads) }.max()!)
        team = ThreadTeam(count: threads)
        zeroRow = AlignedBuffer(count: blocks.map(\.zeroRowFloats).max()!)
        headOutput = AlignedBuffer(count: side * side * LiteArchitecture.headChannels)
    }

    /// The network's matrix products for one image, in order: (rows, inner dimension, columns) of
    /// the stem (over im2col rows), every expansion and projection, the head and the classifier.
    public var matrixShapes: [(rows: Int, inner: Int, columns: Int)] {
        var shapes: [(Int, Int, Int)] = []
        for (index, block) in blocks.enumerated() {
            let g = block.geometry
            if index == 0 {
                shapes.append((g.height * g.width, 27, g.expandedChannels))
            } else if g.expandedChannels != g.inputChannels {
                shapes.append((g.height * g.width, g.inputChannels, g.expandedChannels))
            }
            shapes.append((g.outputHeight * g.outputWidth, g.expandedChannels, g.outputChannels))
        }
        let last = blocks.last!.geometry
        shapes.append((last.outputHeight * last.outputWidth, last.outputChannels, Self.embeddingSize))
        shapes.append((1, Self.embeddingSize, Self.classCount))
        return shapes
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
        let image = UnsafeMutableBufferPointer(start: input.baseAddress, count: inputFloats)
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
    ///   - preprocessed: `count × inputFloats` normalised floats, HWC per image.
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
        try Self.check(preprocessed.count, count * inputFloats, "the preprocessed input")
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
        for n in 0..<batch {
            var current = images + n * inputFloats
            var next = activations.0.baseAddress
            for (index, block) in blocks.enumerated() {
                block.run(
                    team: team, input: current, output: next, workspace: workspace.baseAddress,
                    zeroRow: zeroRow.baseAddress)
                // The image is only read; from then on the two activation buffers alternate.
                current = UnsafePointer(next)
                next = index % 2 == 0 ? activations.1.baseAddress : activations.0.baseAddress
            }
            let pixels = blocks.last!.geometry.outputHeight * blocks.last!.geometry.outputWidth
            let last = current
            team.run { member in
                let rows = ThreadTeam.share(0..<pixels, member, of: team.count)
                head.run(
                    rows: rows, input: last, output: headOutput.baseAddress,
                    layout: .contiguous(head.outputs),
                    epilogue: .biasReLU6)
            }
            GlobalAveragePool.run(
                input: headOutput.baseAddress, pixels: pixels, channels: Self.embeddingSize,
                output: embeddings + n * Self.embeddingSize)
        }
        guard let logits else { return }
        // One row per image: split the columns instead (the weights are most of the traffic).
        team.run { member in
            classifier.run(
                rows: 0..<batch,
                panels: ThreadTeam.share(0..<classifier.filters.view.panelCount, member, of: team.count),
                input: embeddings, output: logits, layout: .contiguous(Self.classCount), epilogue: .bias)
        }
    }

    private static func check(_ found: Int, _ expected: Int, _ what: String) throws {
        guard found == expected else {
            throw VisionError.bufferSize(what: what, expected: expected, found: found)
        }
    }
}
