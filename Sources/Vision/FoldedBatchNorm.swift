import Foundation

/// A BatchNorm layer reduced to a per-channel scale and shift, to be folded into the convolution
/// before it: `bn(conv(x, w)) = conv(x, w · scale) + shift`.
struct FoldedBatchNorm {
    var scale: [Float]
    var shift: [Float]

    /// Reads `prefix.{weight,bias,running_mean,running_var}` and folds them (in double precision).
    ///
    /// - Parameters:
    ///   - file: the weights.
    ///   - prefix: the layer's state-dict prefix, e.g. `_blocks.3._bn1`.
    ///   - channels: the number of channels.
    /// - Throws: `VisionError` when a tensor is missing or misshapen.
    init(_ file: SafeTensorsFile, prefix: String, channels: Int) throws {
        let gamma = try file.floats(prefix + ".weight", shape: [channels])
        let beta = try file.floats(prefix + ".bias", shape: [channels])
        let mean = try file.floats(prefix + ".running_mean", shape: [channels])
        let variance = try file.floats(prefix + ".running_var", shape: [channels])
        let epsilon = LiteArchitecture.batchNormEpsilon
        let scale = (0..<channels).map { Double(gamma[$0]) / (Double(variance[$0]) + epsilon).squareRoot() }
        self.scale = scale.map { Float($0) }
        shift = (0..<channels).map { Float(Double(beta[$0]) - Double(mean[$0]) * scale[$0]) }
    }
}
