/// The graph of one EfficientNet-Lite network: its input size and its MBConv blocks in order, read
/// from the state dict. A plain value, so that any engine can build its kernels from it.
///
/// The family shares one recipe (TensorFlow's `efficientnet_lite_builder`): a 3×3 stride-2 stem of
/// 32 channels, seven stages of MBConv blocks without squeeze-excitation, a 1×1 head of 1280
/// channels, ReLU6 throughout, BatchNorm with ε = 10⁻³. The variants differ only in the blocks'
/// widths and repeats, which the state dict holds. What it does not hold is the stride: each
/// stage's first block strides by 1, 2, 2, 2, 1, 2, 1 in turn; a stage begins where the output
/// width changes.
public struct LiteArchitecture: Equatable, Sendable {
    /// One MBConv (inverted residual) block.
    public struct Block: Equatable, Sendable {
        /// The depthwise filter's side.
        public var kernelSize: Int
        /// The depthwise convolution's step.
        public var stride: Int
        /// Expanded channels per input channel; 1 means no expansion layer.
        public var expansion: Int
        /// Channels in.
        public var inputChannels: Int
        /// Channels out.
        public var outputChannels: Int
        /// Channels between the expansion and the projection.
        public var expandedChannels: Int { inputChannels * expansion }
        /// A skip connection joins blocks that keep both the resolution and the width.
        public var hasResidual: Bool { stride == 1 && inputChannels == outputChannels }
    }

    /// The stem's output channels, the same for the whole family.
    public static let stemChannels = 32
    /// The head's output channels (the embedding's length), the same for the whole family.
    public static let headChannels = 1280
    /// ImageNet-1k classes.
    public static let classes = 1000
    /// The BatchNorm ε the checkpoints were trained with.
    static let batchNormEpsilon = 1e-3
    /// The first block of each stage strides by this much; the others by 1.
    public static let stageStrides = [1, 2, 2, 2, 1, 2, 1]

    /// The side of the square input image, in pixels.
    public let inputSize: Int
    /// The blocks in order.
    public let blocks: [Block]

    /// Reads the blocks from a state dict and checks that they form an EfficientNet-Lite network.
    ///
    /// - Parameters:
    ///   - file: the weights.
    ///   - inputSize: the input side the variant was trained at.
    /// - Throws: `VisionError` naming the tensor or block that does not fit the family's recipe.
    init(_ file: SafeTensorsFile, inputSize: Int) throws {
        self.inputSize = inputSize
        let indices = Set(file.tensors.keys.compactMap(Self.blockIndex(of:)))
        guard !indices.isEmpty else {
            throw VisionError.missingTensor(file.url, tensor: "_blocks.0._project_conv.weight")
        }
        if let gap = (0..<indices.count).first(where: { !indices.contains($0) }) {
            throw VisionError.missingTensor(file.url, tensor: "_blocks.\(gap)._project_conv.weight")
        }
        var blocks: [Block] = []
        var stage = -1
        var stageFirst: Block?
        for index in 0..<indices.count {
            let p = "_blocks.\(index)."
            let project = try Self.shape(file, p + "_project_conv.weight", rank: 4)
            let depthwise = try Self.shape(file, p + "_depthwise_conv.weight", rank: 4)
            let (outputs, expanded, kernel) = (project[0], project[1], depthwise[2])
            let inputs =
                try file.tensors[p + "_expand_conv.weight"].map { _ in
                    try Self.shape(file, p + "_expand_conv.weight", rank: 4)[1]
                } ?? expanded
            guard inputs > 0, expanded % inputs == 0 else {
                throw VisionError.invalidWeights(
                    file.url, reason: "block \(index) expands \(inputs) channels to \(expanded)")
            }
            let expectedInputs = blocks.last?.outputChannels ?? Self.stemChannels
            guard inputs == expectedInputs else {
                throw VisionError.invalidWeights(
                    file.url, reason: "block \(index) takes \(inputs) channels but receives \(expectedInputs)"
                )
            }
            let startsStage = outputs != blocks.last?.outputChannels
            if startsStage { stage += 1 }
            guard stage < Self.stageStrides.count else {
                throw VisionError.invalidWeights(
                    file.url, reason: "block \(index) starts stage \(stage + 1); the family has 7 stages")
            }
            let block = Block(
                kernelSize: kernel, stride: startsStage ? Self.stageStrides[stage] : 1,
                expansion: expanded / inputs, inputChannels: inputs, outputChannels: outputs)
            // A stage repeats one block; a block that differs from its stage's first is damage.
            if startsStage {
                stageFirst = block
            } else if let first = stageFirst, block.expansion != first.expansion {
                throw VisionError.invalidWeights(
                    file.url,
                    reason:
                        "block \(index) expands \(block.expansion)×, the first of its stage \(first.expansion)×"
                )
            } else if let first = stageFirst, block.kernelSize != first.kernelSize {
                throw VisionError.wrongTensorShape(
                    file.url, tensor: p + "_depthwise_conv.weight",
                    expected: [block.expandedChannels, 1, first.kernelSize, first.kernelSize],
                    found: depthwise)
            }
            blocks.append(block)
        }
        guard stage == Self.stageStrides.count - 1 else {
            throw VisionError.invalidWeights(
                file.url, reason: "\(stage + 1) stages of blocks; the EfficientNet-Lite family has 7")
        }
        guard blocks[0].expansion == 1 else {
            throw VisionError.invalidWeights(file.url, reason: "block 0 has an unexpected expansion layer")
        }
        self.blocks = blocks
    }

    /// TensorFlow "SAME" padding along one axis: the output is `ceil(size / stride)` and the odd
    /// padding pixel goes after (bottom/right).
    ///
    /// - Parameters:
    ///   - size: the input length.
    ///   - kernel: the filter length.
    ///   - stride: the step.
    /// - Returns: padding before the input and the output length.
    public static func samePadding(size: Int, kernel: Int, stride: Int) -> (before: Int, output: Int) {
        let output = (size + stride - 1) / stride
        let total = max((output - 1) * stride + kernel - size, 0)
        return (total / 2, output)
    }

    /// The side of the feature map after the stem and every block.
    public var outputSize: Int {
        blocks.reduce(Self.samePadding(size: inputSize, kernel: 3, stride: 2).output) {
            Self.samePadding(size: $0, kernel: $1.kernelSize, stride: $1.stride).output
        }
    }

    /// Multiply-accumulates for one image: stem, blocks, head and classifier.
    public var multiplyAccumulates: Int {
        var side = Self.samePadding(size: inputSize, kernel: 3, stride: 2).output
        var total = side * side * Self.stemChannels * 27
        for block in blocks {
            if block.expansion != 1 { total += side * side * block.inputChannels * block.expandedChannels }
            side = Self.samePadding(size: side, kernel: block.kernelSize, stride: block.stride).output
            total +=
                side * side * block.expandedChannels
                * (block.kernelSize * block.kernelSize + block.outputChannels)
        }
        total += side * side * blocks.last!.outputChannels * Self.headChannels
        return total + Self.headChannels * Self.classes
    }

    /// The shape of a tensor the architecture is read from, which must exist and have `rank` axes.
    private static func shape(_ file: SafeTensorsFile, _ name: String, rank: Int) throws -> [Int] {
        guard let entry = file.tensors[name] else { throw VisionError.missingTensor(file.url, tensor: name) }
        guard entry.shape.count == rank, entry.shape.allSatisfy({ $0 > 0 }) else {
            throw VisionError.invalidWeights(file.url, reason: "tensor \(name) has shape \(entry.shape)")
        }
        return entry.shape
    }

    /// `N` for a `_blocks.N.…` key.
    private static func blockIndex(of key: String) -> Int? {
        guard key.hasPrefix("_blocks.") else { return nil }
        return Int(key.dropFirst("_blocks.".count).prefix { $0 != "." })
    }
}
