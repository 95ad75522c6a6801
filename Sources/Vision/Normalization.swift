/// How 0…255 RGB values are mapped to the network's input range.
public enum Normalization: String, Codable, Hashable, Sendable, CaseIterable {
    /// `(x − 127) / 128`, what the TensorFlow EfficientNet-Lite weights were trained with.
    case tensorflow = "tf"
    /// `(x − mean) / std` with the ImageNet statistics (torchvision's convention).
    case imagenet

    /// Per-channel mean on the 0…255 scale.
    public var mean: SIMD3<Float> {
        switch self {
        case .tensorflow: SIMD3(127, 127, 127)
        case .imagenet: SIMD3(123.675, 116.28, 103.53)
        }
    }

    /// Per-channel standard deviation on the 0…255 scale.
    public var standardDeviation: SIMD3<Float> {
        switch self {
        case .tensorflow: SIMD3(128, 128, 128)
        case .imagenet: SIMD3(58.395, 57.12, 57.375)
        }
    }
}
