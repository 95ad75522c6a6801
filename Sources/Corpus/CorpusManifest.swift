import Crypto
import Foundation
import Vision

/// The corpus manifest: what the bundle holds, and the checksums of every blob.
///
/// On disk it is `{"sha256":"<hex>","manifest":<payload>}` followed by a newline, where the hex is
/// the SHA-256 of the payload's exact bytes: still JSON for people and tools, yet self-checking.
struct CorpusManifest: Codable, Equatable {
    var format: String
    var version: Int
    var model: ModelRecord
    var generation: Int
    var modified: String
    var sources: [SourceRecord]
    /// What the similarity measures need (version 2 on; nil in a version 1 manifest).
    var statistics: CorpusStatistics?
    /// The search index file (version 3 on; nil when the corpus has none, e.g. a small one).
    var searchIndex: SearchIndexRecord?
    /// Which part of a list of sources a shard corpus holds (`index --shard`); absent otherwise,
    /// so whole corpora are unchanged and the format version did not change.
    var shard: CorpusShard?

    /// The embedding model, with explicit keys so the format does not follow Vision's property names.
    struct ModelRecord: Codable, Equatable {
        var name: String
        var inputSize: Int
        var embeddingSize: Int
        var weightsSHA256: String
        var normalization: String

        init(_ identity: ModelIdentity) {
            name = identity.name
            inputSize = identity.inputSize
            embeddingSize = identity.embeddingSize
            weightsSHA256 = identity.weightsSHA256
            normalization = identity.normalization.rawValue
        }

        /// The identity, or nil when the normalisation is unknown to this version.
        var identity: ModelIdentity? {
            Normalization(rawValue: normalization).map {
                ModelIdentity(
                    name: name, inputSize: inputSize, embeddingSize: embeddingSize,
                    weightsSHA256: weightsSHA256,
                    normalization: $0)
            }
        }
    }

    /// One source: its metadata, user settings and its three blobs.
    struct SourceRecord: Codable, Equatable {
        var id: String
        var name: String
        var kind: CorpusSource.Kind
        var inputs: [InputRecord]
        var duration: Double
        var framesPerSecond: Double?
        var frameCount: Int
        var sampleRate: Int
        var channels: Int
        var audioFrameCount: Int
        var weight: Double
        var muted: Bool
        var indexed: String
        var notes: [String]
        var audio: BlobRecord
        var frames: BlobRecord
        var thumbnails: BlobRecord
        /// Pictures taught as examples of this source (`scenophone teach`); absent when none.
        var examples: [ExampleRecord]?
        /// The kind of scene (see `SourceCategory`); absent in corpora written before categories,
        /// which therefore still open, and omitted when unset.
        var category: String?

        func blob(_ kind: BlobKind) -> BlobRecord {
            switch kind {
            case .audio: audio
            case .frames: frames
            case .thumbnails: thumbnails
            }
        }
    }

    /// A file the source was made from.
    struct InputRecord: Codable, Equatable {
        /// `picture`, `sound`, or `picture+sound` for a video with its own sound track.
        var role: String
        var fileName: String
        var bytes: Int64
        var sha256: String
    }

    /// A blob file: its name in `sources/`, its size and the SHA-256 of all its bytes.
    struct BlobRecord: Codable, Equatable {
        var file: String
        var bytes: Int64
        var sha256: String
    }

    /// The search index file (`SearchIndex`): a blob in `sources/` like a source's, for the frames
    /// and order of the sources it was computed from.
    struct SearchIndexRecord: Codable, Equatable {
        var file: String
        var bytes: Int64
        var sha256: String
        /// The frames it covers: every frame of the open corpus, in order (sources', then taught
        /// examples').
        var frameCount: Int
        /// The principal components it keeps.
        var components: Int
        /// The ids of the frames blobs it was computed from, in frame order: it belongs to the
        /// corpus only while they are the corpus's.
        var frameBlobs: [String]
    }

    /// An empty manifest for a new corpus.
    init(model: ModelIdentity) {
        format = CorpusFormat.formatName
        version = CorpusFormat.version
        self.model = ModelRecord(model)
        generation = 0
        modified = Self.timestamp()
        sources = []
    }

    /// The current time as ISO 8601, for `modified` and `indexed`.
    static func timestamp() -> String {
        ISO8601DateFormatter().string(from: Date())
    }

    /// The file's bytes: the checksum envelope around the pretty-printed payload.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let payload = try encoder.encode(self)
        let digest = SHA256.hash(data: payload).hexString
        var data = Data("{\"sha256\":\"\(digest)\",\"manifest\":".utf8)
        data.append(payload)
        data.append(contentsOf: Array("}\n".utf8))
        return data
    }

    /// Reads a manifest file's bytes, checking the envelope's checksum.
    ///
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - url: the corpus, named in errors.
    /// - Returns: the manifest.
    /// - Throws: `CorpusError.notACorpus` when the bytes are not a manifest, `.damaged` when the
    ///   checksum does not match, `.unsupportedVersion` for a newer format.
    static func decode(_ data: Data, corpus url: URL) throws -> CorpusManifest {
        let prefix = Array("{\"sha256\":\"".utf8)
        let middle = Array("\",\"manifest\":".utf8)
        let suffix = Array("}\n".utf8)
        let bytes = [UInt8](data)
        let payloadStart = prefix.count + 64 + middle.count
        guard bytes.count > payloadStart + suffix.count, Array(bytes[0..<prefix.count]) == prefix else {
            throw CorpusError.notACorpus(url, reason: "\(CorpusFormat.manifestName) is not a corpus manifest")
        }
        guard Array(bytes[prefix.count + 64..<payloadStart]) == middle, Array(bytes.suffix(2)) == suffix
        else {
            throw CorpusError.damaged(url, reason: "\(CorpusFormat.manifestName) is cut short or garbled")
        }
        let stored = String(decoding: bytes[prefix.count..<prefix.count + 64], as: UTF8.self)
        let payload = Data(bytes[payloadStart..<bytes.count - suffix.count])
        guard SHA256.hash(data: payload).hexString == stored else {
            throw CorpusError.damaged(url, reason: "\(CorpusFormat.manifestName) does not match its checksum")
        }
        // Read the version alone first, so a newer format is reported as such, not as garbage.
        struct Header: Decodable {
            var format: String
            var version: Int
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: payload),
            header.format == CorpusFormat.formatName
        else {
            throw CorpusError.notACorpus(
                url, reason: "\(CorpusFormat.manifestName) has no corpus format header")
        }
        guard header.version <= CorpusFormat.version else {
            throw CorpusError.unsupportedVersion(url, found: header.version, supported: CorpusFormat.version)
        }
        do {
            return try JSONDecoder().decode(CorpusManifest.self, from: payload)
        } catch {
            throw CorpusError.damaged(url, reason: "\(CorpusFormat.manifestName) cannot be read: \(error)")
        }
    }
}

extension Digest {
    /// The digest as lowercase hex.
    var hexString: String { SourceID.hex(Array(self)) }
}
