import Foundation
import MediaIO
import Vision

/// Embeds pictures to teach as examples, exactly as indexing embeds a still photo: decoded by
/// ffmpeg to the short side whose centre crop is the network's input, embedded by the network, with a 160 px JPEG thumbnail. Not
/// thread-safe.
public final class ExampleEmbedder {
    private let network: EfficientNetLite

    /// The identity of the embeddings it makes; a corpus of another model refuses them.
    public var model: ModelIdentity { network.identity }

    /// Creates an embedder.
    ///
    /// - Parameter network: the embedding network (used from the calling thread only).
    public init(network: EfficientNetLite) {
        self.network = network
    }

    /// Embeds a picture file.
    ///
    /// - Parameters:
    ///   - url: a still picture (JPEG, PNG, PPM…).
    ///   - role: how it is described in the corpus: `picture` for a user's file, `camera` for a
    ///     camera frame saved to a file.
    /// - Returns: the embedding, thumbnail and the file's name, size and SHA-256.
    /// - Throws: `CorpusError` naming the file: missing, not a picture (audio, a video, garbage), or
    ///   one the network cannot embed.
    public func embed(pictureAt url: URL, role: String = "picture") throws -> TaughtPicture {
        let info = try media { try MediaProbe.probe(url) }
        guard info.video != nil else {
            throw CorpusError.invalidInput(url.path, reason: "is not a picture (it has no image to embed)")
        }
        guard info.isStillImage else {
            throw CorpusError.invalidInput(
                url.path, reason: "is a video; teach a still picture (a photo, or one frame exported from it)"
            )
        }
        let frame = try media {
            try VideoFrameReader.readStill(
                url, scaling: SourceIndexer.embeddingScaling(inputSize: network.inputSize),
                thumbnail: SourceIndexer.thumbnailScaling)
        }
        guard let thumbnail = frame.thumbnailJPEG, !thumbnail.isEmpty else {
            throw CorpusError.media(
                .processFailed(url, program: "ffmpeg", status: 0, message: "no thumbnail was made"))
        }
        var embedding = [Float](repeating: 0, count: model.embeddingSize)
        do {
            try frame.pixels.withUnsafeBufferPointer { rgb in
                try embedding.withUnsafeMutableBufferPointer { out in
                    try network.embed(rgb: rgb, width: frame.width, height: frame.height, into: out)
                }
            }
        } catch {
            throw CorpusError.embedding(url, reason: "\(error)")
        }
        guard embedding.allSatisfy(\.isFinite) else {
            throw CorpusError.embedding(url, reason: "the network produced a non-finite value")
        }
        let file = try SHA256Hex.ofFile(url)
        return TaughtPicture(
            embedding: embedding, thumbnailJPEG: thumbnail,
            origin: CorpusInputFile(
                role: role, fileName: url.lastPathComponent, bytes: file.bytes, sha256: file.sha256))
    }
}
