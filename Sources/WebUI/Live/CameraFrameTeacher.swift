import Corpus
import Foundation
import Synchronization
import Vision

/// Stores camera frames in the corpus as examples of a source, for `serve`'s "sounds like ▸ source".
///
/// A frame is taught exactly as `scenophone teach` teaches a picture file: it is written to a
/// temporary PPM file, decoded and embedded by `ExampleEmbedder` with the corpus's model, and added
/// by a `CorpusWriter` in one atomic commit. The network is loaded on first use and kept.
public final class CameraFrameTeacher: Sendable {
    /// The corpus bundle examples are written to.
    public let corpus: URL
    private let modelDirectory: URL?
    private let embedder = Mutex<ExampleEmbedder?>(nil)

    /// Creates a teacher.
    ///
    /// - Parameters:
    ///   - corpus: the corpus bundle.
    ///   - modelDirectory: where the models are installed, or `nil` for the default directory.
    public init(corpus: URL, modelDirectory: URL?) {
        self.corpus = corpus
        self.modelDirectory = modelDirectory
    }

    /// Stores one RGB frame as an example covering the whole of a source.
    ///
    /// - Parameters:
    ///   - pixels: `width × height × 3` bytes of RGB24.
    ///   - width: columns.
    ///   - height: rows.
    ///   - source: the source's name.
    /// - Returns: the new example's id.
    /// - Throws: `CorpusError` (busy, no such source, a write failure) or the embedding's error; the
    ///   corpus is unchanged then.
    public func teach(rgb pixels: [UInt8], width: Int, height: Int, source: String) throws -> String {
        guard width > 0, height > 0, pixels.count == width * height * 3 else {
            throw CorpusError.invalidInput(
                "camera frame", reason: "\(pixels.count) bytes are not \(width)×\(height) RGB")
        }
        return try embedder.withLock { cached in
            let writer = try CorpusWriter.edit(corpus)
            if cached == nil {
                let network = try Corpus.loadNetwork(
                    matching: writer.model, corpus: corpus, modelDirectory: modelDirectory)
                cached = ExampleEmbedder(network: network)
            }
            guard let embedder = cached, embedder.model == writer.model else {
                throw CorpusError.modelMismatch(
                    corpus, corpus: writer.model, current: cached?.model ?? writer.model)
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "scenophone-teach-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            // The file's name is what `teach --list` shows for the example: when it was taught.
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "-")
            let file = directory.appendingPathComponent("camera-\(stamp).ppm")
            var ppm = Data("P6\n\(width) \(height)\n255\n".utf8)
            ppm.append(contentsOf: pixels)
            try ppm.write(to: file)
            let picture = try embedder.embed(pictureAt: file, role: "camera")
            let id = try writer.addExample(picture, to: source)
            try writer.commit()
            return id
        }
    }
}
