/// Reads convolution filters from the state dict and folds the following BatchNorm into them.
enum FoldedWeights {
    /// A dense convolution (`[out][in][k][k]` in the state dict) as an OHWI filter and a bias.
    ///
    /// - Parameters:
    ///   - file: the weights.
    ///   - convolution: the convolution's state-dict prefix.
    ///   - batchNorm: the BatchNorm's state-dict prefix.
    ///   - inputs: input channels.
    ///   - outputs: output channels.
    ///   - kernelSize: the filter's side.
    /// - Returns: the folded convolution.
    /// - Throws: `VisionError` when a tensor is missing or misshapen.
    static func dense(
        _ file: SafeTensorsFile, convolution: String, batchNorm: String, inputs: Int, outputs: Int,
        kernelSize: Int = 1
    ) throws -> FoldedConvolution {
        let filters = try file.floats(
            convolution + ".weight", shape: [outputs, inputs, kernelSize, kernelSize])
        let norm = try FoldedBatchNorm(file, prefix: batchNorm, channels: outputs)
        let taps = kernelSize * kernelSize
        var filter = [Float](repeating: 0, count: filters.count)
        for o in 0..<outputs {
            for i in 0..<inputs {
                for t in 0..<taps {
                    filter[(o * taps + t) * inputs + i] = filters[(o * inputs + i) * taps + t] * norm.scale[o]
                }
            }
        }
        return FoldedConvolution(filter: filter, bias: norm.shift, kernelSize: kernelSize)
    }

    /// A depthwise convolution (`[channel][1][k][k]` in the state dict) as a `[k][k][channel]`
    /// filter and a bias.
    ///
    /// - Parameters:
    ///   - file: the weights.
    ///   - convolution: the convolution's state-dict prefix.
    ///   - batchNorm: the BatchNorm's state-dict prefix.
    ///   - channels: the channel count.
    ///   - kernelSize: the filter's side.
    /// - Returns: the folded convolution.
    /// - Throws: `VisionError` when a tensor is missing or misshapen.
    static func depthwise(
        _ file: SafeTensorsFile, convolution: String, batchNorm: String, channels: Int, kernelSize: Int
    ) throws -> FoldedConvolution {
        let filters = try file.floats(convolution + ".weight", shape: [channels, 1, kernelSize, kernelSize])
        let norm = try FoldedBatchNorm(file, prefix: batchNorm, channels: channels)
        let taps = kernelSize * kernelSize
        var filter = [Float](repeating: 0, count: filters.count)
        for c in 0..<channels {
            for t in 0..<taps { filter[t * channels + c] = filters[c * taps + t] * norm.scale[c] }
        }
        return FoldedConvolution(filter: filter, bias: norm.shift, kernelSize: kernelSize)
    }

    /// MBConv block `index` of the state dict (`_blocks.<index>.…`).
    ///
    /// - Parameters:
    ///   - file: the weights.
    ///   - index: the block's position.
    ///   - block: its published geometry.
    /// - Returns: the block's folded convolutions.
    /// - Throws: `VisionError` when a tensor is missing, misshapen or unexpected.
    static func block(
        _ file: SafeTensorsFile, index: Int, block: LiteArchitecture.Block
    ) throws -> FoldedBlock {
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
            ? try dense(
                file, convolution: p + "_expand_conv", batchNorm: p + "_bn0", inputs: block.inputChannels,
                outputs: block.expandedChannels)
            : nil
        let depthwise = try Self.depthwise(
            file, convolution: p + "_depthwise_conv", batchNorm: p + "_bn1", channels: block.expandedChannels,
            kernelSize: block.kernelSize)
        let project = try dense(
            file, convolution: p + "_project_conv", batchNorm: p + "_bn2", inputs: block.expandedChannels,
            outputs: block.outputChannels)
        return FoldedBlock(spec: block, expand: expand, depthwise: depthwise, project: project)
    }
}
