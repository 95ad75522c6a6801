import Kernels

/// A depthwise convolution with its BatchNorm folded in and ReLU6 fused, TF "SAME" padded.
struct DepthwiseLayer {
    let shape: DepthwiseConvolution.Shape
    /// `kernelSize² × channels` floats.
    let weights: AlignedBuffer
    let bias: AlignedBuffer

    /// Loads `convolution.weight` and folds `batchNorm` into it.
    ///
    /// - Parameters:
    ///   - file: the weights.
    ///   - convolution: the convolution's state-dict prefix.
    ///   - batchNorm: the BatchNorm's state-dict prefix.
    ///   - channels: the channel count.
    ///   - kernelSize: the filter's side.
    ///   - stride: 1 or 2.
    ///   - inputSize: the side of the (square) input feature map.
    /// - Throws: `VisionError` when a tensor is missing or misshapen.
    init(
        _ file: SafeTensorsFile, convolution: String, batchNorm: String, channels: Int, kernelSize: Int,
        stride: Int, inputSize: Int
    ) throws {
        let filters = try file.floats(convolution + ".weight", shape: [channels, 1, kernelSize, kernelSize])
        let norm = try FoldedBatchNorm(file, prefix: batchNorm, channels: channels)
        let padding = Lite0Architecture.samePadding(size: inputSize, kernel: kernelSize, stride: stride)
        shape = DepthwiseConvolution.Shape(
            height: inputSize, width: inputSize, channels: channels, kernelSize: kernelSize, stride: stride,
            padTop: padding.before, padLeft: padding.before, outputHeight: padding.output,
            outputWidth: padding.output)
        let weights = AlignedBuffer(count: kernelSize * kernelSize * channels)
        filters.withUnsafeBufferPointer { f in
            norm.scale.withUnsafeBufferPointer { s in
                FilterPacking.depthwise(
                    f.baseAddress!, channels: channels, kernelSize: kernelSize, scale: s.baseAddress!,
                    into: weights.baseAddress)
            }
        }
        self.weights = weights
        bias = AlignedBuffer(norm.shift)
    }

    /// Pixels in one output feature map.
    var outputPixels: Int { shape.outputHeight * shape.outputWidth }

    /// Convolves `batch` images.
    ///
    /// - Parameters:
    ///   - input: `batch × height × width × channels` floats.
    ///   - batch: the number of images.
    ///   - output: `batch × outputHeight × outputWidth × channels` floats.
    func run(_ input: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>) {
        let inputStride = shape.height * shape.width * shape.channels
        let outputStride = outputPixels * shape.channels
        for n in 0..<batch {
            DepthwiseConvolution.run(
                shape: shape, input: input + n * inputStride, weights: weights.baseAddress,
                bias: bias.baseAddress, output: output + n * outputStride)
        }
    }
}
