import Kernels

/// An MBConv block: 1×1 expansion (ReLU6), depthwise k×k (ReLU6), linear 1×1 projection, and a skip
/// connection when the block keeps resolution and width.
struct InvertedResidualBlock {
    let expand: ConvolutionLayer?
    let depthwise: DepthwiseLayer
    let project: ConvolutionLayer
    let hasResidual: Bool
    let inputSize: Int

    /// Loads block `index` of the state dict (`_blocks.<index>.…`).
    ///
    /// - Parameters:
    ///   - file: the weights.
    ///   - index: the block's position.
    ///   - block: its geometry.
    ///   - inputSize: the side of its input feature map.
    /// - Throws: `VisionError` when a tensor is missing or misshapen.
    init(_ file: SafeTensorsFile, index: Int, block: Lite0Architecture.Block, inputSize: Int) throws {
        let p = "_blocks.\(index)."
        let hasExpansion = block.expansion != 1
        if hasExpansion != (file.tensors[p + "_expand_conv.weight"] != nil) {
            throw hasExpansion
                ? VisionError.missingTensor(file.url, tensor: p + "_expand_conv.weight")
                : VisionError.invalidWeights(file.url, reason: "block \(index) has an unexpected expansion layer")
        }
        if let se = file.tensors.keys.first(where: { $0.hasPrefix(p + "_se_") }) {
            throw VisionError.invalidWeights(file.url, reason: "unexpected squeeze-excitation tensor \(se)")
        }
        expand =
            hasExpansion
            ? try ConvolutionLayer(
                file, convolution: p + "_expand_conv", batchNorm: p + "_bn0", inputs: block.inputChannels,
                outputs: block.expandedChannels)
            : nil
        depthwise = try DepthwiseLayer(
            file, convolution: p + "_depthwise_conv", batchNorm: p + "_bn1", channels: block.expandedChannels,
            kernelSize: block.kernelSize, stride: block.stride, inputSize: inputSize)
        project = try ConvolutionLayer(
            file, convolution: p + "_project_conv", batchNorm: p + "_bn2", inputs: block.expandedChannels,
            outputs: block.outputChannels)
        hasResidual = block.hasResidual
        self.inputSize = inputSize
    }

    var outputSize: Int { depthwise.shape.outputHeight }

    /// Runs the block on `batch` images.
    ///
    /// - Parameters:
    ///   - input: `batch × inputSize² × inputs` floats.
    ///   - batch: the number of images.
    ///   - expanded: scratch for the expansion's output.
    ///   - filtered: scratch for the depthwise output.
    ///   - output: `batch × outputSize² × outputs` floats; must not alias `input`.
    func run(
        _ input: UnsafePointer<Float>, batch: Int, expanded: UnsafeMutablePointer<Float>,
        filtered: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        var depthwiseInput = input
        if let expand {
            expand.run(input, pixels: batch * inputSize * inputSize, output: expanded, epilogue: .biasReLU6)
            depthwiseInput = UnsafePointer(expanded)
        }
        depthwise.run(depthwiseInput, batch: batch, output: filtered)
        project.run(
            filtered, pixels: batch * depthwise.outputPixels, output: output,
            epilogue: hasResidual ? .biasResidual(input) : .bias)
    }

    /// Floats of scratch the expansion needs per image.
    var expandedFloats: Int { inputSize * inputSize * depthwise.shape.channels }
    /// Floats of scratch the depthwise output needs per image.
    var filteredFloats: Int { depthwise.outputPixels * depthwise.shape.channels }
    /// Floats of output per image.
    var outputFloats: Int { depthwise.outputPixels * project.outputs }
}
