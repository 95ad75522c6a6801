import ArgumentParser
import Vision

/// `--model`: which EfficientNet-Lite network embeds new material.
public struct ModelChoice: ParsableArguments {
    @Option(
        name: .customLong("model"),
        help: """
            The network that embeds the pictures: lite0 (224 px, fastest), lite1 (240 px) or lite2 \
            (260 px, slowest). A corpus records its model; everything that uses the corpus uses it.
            """)
    public var variant = EfficientNetLite.Variant.default

    public init() {}
}
