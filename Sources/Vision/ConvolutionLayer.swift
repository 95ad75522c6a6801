import Kernels

/// A dense convolution with its BatchNorm folded in, as a matrix product over NHWC pixels.
///
/// The filters are packed as a `(k·k·inputs) × outputs` matrix, so a 1×1 convolution multiplies the
/// feature map (pixels × inputs) directly and a k×k one multiplies its im2col rows.
struct ConvolutionLayer {
    let inputs: Int
    let outputs: Int
    let kernelSize: Int
    /// `(kernelSize² · inputs) × outputs` floats.
    let weights: AlignedBuffer
    /// `outputs` floats: the folded BatchNorm shift.
    let bias: AlignedBuffer

    /// Loads `convolution.weight` and folds `batchNorm` into it.
    ///
    /// - Parameters:
    ///   - file: the weights.
    ///   - convolution: the convolution's state-dict prefix.
    ///   - batchNorm: the BatchNorm's state-dict prefix.
    ///   - inputs: input channels.
    ///   - outputs: output channels.
    ///   - kernelSize: the filter's side.
    /// - Throws: `VisionError` when a tensor is missing or misshapen.
    init(
        _ file: SafeTensorsFile, convolution: String, batchNorm: String, inputs: Int, outputs: Int,
        kernelSize: Int = 1
    ) throws {
        let filters = try file.floats(convolution + ".weight", shape: [outputs, inputs, kernelSize, kernelSize])
        let norm = try FoldedBatchNorm(file, prefix: batchNorm, channels: outputs)
        self.inputs = inputs
        self.outputs = outputs
        self.kernelSize = kernelSize
        let weights = AlignedBuffer(count: kernelSize * kernelSize * inputs * outputs)
        filters.withUnsafeBufferPointer { f in
            norm.scale.withUnsafeBufferPointer { s in
                FilterPacking.dense(
                    f.baseAddress!, outputs: outputs, inputs: inputs, kernelSize: kernelSize,
                    scale: s.baseAddress!, into: weights.baseAddress)
            }
        }
        self.weights = weights
        bias = AlignedBuffer(norm.shift)
    }

    /// `output = epilogue(rows · weights)` for `pixels` rows of `kernelSize² · inputs` floats.
    ///
    /// - Parameters:
    ///   - rows: the feature map (1×1) or its im2col rows.
    ///   - pixels: the number of rows.
    ///   - output: `pixels × outputs` floats.
    ///   - epilogue: bias, bias + ReLU6, or bias + a residual.
    func run(
        _ rows: UnsafePointer<Float>, pixels: Int, output: UnsafeMutablePointer<Float>, epilogue: Epilogue
    ) {
        let depth = kernelSize * kernelSize * inputs
        BLAS.multiply(
            m: pixels, n: outputs, k: depth, a: rows, lda: depth, b: weights.baseAddress, ldb: outputs,
            c: output, ldc: outputs)
        epilogue.apply(to: output, rows: pixels, channels: outputs, bias: bias.baseAddress)
    }
}
