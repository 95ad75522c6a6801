/// Rearranges PyTorch-layout convolution filters into the layouts the kernels read, scaling each
/// output channel on the way (that is how BatchNorm is folded in).
public enum FilterPacking {
    /// Dense filters `[out][in][k][k]` → a `(k·k·in) × out` matrix, row `(ky·k + kx)·in + ci`.
    ///
    /// This is the right-hand matrix of an im2col (or, for k = 1, a pointwise) convolution in NHWC.
    /// - Parameters:
    ///   - filters: `outputs × inputs × kernelSize²` floats.
    ///   - outputs: output channels.
    ///   - inputs: input channels.
    ///   - kernelSize: the filter's side.
    ///   - scale: one multiplier per output channel.
    ///   - destination: `kernelSize² × inputs × outputs` floats.
    public static func dense(
        _ filters: UnsafePointer<Float>, outputs: Int, inputs: Int, kernelSize: Int,
        scale: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>
    ) {
        let taps = kernelSize * kernelSize
        for o in 0..<outputs {
            for ci in 0..<inputs {
                for tap in 0..<taps {
                    destination[(tap * inputs + ci) * outputs + o] =
                        filters[(o * inputs + ci) * taps + tap] * scale[o]
                }
            }
        }
    }

    /// Depthwise filters `[channel][1][k][k]` → `k·k × channels`, tap-major.
    ///
    /// - Parameters:
    ///   - filters: `channels × kernelSize²` floats.
    ///   - channels: the number of channels.
    ///   - kernelSize: the filter's side.
    ///   - scale: one multiplier per channel.
    ///   - destination: `kernelSize² × channels` floats.
    public static func depthwise(
        _ filters: UnsafePointer<Float>, channels: Int, kernelSize: Int, scale: UnsafePointer<Float>,
        into destination: UnsafeMutablePointer<Float>
    ) {
        let taps = kernelSize * kernelSize
        for c in 0..<channels {
            for tap in 0..<taps { destination[tap * channels + c] = filters[c * taps + tap] * scale[c] }
        }
    }
}
