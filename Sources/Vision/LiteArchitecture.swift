/// EfficientNet-Lite0's published structure: the parts of the graph that a state dict cannot tell.
///
/// The TensorFlow block strings (`r1_k3_s11_e1_i32_o16`, …) at width = depth = 1.0: no
/// squeeze-excitation, ReLU6 throughout, stem (32) and head (1280) not scaled.
enum LiteArchitecture {
    /// One MBConv (inverted residual) block.
    struct Block: Equatable {
        var kernelSize: Int
        var stride: Int
        var expansion: Int
        var inputChannels: Int
        var outputChannels: Int
        var expandedChannels: Int { inputChannels * expansion }
        /// A skip connection joins blocks that keep both the resolution and the width.
        var hasResidual: Bool { stride == 1 && inputChannels == outputChannels }
    }

    static let inputSize = 224
    static let stemChannels = 32
    static let headChannels = 1280
    static let classes = 1000
    static let batchNormEpsilon = 1e-3

    /// (repeats, kernel, stride, expansion, input channels, output channels) per stage.
    private static let stages: [(Int, Int, Int, Int, Int, Int)] = [
        (1, 3, 1, 1, 32, 16),
        (2, 3, 2, 6, 16, 24),
        (2, 5, 2, 6, 24, 40),
        (3, 3, 2, 6, 40, 80),
        (3, 5, 1, 6, 80, 112),
        (4, 5, 2, 6, 112, 192),
        (1, 3, 1, 6, 192, 320),
    ]

    /// The 16 blocks in order; only a stage's first block strides or changes width.
    static let blocks: [Block] = stages.flatMap { repeats, kernel, stride, expansion, input, output in
        (0..<repeats).map { r in
            Block(
                kernelSize: kernel, stride: r == 0 ? stride : 1, expansion: expansion,
                inputChannels: r == 0 ? input : output, outputChannels: output)
        }
    }

    /// TensorFlow "SAME" padding along one axis: the output is `ceil(size / stride)` and the odd
    /// padding pixel goes after (bottom/right).
    ///
    /// - Parameters:
    ///   - size: the input length.
    ///   - kernel: the filter length.
    ///   - stride: the step.
    /// - Returns: padding before the input and the output length.
    static func samePadding(size: Int, kernel: Int, stride: Int) -> (before: Int, output: Int) {
        let output = (size + stride - 1) / stride
        let total = max((output - 1) * stride + kernel - size, 0)
        return (total / 2, output)
    }
}
