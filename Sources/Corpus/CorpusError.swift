import Foundation
import MediaIO
import Vision

/// What went wrong opening, verifying, building or editing a corpus.
///
/// Every case names the corpus or input file concerned, so the message alone tells the user what to fix.
public enum CorpusError: Error, CustomStringConvertible, Sendable {
    /// The path is not a corpus (no manifest, or not a directory).
    case notACorpus(URL, reason: String)
    /// The corpus was written by a newer (or unknown) version of the format.
    case unsupportedVersion(URL, found: Int, supported: Int)
    /// A stored checksum does not match the bytes: the file is damaged.
    case damaged(URL, reason: String)
    /// The corpus's embeddings come from another model than the one in use.
    case modelMismatch(URL, corpus: ModelIdentity, current: ModelIdentity)
    /// The model the corpus was embedded with is not installed, or unknown to this version.
    case modelUnavailable(URL, model: String, reason: String)
    /// The output path exists and replacing it was not asked for.
    case alreadyExists(URL)
    /// Another process is writing the corpus.
    case busy(URL)
    /// A source name is already taken, or none matches.
    case sourceNameTaken(URL, name: String)
    /// No source has this name.
    case noSuchSource(URL, name: String)
    /// No taught example has this id (or the prefix matches none, or several).
    case noSuchExample(URL, id: String, reason: String)
    /// A source name that cannot be used.
    case invalidSourceName(String, reason: String)
    /// An input on the command line or in the API that cannot become a source.
    case invalidInput(String, reason: String)
    /// A media file that cannot be indexed (wraps MediaIO's error, which names the file).
    case media(MediaIOError)
    /// The embedding network failed on a frame of this file.
    case embedding(URL, reason: String)
    /// The input decoded to less than its container announces (cut short or damaged).
    case truncated(URL, decoded: Double, expected: Double, detail: String)
    /// The operating system refused a read or write.
    case systemError(URL, operation: String, errno: Int32)
    /// Corpora that cannot be merged into one (another model, a duplicate source, a missing shard).
    case cannotMerge(URL, reason: String)

    public var description: String {
        switch self {
        case .notACorpus(let url, let reason):
            return "\(url.path): not a Scenophone corpus (\(reason))"
        case .unsupportedVersion(let url, let found, let supported):
            return
                "\(url.path): corpus format version \(found) is not supported (this Scenophone reads version "
                + "\(supported)); use the Scenophone that wrote it, or re-index"
        case .damaged(let url, let reason):
            return "\(url.path): the corpus is damaged: \(reason); re-index it or restore a backup"
        case .modelMismatch(let url, let corpus, let current):
            return
                "\(url.path): the corpus was built with \(Self.describe(corpus)), not with the model in use "
                + "(\(Self.describe(current))); its embeddings cannot be compared: re-index it with this model"
        case .modelUnavailable(let url, let model, let reason):
            return "\(url.path): was indexed with \(model), which cannot be loaded: \(reason)"
        case .alreadyExists(let url):
            return
                "\(url.path): already exists; add to it with `scenophone sources add`, or pass --overwrite "
                + "to replace it"
        case .busy(let url):
            return "\(url.path): another scenophone process is writing this corpus; try again when it is done"
        case .sourceNameTaken(let url, let name):
            return
                "\(url.path): already has a source named '\(name)'; name the new one with NAME=FILE "
                + "(e.g. \(name)-2=\(name).mp4)"
        case .noSuchSource(let url, let name):
            return "\(url.path): has no source named '\(name)' (see `scenophone sources list`)"
        case .noSuchExample(let url, let id, let reason):
            return "\(url.path): \(reason) '\(id)' (see `scenophone teach \(url.lastPathComponent) --list`)"
        case .invalidSourceName(let name, let reason):
            return "'\(name)': not a usable source name (\(reason))"
        case .invalidInput(let input, let reason):
            return "\(input): \(reason)"
        case .media(let error):
            return error.description
        case .embedding(let url, let reason):
            return "\(url.path): the embedding network failed: \(reason)"
        case .truncated(let url, let decoded, let expected, let detail):
            let seconds = String(format: "%.2f s of the %.2f s it announces", decoded, expected)
            let ffmpeg = detail.isEmpty ? "" : " (ffmpeg: \(detail))"
            return
                "\(url.path): truncated or damaged: only \(seconds) decode\(ffmpeg); pass --allow-truncated to "
                + "index what decodes"
        case .systemError(let url, let operation, let code):
            return "\(url.path): cannot \(operation): \(String(cString: strerror(code)))"
        case .cannotMerge(let url, let reason):
            return "\(url.path): cannot be merged: \(reason)"
        }
    }

    static func describe(_ model: ModelIdentity) -> String {
        "\(model.name) \(model.inputSize) px, \(model.embeddingSize)-d, \(model.normalization.rawValue) "
            + "normalisation, weights sha256 \(model.weightsSHA256.prefix(12))…"
    }
}
