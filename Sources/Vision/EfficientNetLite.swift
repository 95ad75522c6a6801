import CXNNPACK
import Foundation
import Kernels

/// An EfficientNet-Lite network (Lite0, Lite1 or Lite2) on the CPU: any RGB image in, the 1280-d
/// pooled embedding (and the 1000 ImageNet logits) out.
///
/// The graph is read from the weights file (`LiteArchitecture`) and checked tensor by tensor;
/// BatchNorm is folded into the convolutions at load time; the graph runs on XNNPACK (NHWC, fused
/// ReLU6 clamps), whose kernels are chosen for the running CPU (see `KernelSelection`). The runtime
/// owns every workspace, so embedding a frame allocates nothing. Not thread-safe: use one per
/// thread.
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
    public let threads: Int
    /// The kernels the network runs (process-wide: XNNPACK chooses once).
    public let kernels: KernelPath
    /// The preprocessing used by the `rgb:` entry points.
    public let preprocessor: ImagePreprocessor
    /// The side of the square input image (224, 240 or 260).
    public var inputSize: Int { architecture.inputSize }
    /// Floats in one preprocessed input image (`inputSize² × 3`, HWC).
    public var inputFloats: Int { inputSize * inputSize * 3 }

    /// The graph's external values: the input image and the pooled embedding.
    private static let (inputValue, embeddingValue): (UInt32, UInt32) = (0, 1)

    private let graph: NetworkGraph
    private let runtime: xnn_runtime_t
    private let classifier: xnn_operator_t
    private let classifierWeights: (AlignedBuffer, AlignedBuffer)
    private let pool: pthreadpool_t?
    private let input: AlignedBuffer
    /// The buffers the runtime was last set up with; setting up again only when they change.
    private var boundBuffers: (UnsafePointer<Float>, UnsafeMutablePointer<Float>)?

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

    /// Loads the weights and builds the network for batches of up to `maxBatch` images.
    ///
    /// - Parameters:
    ///   - files: where the model is, and which variant it is.
    ///   - maxBatch: the largest batch one call accepts.
    ///   - normalization: the input normalisation for the `rgb:` entry points.
    ///   - threads: threads to split each image's work over, the caller's included. One (the
    ///     default) keeps the network on the calling thread and leaves other cores to audio.
    /// - Throws: `VisionError` when the weights are missing, truncated, of another variant, or not
    ///   an EfficientNet-Lite network, or the kernels cannot be initialised.
    public init(
        files: ModelFiles, maxBatch: Int = 1, normalization: Normalization = .tensorflow, threads: Int = 1
    ) throws {
        precondition(maxBatch >= 1, "maxBatch must be at least 1")
        precondition(threads >= 1, "threads must be at least 1")
        do { kernels = try KernelSelection.activate() } catch { throw VisionError.kernels(error) }
        let file = try SafeTensorsFile(contentsOf: files.weights)
        let variant = files.variant
        if let recorded = file.metadata["model"], recorded != variant.modelName {
            throw VisionError.wrongModel(files.weights, expected: variant.modelName, found: recorded)
        }
        let architecture = try LiteArchitecture(file, inputSize: variant.inputSize)
        let size = architecture.inputSize
        graph = try NetworkGraph(externalValues: 2)
        let image = try graph.activation([1, size, size, 3], external: Self.inputValue, isInput: true)
        let stem = try FoldedWeights.dense(
            file, convolution: "_conv_stem", batchNorm: "_bn0", inputs: 3,
            outputs: LiteArchitecture.stemChannels, kernelSize: 3)
        var x = try graph.convolution(image, stem, stride: 2, clamp: 0...6)
        for (index, spec) in architecture.blocks.enumerated() {
            let block = try FoldedWeights.block(file, index: index, block: spec)
            let blockInput = x
            if let expand = block.expand { x = try graph.convolution(x, expand, clamp: 0...6) }
            x = try graph.depthwiseConvolution(x, block.depthwise, stride: spec.stride, clamp: 0...6)
            x = try graph.convolution(x, block.project, clamp: nil)
            if spec.hasResidual { x = try graph.add(x, blockInput) }
        }
        let head = try FoldedWeights.dense(
            file, convolution: "_conv_head", batchNorm: "_bn1",
            inputs: architecture.blocks.last!.outputChannels, outputs: LiteArchitecture.headChannels)
        x = try graph.convolution(x, head, clamp: 0...6)
        let embedding = try graph.activation(
            [1, 1, 1, LiteArchitecture.headChannels], external: Self.embeddingValue)
        try graph.globalAveragePool(x, into: embedding)

        pool = threads > 1 ? pthreadpool_create(threads) : nil
        var runtime: xnn_runtime_t?
        try NetworkGraph.check(
            xnn_create_runtime_v2(graph.subgraph, pool, 0, &runtime), "xnn_create_runtime_v2")
        self.runtime = runtime!

        // The classifier runs on the whole batch of embeddings at once, and only when logits are asked for.
        let fc = try file.floats(
            "_fc.weight", shape: [LiteArchitecture.classes, LiteArchitecture.headChannels])
        let fcBias = try file.floats("_fc.bias", shape: [LiteArchitecture.classes])
        classifierWeights = (AlignedBuffer(fc), AlignedBuffer(fcBias))
        var classifier: xnn_operator_t?
        try NetworkGraph.check(
            xnn_create_fully_connected_nc_f32(
                LiteArchitecture.headChannels, LiteArchitecture.classes, LiteArchitecture.headChannels,
                LiteArchitecture.classes, classifierWeights.0.baseAddress, classifierWeights.1.baseAddress,
                -.infinity, .infinity, 0, &classifier),
            "xnn_create_fully_connected_nc_f32")
        self.classifier = classifier!

        self.variant = variant
        self.architecture = architecture
        self.files = files
        identity = ModelIdentity(
            name: variant.modelName, inputSize: size,
            embeddingSize: LiteArchitecture.headChannels,
            weightsSHA256: file.metadata["source_sha256"] ?? "unknown", normalization: normalization)
        self.maxBatch = maxBatch
        self.threads = threads
        preprocessor = ImagePreprocessor(outputSize: size, normalization: normalization)
        input = AlignedBuffer(count: size * size * 3)
    }

    deinit {
        xnn_delete_operator(classifier)
        xnn_delete_runtime(runtime)
        if let pool { pthreadpool_destroy(pool) }
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
        try forward(
            preprocessed.baseAddress!, batch: count, embeddings: embeddings.baseAddress!,
            logits: logits?.baseAddress)
    }

    private func forward(
        _ images: UnsafePointer<Float>, batch: Int, embeddings: UnsafeMutablePointer<Float>,
        logits: UnsafeMutablePointer<Float>?
    ) throws {
        for n in 0..<batch {
            let image = images + n * inputFloats
            let embedding = embeddings + n * Self.embeddingSize
            if boundBuffers == nil || boundBuffers! != (image, embedding) {
                // XNNPACK only reads the input, whatever the pointer's type says.
                let status = withUnsafeTemporaryAllocation(of: xnn_external_value.self, capacity: 2) {
                    values in
                    values[0] = xnn_external_value(
                        id: Self.inputValue, data: UnsafeMutableRawPointer(mutating: image))
                    values[1] = xnn_external_value(id: Self.embeddingValue, data: embedding)
                    return xnn_setup_runtime(runtime, values.count, values.baseAddress)
                }
                try NetworkGraph.check(status, "xnn_setup_runtime")
                boundBuffers = (image, embedding)
            }
            try NetworkGraph.check(xnn_invoke_runtime(runtime), "xnn_invoke_runtime")
        }
        guard let logits else { return }
        try NetworkGraph.check(
            xnn_setup_fully_connected_nc_f32(classifier, batch, embeddings, logits, pool),
            "xnn_setup_fully_connected_nc_f32")
        try NetworkGraph.check(xnn_run_operator(classifier, pool), "xnn_run_operator")
    }

    private static func check(_ found: Int, _ expected: Int, _ what: String) throws {
        guard found == expected else {
            throw VisionError.bufferSize(what: what, expected: expected, found: found)
        }
    }
}
