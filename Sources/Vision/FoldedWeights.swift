import Kernels

/// Reads convolution filters from the state dict and folds the following BatchNorm into them.
enum FoldedWeights {
    /// A dense convolution (`[out][in][k][k]`) as a matrix product over NHWC pixels or im2col rows.
    ///
    /// - Parameters:
    ///   - file: the weights.
    ///   - convolution: the convolution's state-dict prefix.
    ///   - batchNorm: the BatchNorm's state-dict prefix.
    ///   - inputs: input channels.
    ///   - outputs: output channels.
    ///   - kernelSize: the filter's side.
    /// - Returns: the packed, folded convolution.
    /// - Throws: `VisionError` when a tensor is missing or misshapen.
    static func dense(
        _ file: SafeTensorsFile, convolution: String, batchNorm: String, inputs: Int, outputs: Int,
        kernelSize: Int = 1
    ) throws -> PointwiseConvolution {
        let filters = try file.floats(
            convolution + ".weight", shape: [outputs, inputs, kernelSize, kernelSize])
        let norm = try FoldedBatchNorm(file, prefix: batchNorm, channels: outputs)
        let rows = kernelSize * kernelSize * inputs
        let matrix = AlignedBuffer(count: rows * outputs)
        filters.withUnsafeBufferPointer { f in
            norm.scale.withUnsafeBufferPointer { s in
                FilterPacking.dense(
                    f.baseAddress!, outputs: outputs, inputs: inputs, kernelSize: kernelSize,
                    scale: s.baseAddress!,
                    into: matrix.baseAddress)
            }
        }
        return PointwiseConvolution(
            filters: matrix.baseAddress, inputs: rows, outputs: outputs, bias: AlignedBuffer(norm.shift))
    }

    /// A depthwise convolution (`[channel][1][k][k]`) as tap-major weights and a bias.
    ///
    /// - Parameters:
    ///   - file: the weights.
    ///   - convolution: the convolution's state-dict prefix.
    ///   - batchNorm: the BatchNorm's state-dict prefix.
    ///   - channels: the channel count.
    ///   - kernelSize: the filter's side.
    /// - Returns: `k² × channels` weights and `channels` biases.
    /// - Throws: `VisionError` when a tensor is missing or misshapen.
    static func depthwise(
        _ file: SafeTensorsFile, convolution: String, batchNorm: String, channels: Int, kernelSize: Int
    ) throws -> (weights: AlignedBuffer, bias: AlignedBuffer) {
        let filters = try file.floats(convolution + ".weight", shape: [channels, 1, kernelSize, kernelSize])
        let norm = try FoldedBatchNorm(file, prefix: batchNorm, channels: channels)
        let weights = AlignedBuffer(count: kernelSize * kernelSize * channels)
        filters.withUnsafeBufferPointer { f in
            norm.scale.withUnsafeBufferPointer { s in
                FilterPacking.depthwise(
                    f.baseAddress!, channels: channels, kernelSize: kernelSize, scale: s.baseAddress!,
                    into: weights.baseAddress)
            }
        }
        return (weights, AlignedBuffer(norm.shift))
    }

    /// MBConv block `index` of the state dict (`_blocks.<index>.…`) as a fused block kernel.
    ///
    /// - Parameters:
    ///   - file: the weights.
    ///   - index: the block's position.
    ///   - block: its published geometry.
    ///   - inputSize: the side of its input feature map.
    ///   - precededBy: for a block without an expansion layer, what produces its depthwise input
    ///     instead (the stem, for the first block); the input itself by default.
    /// - Returns: the block.
    /// - Throws: `VisionError` when a tensor is missing, misshapen or unexpected.
    static func block(
        _ file: SafeTensorsFile, index: Int, block: LiteArchitecture.Block, inputSize: Int,
        precededBy substitute: InvertedResidual.Expansion = .identity
    ) throws -> InvertedResidual {
        let p = "_blocks.\(index)."
        let hasExpansion = block.expansion != 1
        if hasExpansion != (file.tensors[p + "_expand_conv.weight"] != nil) {
            throw hasExpansion
                ? VisionError.missingTensor(file.url, tensor: p + "_expand_conv.weight")
                : VisionError.invalidWeights(
                    file.url, reason: "block \(index) has an unexpected expansion layer")
        }
        if let se = file.tensors.keys.sorted().first(where: { $0.hasPrefix(p + "_se_") }) {
            throw VisionError.invalidWeights(file.url, reason: "unexpected squeeze-excitation tensor \(se)")
        }
        let expand =
            hasExpansion
            ? InvertedResidual.Expansion.pointwise(
                try dense(
                    file, convolution: p + "_expand_conv", batchNorm: p + "_bn0", inputs: block.inputChannels,
                    outputs: block.expandedChannels))
            : substitute
        let depthwise = try Self.depthwise(
            file, convolution: p + "_depthwise_conv", batchNorm: p + "_bn1", channels: block.expandedChannels,
            kernelSize: block.kernelSize)
        let project = try dense(
            file, convolution: p + "_project_conv", batchNorm: p + "_bn2", inputs: block.expandedChannels,
            outputs: block.outputChannels)
        let padding = LiteArchitecture.samePadding(
            size: inputSize, kernel: block.kernelSize, stride: block.stride)
        let geometry = InvertedResidual.Geometry(
            height: inputSize, width: inputSize, inputChannels: block.inputChannels,
            expandedChannels: block.expandedChannels, outputChannels: block.outputChannels,
            kernelSize: block.kernelSize, stride: block.stride, padBefore: padding.before,
            outputHeight: padding.output, outputWidth: padding.output)
        return InvertedResidual(
            geometry: geometry, expand: expand, depthwiseWeights: depthwise.weights,
            depthwiseBias: depthwise.bias,
            project: project)
    }
}
