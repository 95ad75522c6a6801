import Corpus
import Foundation
import Vision

/// Builds real corpora for tests through the library, as `scenophone index` does, without needing
/// the `scenophone` executable (the benchmarks package's tests have only the library).
public enum CorpusFixture {
    /// Indexes inputs into a new corpus with the default model.
    ///
    /// - Parameters:
    ///   - inputs: sources in `index`'s syntax (`NAME=PICTURE+SOUND`, a video, …).
    ///   - url: the corpus bundle to create (replaced if it exists).
    /// - Throws: the indexing failure (a missing model, a bad input), naming the file.
    public static func index(_ inputs: [String], into url: URL) throws {
        let network = try EfficientNetLite(files: ModelFiles.locate(.default, directory: nil))
        let indexer = SourceIndexer(network: network)
        let writer = try CorpusWriter.create(at: url, model: indexer.model, overwrite: true)
        for input in inputs {
            try writer.add(try indexer.plan(SourceInput.parse(input)), using: indexer) { _ in }
        }
        try writer.commit()
    }
}
