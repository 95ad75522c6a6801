/// One source of a corpus: a video with its sound, or a photo standing for a whole recording.
///
/// Its audio points into the corpus's memory-mapped file, kept alive by this value: it stays valid
/// as long as the source (or its corpus) does, even if the corpus is replaced on disk meanwhile.
public struct CorpusSource: @unchecked Sendable {
    /// What a source's pictures are.
    public enum Kind: String, Codable, Sendable {
        /// Frames sampled from a video, each standing for the audio around it.
        case video
        /// One photo standing for its whole recording.
        case still
    }

    /// The stored id (32 hex digits), stable across edits.
    public let id: String
    /// The user's name for it, unique in the corpus.
    public let name: String
    /// Video or still.
    public let kind: Kind
    /// The files it was made from (picture, sound) with their sizes and checksums.
    public let inputs: [CorpusInputFile]
    /// The checksum identifying the input: the file's SHA-256 for one file; for a pair, the SHA-256
    /// of the text `"<picture sha256>+<sound sha256>"`.
    public let checksum: String
    /// The length of its audio in seconds.
    public let duration: Double
    /// Frames per second sampled from a video; nil for a still.
    public let framesPerSecond: Double?
    /// How much the synthesizer should favour it (1 = neutral).
    public let weight: Float
    /// Whether the synthesizer should leave it silent.
    public let muted: Bool
    /// Audio samples per second per channel (48 000).
    public let sampleRate: Int
    /// Audio channels: 2 when the recording is stereo, 1 when mono.
    public let channels: Int
    /// Its frames' indices in the corpus (`Corpus.frames`, rows of `Corpus.rows`).
    public let frames: Range<Int>
    /// Its audio: `audioFrameCount × channels` interleaved samples.
    public let audio: UnsafeBufferPointer<Float>
    /// Remarks made when it was indexed (e.g. that it was truncated).
    public let notes: [String]
    /// The kind of scene it shows (`SourceCategory`), or nil when none was given.
    public let category: String?

    let storage: AnyObject

    /// The number of audio sample frames (one sample per channel each).
    public var audioFrameCount: Int { audio.count / channels }

    init(
        record: CorpusManifest.SourceRecord, frames: Range<Int>, audio: UnsafeBufferPointer<Float>,
        storage: AnyObject
    ) {
        id = record.id
        name = record.name
        kind = record.kind
        inputs = record.inputs.map {
            CorpusInputFile(role: $0.role, fileName: $0.fileName, bytes: $0.bytes, sha256: $0.sha256)
        }
        checksum = CorpusInputFile.checksum(of: record.inputs.map(\.sha256))
        duration = record.duration
        framesPerSecond = record.framesPerSecond
        weight = Float(record.weight)
        muted = record.muted
        sampleRate = record.sampleRate
        channels = record.channels
        self.frames = frames
        self.audio = audio
        notes = record.notes
        category = record.category
        self.storage = storage
    }
}

/// A file a source was made from.
public struct CorpusInputFile: Sendable, Equatable {
    /// `picture+sound` (a video with its own sound), `picture`, or `sound`.
    public var role: String
    /// The file's name when it was indexed (no directory).
    public var fileName: String
    /// Its size in bytes.
    public var bytes: Int64
    /// The SHA-256 of its bytes, lowercase hex.
    public var sha256: String

    static func checksum(of hashes: [String]) -> String {
        hashes.count == 1 ? hashes[0] : SHA256Hex.of(Array(hashes.joined(separator: "+").utf8))
    }
}
