import ArgumentParser
import Foundation
import Vision

/// Where the embedding models are, for commands that embed.
public struct ModelOptions: ParsableArguments {
    @Option(
        name: .customLong("model-dir"),
        help: "The model directory (default: $SCENOPHONE_MODEL_DIR, else ~/.cache/scenophone/models).")
    public var modelDirectory: String?

    public init() {}

    /// The `--model-dir` directory, or `nil` for the default.
    public var directory: URL? { modelDirectory.map { URL(fileURLWithPath: $0) } }

    /// Finds one model's files.
    ///
    /// - Parameter variant: the network.
    /// - Returns: the weights, labels and checkpoint locations.
    /// - Throws: `VisionError` when the model is missing (saying to run `scripts/setup`).
    public func locate(_ variant: EfficientNetLite.Variant) throws -> ModelFiles {
        try ModelFiles.locate(variant, directory: directory)
    }

    /// Loads a network to embed new material with (a new corpus, a classification, a benchmark).
    /// A corpus's queries load its own network instead, with `Corpus.loadNetwork`.
    ///
    /// - Parameters:
    ///   - variant: the network.
    ///   - threads: threads to split each image's work over, the caller's included.
    /// - Returns: the network.
    /// - Throws: `VisionError` when the model is missing (saying to run `scripts/setup`) or damaged.
    public func loadNetwork(_ variant: EfficientNetLite.Variant, threads: Int = 1) throws -> EfficientNetLite
    {
        try EfficientNetLite(files: locate(variant), threads: threads)
    }
}
