import ArgumentParser
import Foundation
import Vision

/// Where the embedding model is, for commands that embed.
struct ModelOptions: ParsableArguments {
    @Option(
        name: .customLong("model-dir"),
        help: "The model directory (default: $SCENOPHONE_MODEL_DIR, else ~/.cache/scenophone/models).")
    var modelDirectory: String?

    /// Finds the model's files.
    ///
    /// - Returns: the weights, labels and checkpoint locations.
    /// - Throws: `VisionError` when the model is missing (saying to run `scripts/setup`).
    func locate() throws -> ModelFiles {
        try ModelFiles.locate(directory: modelDirectory.map { URL(fileURLWithPath: $0) })
    }

    /// Loads EfficientNet-Lite0.
    ///
    /// - Returns: the network.
    /// - Throws: `VisionError` when the model is missing (saying to run `scripts/setup`) or damaged.
    func loadNetwork() throws -> EfficientNetLite {
        try EfficientNetLite(files: locate())
    }
}
