import Crypto
import Foundation
import Synchronization
import Vision

/// An open corpus: frames' embeddings beside the audio they stand for, ready to search and play.
///
/// Opening reads the manifest (checking its SHA-256), maps every blob — frames (embeddings and
/// frame table), search index, audio and thumbnails — reads the frame tables, and hashes what
/// every search reads, the frames blobs and the search index, when they are small enough to hash
/// in a moment (``hashedFramesLimit``); `verifyMedia()` checks the rest (see
/// `docs/corpus-format.md` for why). The embeddings stay in
/// their mapped files: a search reads the few rows it needs, so a million frames (5 GB) open in
/// well under a second and need not be resident. Immutable and `Sendable` once open; the memory
/// stays valid as long as the corpus (or one of its sources) lives.
public final class Corpus: @unchecked Sendable {
    /// How much of the corpus `open` checks against its checksums.
    public enum Verification: Sendable {
        /// The manifest, every frame table, every blob's size and header, the search index's
        /// small arrays, and the checksums of the frames blobs and the search index when they
        /// total at most ``Corpus/hashedFramesLimit``.
        /// The rest is checked by `verifyMedia()`.
        case standard
        /// Everything, audio and thumbnails included (reads the whole corpus from disk).
        case full
    }

    /// The corpus bundle directory.
    public let url: URL
    /// The format version it was written in.
    public let formatVersion: Int
    /// Incremented by every edit; tells two states of the same corpus apart.
    public let generation: Int
    /// The network that made the embeddings.
    public let model: ModelIdentity
    /// The sources, in order; their frames are consecutive in `frames` and `embeddings`.
    public let sources: [CorpusSource]
    /// Every frame, source by source in time order, then the taught examples' frames (see `examples`).
    public let frames: [CorpusFrame]
    /// The pictures taught as examples, source by source; their frames follow the sources' own.
    public let examples: [CorpusExample]
    /// The embeddings, `embeddingSize` floats a frame, 64-byte aligned, run by run as mapped from
    /// the frames blobs.
    public let rows: EmbeddingRows
    /// The search index the corpus stores (nil when it has none, or one that does not fit).
    let searchIndex: SearchIndex?
    /// The principal components of the stored search index (nil without one). An edit rebuilds an
    /// index with other than ``NearestFrameSearch/Strategy/components(forDimension:)``.
    public var searchIndexComponents: Int? { searchIndex?.components }
    /// Whether the frames blobs and the search index were hashed at open (else `verifyMedia()` does).
    public let framesHashedAtOpen: Bool
    /// Bytes on disk: the manifest and every blob.
    public let sizeOnDisk: Int64
    /// The embeddings' statistics for the similarity measures: from the manifest, or computed at
    /// open for a version 1 corpus (or one whose stored statistics do not fit its frames).
    public let statistics: CorpusStatistics

    private let framesFiles: [MappedFile]
    private let frameRecords: [(blob: CorpusManifest.BlobRecord, name: String, frames: Int)]
    private let thumbnailFiles: [MappedFile]
    private let exampleThumbnailFiles: [MappedFile]
    private let thumbnailRanges: [Range<Int>]
    private let audioFiles: [MappedFile]
    private let records: [CorpusManifest.SourceRecord]
    private let searchIndexRecord: CorpusManifest.SearchIndexRecord?

    /// The format version this code writes (see `docs/corpus-format.md`).
    public static let formatVersionWritten = CorpusFormat.version

    /// The frames blobs and the search index, in total, up to which `open` hashes them (about half
    /// a second); a larger corpus's are hashed by `verifyMedia()`.
    public static let hashedFramesLimit: Int64 = 1 << 30

    /// The length of one embedding.
    public var embeddingSize: Int { model.embeddingSize }
    /// The number of frames.
    public var frameCount: Int { frames.count }
    /// The total length of all sources' audio, in seconds.
    public var duration: Double { sources.reduce(0) { $0 + $1.duration } }

    /// Opens a corpus.
    ///
    /// - Parameters:
    ///   - url: the corpus bundle (a `NAME.scenophone` directory).
    ///   - model: the model whose embeddings will be compared with the corpus; nil to accept any.
    ///   - verification: how much to check at open (the default reads only what search needs).
    /// - Returns: the open corpus.
    /// - Throws: `CorpusError` naming the corpus: not a corpus, a newer format, damaged (a checksum,
    ///   size or header that does not match), or built with another model than `model`.
    public static func open(
        _ url: URL, expecting model: ModelIdentity? = nil, verification: Verification = .standard
    ) throws -> Corpus {
        try open(url, expecting: model, verification: verification, hashLimit: hashedFramesLimit)
    }

    /// Opens a corpus, hashing the frames blobs and the search index when they total at most
    /// `hashLimit` bytes (tests open a small corpus as a large one).
    static func open(
        _ url: URL, expecting model: ModelIdentity?, verification: Verification, hashLimit: Int64
    ) throws -> Corpus {
        var previous: Data?
        while true {
            let data = try CorpusBundle.readManifest(url)
            let manifest = try CorpusManifest.decode(data, corpus: url)
            do {
                return try Corpus(
                    url: url, manifest: manifest, manifestSize: data.count, expecting: model,
                    hashLimit: hashLimit
                )
                .verified(verification)
            } catch CorpusLoadError.blobMissing(let file) {
                // A writer may have replaced the corpus between reading the manifest and opening its
                // blobs; a new manifest means try again, the same one means the blob is really gone.
                if data == previous {
                    throw CorpusError.damaged(
                        url, reason: "\(CorpusFormat.sourcesDirectory)/\(file) is missing")
                }
                previous = data
            }
        }
    }

    private init(
        url: URL, manifest: CorpusManifest, manifestSize: Int, expecting expected: ModelIdentity?,
        hashLimit: Int64
    ) throws {
        guard let model = manifest.model.identity else {
            throw CorpusError.damaged(url, reason: "unknown normalisation '\(manifest.model.normalization)'")
        }
        if let expected, expected != model {
            throw CorpusError.modelMismatch(url, corpus: model, current: expected)
        }
        let dimension = model.embeddingSize
        guard dimension > 0 else { throw CorpusError.damaged(url, reason: "embedding size \(dimension)") }
        try CorpusBundle.validate(manifest.sources, corpus: url)
        try CorpusBundle.validateExamples(manifest.sources, corpus: url)

        // Examples are read as one-frame sources after the real ones (see `ExampleRecord`).
        let taught = manifest.sources.enumerated().flatMap { index, record in
            (record.examples ?? []).map { (source: index, example: $0, blobs: $0.blobRecord(of: record)) }
        }
        let records = manifest.sources
        let frameRecords = records + taught.map(\.blobs)
        let counts = frameRecords.map(\.frameCount)
        let total = counts.reduce(0, +)
        let starts = counts.reduce(into: [0]) { $0.append($0.last! + $1) }
        let directory = url.appendingPathComponent(CorpusFormat.sourcesDirectory)
        // The index belongs to exactly these frames blobs, in this order; any other is left unused.
        let indexRecord = manifest.searchIndex.flatMap {
            $0.frameCount == total && $0.frameBlobs == frameRecords.map(\.id) ? $0 : nil
        }
        // What every search reads is hashed now when small; a large corpus's by `verifyMedia()`.
        let searchBytes = frameRecords.reduce(indexRecord?.bytes ?? 0) { $0 + $1.frames.bytes }
        let hashFrames = searchBytes <= hashLimit

        // Frames blobs are mapped (and hashed when small) concurrently; audio and thumbnails are mapped.
        let mapped = Mutex<[Int: MappedFile]>([:])
        let failure = Mutex<Error?>(nil)
        DispatchQueue.concurrentPerform(iterations: frameRecords.count) { index in
            do {
                let file = try BlobReader.mapFrames(
                    record: frameRecords[index], dimension: dimension, directory: directory, corpus: url,
                    hash: hashFrames)
                mapped.withLock { $0[index] = file }
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        let framesFiles = frameRecords.indices.map { index in mapped.withLock { $0[index]! } }
        let tables = framesFiles.enumerated().map { index, file in
            UnsafeRawBufferPointer(
                rebasing: file.bytes[(CorpusFormat.blobHeaderSize + counts[index] * dimension * 4)...])
        }

        var sources: [CorpusSource] = []
        var frames: [CorpusFrame] = []
        var thumbnailRanges: [Range<Int>] = []
        var thumbnailFiles: [MappedFile] = []
        var audioFiles: [MappedFile] = []
        frames.reserveCapacity(total)
        thumbnailRanges.reserveCapacity(total)
        for (index, record) in records.enumerated() {
            let audio = try BlobReader.map(.audio, record: record, directory: directory, corpus: url)
            let thumbnails = try BlobReader.map(
                .thumbnails, record: record, directory: directory, corpus: url)
            try BlobReader.parseTable(
                tables[index], record: record, sourceIndex: index, thumbnailBytes: thumbnails.bytes.count,
                corpus: url,
                frames: &frames, thumbnailRanges: &thumbnailRanges)
            let samples = UnsafeBufferPointer(
                start: (audio.bytes.baseAddress! + CorpusFormat.blobHeaderSize).assumingMemoryBound(
                    to: Float.self),
                count: record.audioFrameCount * record.channels)
            sources.append(
                CorpusSource(
                    record: record, frames: starts[index]..<starts[index] + record.frameCount, audio: samples,
                    storage: audio))
            audioFiles.append(audio)
            thumbnailFiles.append(thumbnails)
        }
        var examples: [CorpusExample] = []
        var exampleThumbnailFiles: [MappedFile] = []
        for (offset, entry) in taught.enumerated() {
            let thumbnails = try BlobReader.map(
                .thumbnails, record: entry.blobs, directory: directory, corpus: url)
            try BlobReader.parseTable(
                tables[records.count + offset], record: entry.blobs, sourceIndex: entry.source,
                thumbnailBytes: thumbnails.bytes.count,
                corpus: url, frames: &frames, thumbnailRanges: &thumbnailRanges)
            let example = entry.example
            guard frames[frames.count - 1].audioSpan == example.from..<example.to else {
                throw CorpusError.damaged(
                    url,
                    reason:
                        "\(CorpusFormat.sourcesDirectory)/\(example.frames.file) disagrees with the manifest")
            }
            examples.append(
                CorpusExample(
                    id: example.id, source: entry.source, frame: frames.count - 1,
                    span: example.from..<example.to,
                    coversWholeSource: example.from == 0 && example.to >= records[entry.source].duration,
                    picture: CorpusInputFile(
                        role: example.picture.role, fileName: example.picture.fileName,
                        bytes: example.picture.bytes, sha256: example.picture.sha256),
                    taught: example.taught))
            exampleThumbnailFiles.append(thumbnails)
        }
        self.url = url
        formatVersion = manifest.version
        generation = manifest.generation
        self.model = model
        self.sources = sources
        self.frames = frames
        self.examples = examples
        self.exampleThumbnailFiles = exampleThumbnailFiles
        self.thumbnailRanges = thumbnailRanges
        self.thumbnailFiles = thumbnailFiles
        self.audioFiles = audioFiles
        self.records = records
        self.framesFiles = framesFiles
        self.frameRecords = frameRecords.map { ($0.frames, $0.name, $0.frameCount) }
        framesHashedAtOpen = hashFrames
        let rows = EmbeddingRows(
            dimension: dimension,
            runs: framesFiles.enumerated().map { index, file in
                (
                    counts[index],
                    UnsafePointer(
                        (file.bytes.baseAddress! + CorpusFormat.blobHeaderSize).assumingMemoryBound(
                            to: Float.self))
                )
            }, owner: nil, isMapped: true)
        self.rows = rows
        let statistics =
            manifest.statistics.flatMap { $0.fits(frames: total, dimension: dimension) ? $0 : nil }
            ?? CorpusStatistics.compute(rows: rows)
        self.statistics = statistics
        searchIndexRecord = indexRecord
        searchIndex = try indexRecord.map {
            try SearchIndex.map(
                $0, directory: directory, dimension: dimension, mean: statistics.mean, hash: hashFrames,
                corpus: url)
        }
        sizeOnDisk =
            Int64(manifestSize)
            + records.reduce(Int64(0)) { $0 + $1.audio.bytes + $1.frames.bytes + $1.thumbnails.bytes }
            + taught.reduce(Int64(0)) { $0 + $1.example.frames.bytes + $1.example.thumbnails.bytes }
    }

    private func verified(_ verification: Verification) throws -> Corpus {
        if verification == .full { try verifyMedia() }
        return self
    }

    /// The frames blobs in frame order: each file, and how many embeddings it holds (after its
    /// 64-byte header; see `docs/corpus-format.md`), for tools that read them directly.
    public var framesBlobFiles: [(url: URL, frames: Int)] {
        let directory = url.appendingPathComponent(CorpusFormat.sourcesDirectory)
        return frameRecords.map { (directory.appendingPathComponent($0.blob.file), $0.frames) }
    }

    /// One frame's embedding.
    ///
    /// - Parameter index: the frame, `0..<frameCount`.
    /// - Returns: its `embeddingSize` floats (valid while the corpus lives).
    public func embedding(ofFrame index: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: rows.row(index), count: embeddingSize)
    }

    /// One frame's thumbnail.
    ///
    /// - Parameter index: the frame, `0..<frameCount`.
    /// - Returns: the JPEG's bytes.
    public func thumbnailJPEG(ofFrame index: Int) -> [UInt8] {
        let firstExample = frames.count - examples.count
        let file =
            index >= firstExample
            ? exampleThumbnailFiles[index - firstExample] : thumbnailFiles[frames[index].source]
        return Array(file.bytes[thumbnailRanges[index]])
    }

    /// The taught example whose frame this is.
    ///
    /// - Parameter index: a frame, `0..<frameCount`.
    /// - Returns: the example, or nil for a frame of the source's own pictures.
    public func example(atFrame index: Int) -> CorpusExample? {
        let firstExample = frames.count - examples.count
        return index >= firstExample ? examples[index - firstExample] : nil
    }

    /// The source with this name.
    ///
    /// - Parameter name: a source name.
    /// - Returns: its index in `sources`, or nil.
    public func sourceIndex(named name: String) -> Int? {
        sources.firstIndex { $0.name == name }
    }

    /// Checks every source's audio and thumbnails against their checksums.
    ///
    /// This reads the whole corpus from disk (about 1.4 GB per hour of stereo audio); it is safe to
    /// call on a background thread while the corpus is in use.
    /// - Throws: `CorpusError.damaged` naming the first damaged file.
    public func verifyMedia() throws {
        if !framesHashedAtOpen { try verifyFrames() }
        let jobs = records.indices.flatMap { index in [(index, BlobKind.audio), (index, .thumbnails)] }
        let taught = records.flatMap { $0.examples ?? [] }
        let failure = Mutex<Error?>(nil)
        DispatchQueue.concurrentPerform(iterations: jobs.count + taught.count) { job in
            guard job < jobs.count else {
                let example = taught[job - jobs.count]
                if SHA256Hex.of(exampleThumbnailFiles[job - jobs.count].bytes) != example.thumbnails.sha256 {
                    failure.withLock {
                        $0 =
                            $0
                            ?? CorpusError.damaged(
                                url,
                                reason:
                                    "\(CorpusFormat.sourcesDirectory)/\(example.thumbnails.file) does not "
                                    + "match its checksum (example \(example.id))")
                    }
                }
                return
            }
            let (index, kind) = jobs[job]
            let file = kind == .audio ? audioFiles[index] : thumbnailFiles[index]
            let blob = records[index].blob(kind)
            if SHA256Hex.of(file.bytes) != blob.sha256 {
                failure.withLock {
                    $0 =
                        $0
                        ?? CorpusError.damaged(
                            url,
                            reason:
                                "\(CorpusFormat.sourcesDirectory)/\(blob.file) does not match its checksum "
                                + "(source '\(records[index].name)')")
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Checks every frames blob and the search index against their checksums, reading the files
    /// rather than the mappings so that 5 GB of embeddings do not become resident.
    private func verifyFrames() throws {
        let directory = url.appendingPathComponent(CorpusFormat.sourcesDirectory)
        let failure = Mutex<Error?>(nil)
        let index = searchIndex == nil ? nil : searchIndexRecord
        DispatchQueue.concurrentPerform(iterations: frameRecords.count + (index == nil ? 0 : 1)) { job in
            let (file, sha256, what) =
                job < frameRecords.count
                ? (
                    frameRecords[job].blob.file, frameRecords[job].blob.sha256,
                    " (source '\(frameRecords[job].name)')"
                )
                : (index!.file, index!.sha256, " (the search index)")
            let digest = try? FileChecksum.sha256(of: directory.appendingPathComponent(file)).sha256
            if digest != sha256 {
                failure.withLock {
                    $0 =
                        $0
                        ?? CorpusError.damaged(
                            url,
                            reason:
                                "\(CorpusFormat.sourcesDirectory)/\(file) does not match its checksum\(what)")
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Makes every source's audio resident for the audio thread: read in and locked in memory, so a
    /// grain never waits for the disk, however long the corpus has been playing.
    ///
    /// Call it before the audio starts: it reads all the audio now (about 1.4 GB per hour of stereo),
    /// and the locks stay as long as the corpus. When the kernel refuses a lock (past
    /// `RLIMIT_MEMLOCK` without `CAP_IPC_LOCK`), the rest of the audio is read in and mapped without
    /// a lock instead: no fault at first, but memory pressure may evict it later. The result says
    /// which happened, so the caller can warn.
    ///
    /// Only the sources whose audio fits in `budget` (in order) are made resident: the rest stays
    /// mapped, read from the disk when a grain needs it, and the result says how much.
    ///
    /// - Parameters:
    ///   - lock: false reads the audio in without trying to lock it.
    ///   - budget: at most this many bytes of audio are locked or read in (by default a quarter of
    ///     the machine's memory).
    /// - Returns: how much audio is locked, how much only read in, how much is left on disk, and
    ///   why locking stopped.
    @discardableResult
    public func makeAudioResident(lock: Bool = true, budget: Int = Corpus.residentAudioBudget)
        -> AudioResidency
    {
        var residency = AudioResidency(lockedBytes: 0, unlockedBytes: 0, lockError: nil)
        for file in audioFiles {
            guard residency.lockedBytes + residency.unlockedBytes + file.bytes.count <= budget else {
                residency.leftOnDiskBytes += file.bytes.count
                continue
            }
            if lock && residency.lockError == nil {
                let error = file.lockInMemory()
                if error == 0 {
                    residency.lockedBytes += file.bytes.count
                    continue
                }
                residency.lockError = error
            }
            file.faultIn()
            residency.unlockedBytes += file.bytes.count
        }
        return residency
    }

    /// The default most audio ``makeAudioResident(lock:budget:)`` makes resident: a quarter of the
    /// machine's physical memory.
    public static var residentAudioBudget: Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE))) / 4
    }

    /// Drops the audio's pages from the kernel's page cache where no process has them mapped in, so
    /// the next read of the audio waits for the disk: what a benchmark or test does to prove that the
    /// audio thread never does. Call it right after `open`, before anything reads the audio.
    public func dropAudioFromPageCache() {
        for file in audioFiles { file.dropFromPageCache() }
    }
}

/// A blob named by the manifest could not be opened: the corpus may have been replaced meanwhile.
enum CorpusLoadError: Error {
    case blobMissing(String)
}
