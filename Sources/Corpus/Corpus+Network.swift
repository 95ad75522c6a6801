import Foundation
import Vision

extension Corpus {
    /// Loads the network this corpus was embedded with: the one every query of the corpus uses.
    ///
    /// - Parameters:
    ///   - modelDirectory: the model directory (`--model-dir`), or `nil` for the default.
    ///   - maxBatch: the largest batch one call accepts.
    ///   - threads: threads to split each image's work over, the caller's included.
    /// - Returns: a network whose identity is the corpus's.
    /// - Throws: `CorpusError.modelMismatch` when the installed weights are not the corpus's,
    ///   `.modelUnavailable` (naming the corpus, the model and `scripts/setup`) when the model is not
    ///   installed or unknown, and `VisionError` when the weights are damaged.
    public func loadNetwork(modelDirectory: URL? = nil, maxBatch: Int = 1, threads: Int = 1) throws
        -> EfficientNetLite
    {
        try Self.loadNetwork(
            matching: model, corpus: url, modelDirectory: modelDirectory, maxBatch: maxBatch, threads: threads
        )
    }

    /// Loads the network a corpus was embedded with, given its recorded identity (for a corpus
    /// being edited, which is not open for reading).
    ///
    /// - Parameters:
    ///   - model: the corpus's recorded model.
    ///   - url: the corpus, named in errors.
    ///   - modelDirectory: the model directory (`--model-dir`), or `nil` for the default.
    ///   - maxBatch: the largest batch one call accepts.
    ///   - threads: threads to split each image's work over, the caller's included.
    /// - Returns: a network whose identity is `model`.
    /// - Throws: as `loadNetwork(modelDirectory:maxBatch:threads:)`.
    public static func loadNetwork(
        matching model: ModelIdentity, corpus url: URL, modelDirectory: URL? = nil, maxBatch: Int = 1,
        threads: Int = 1
    ) throws -> EfficientNetLite {
        do {
            return try EfficientNetLite(
                matching: model, directory: modelDirectory, maxBatch: maxBatch, threads: threads)
        } catch VisionError.differentWeights(_, _, let installed) {
            throw CorpusError.modelMismatch(url, corpus: model, current: installed)
        } catch let error as VisionError {
            switch error {
            case .modelNotFound, .unknownModel:
                throw CorpusError.modelUnavailable(url, model: model.name, reason: "\(error)")
            default:
                throw error
            }
        }
    }
}
