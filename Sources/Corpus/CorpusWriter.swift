import Foundation
import Vision

/// Creates or edits a corpus as one atomic change: nothing on disk changes for readers until
/// `commit()`, and a process killed at any moment leaves the previous corpus intact.
///
/// A new corpus is built in a hidden staging directory beside its destination and renamed into
/// place. An existing corpus gets new blobs (never touching the ones its manifest names) and then
/// a new manifest, written to a temporary file, flushed and renamed over the old one; blobs no
/// longer named are deleted after. One writer at a time holds a lock on the directory.
public final class CorpusWriter {
    /// The corpus being written.
    public let url: URL
    /// The model whose embeddings the corpus holds.
    public let model: ModelIdentity

    /// What commit will write; internal so that the examples' extension can change it.
    var manifest: CorpusManifest
    /// The sources (ids, in order) the manifest's statistics were computed from.
    private let statisticsSources: [String]
    private let workDirectory: URL
    private let isNew: Bool
    private var lock: DirectoryLock?
    private(set) var finished = false

    var sourcesDirectory: URL { workDirectory.appendingPathComponent(CorpusFormat.sourcesDirectory) }

    private init(
        url: URL, model: ModelIdentity, manifest: CorpusManifest, workDirectory: URL, isNew: Bool,
        lock: DirectoryLock
    ) {
        self.url = url
        self.model = model
        self.manifest = manifest
        statisticsSources = manifest.sources.map(\.id)
        self.workDirectory = workDirectory
        self.isNew = isNew
        self.lock = lock
    }

    /// Starts a new corpus.
    ///
    /// - Parameters:
    ///   - url: the corpus directory to create (conventionally `NAME.scenophone`).
    ///   - model: the model whose embeddings it will hold.
    ///   - overwrite: replace an existing corpus there (atomically, at commit).
    /// - Returns: a writer with no sources.
    /// - Throws: `CorpusError.alreadyExists` when something is there and `overwrite` is false, or
    ///   it is not a corpus; `.busy` when another process is writing it.
    public static func create(at url: URL, model: ModelIdentity, overwrite: Bool = false) throws
        -> CorpusWriter
    {
        let url = url.standardizedFileURL
        if FileManager.default.fileExists(atPath: url.path) {
            guard overwrite else { throw CorpusError.alreadyExists(url) }
            let isCorpus = FileManager.default.fileExists(
                atPath: url.appendingPathComponent(CorpusFormat.manifestName).path)
            guard isCorpus else {
                throw CorpusError.notACorpus(
                    url, reason: "it exists and is not a corpus, so it is not replaced")
            }
            var (manifest, lock) = try openExisting(url, checkingContents: false)
            manifest.model = CorpusManifest.ModelRecord(model)
            manifest.sources = []
            manifest.statistics = nil
            manifest.shard = nil
            return CorpusWriter(
                url: url, model: model, manifest: manifest, workDirectory: url, isNew: false, lock: lock)
        }
        let parent = url.deletingLastPathComponent()
        removeAbandonedStaging(for: url)
        let staging = parent.appendingPathComponent(
            ".\(url.lastPathComponent).staging-\(SourceID.make().prefix(12))")
        do {
            try FileManager.default.createDirectory(
                at: staging.appendingPathComponent(CorpusFormat.sourcesDirectory),
                withIntermediateDirectories: true)
        } catch {
            throw CorpusError.systemError(
                parent, operation: "create a corpus directory in", errno: errno == 0 ? EACCES : errno)
        }
        guard let lock = try DirectoryLock.acquire(staging, corpus: url) else { throw CorpusError.busy(url) }
        return CorpusWriter(
            url: url, model: model, manifest: CorpusManifest(model: model), workDirectory: staging,
            isNew: true,
            lock: lock)
    }

    /// Opens an existing corpus for changes.
    ///
    /// - Parameter url: the corpus directory.
    /// - Returns: a writer holding its current sources.
    /// - Throws: `CorpusError` when it is not a corpus, is damaged, or another process is writing it.
    public static func edit(_ url: URL) throws -> CorpusWriter {
        let url = url.standardizedFileURL
        let (manifest, lock) = try openExisting(url, checkingContents: true)
        guard let model = manifest.model.identity else {
            throw CorpusError.damaged(url, reason: "unknown normalisation '\(manifest.model.normalization)'")
        }
        return CorpusWriter(
            url: url, model: model, manifest: manifest, workDirectory: url, isNew: false, lock: lock)
    }

    /// Locks an existing corpus and reads its manifest.
    ///
    /// - Parameters:
    ///   - url: the corpus.
    ///   - checkingContents: open it fully first (a damaged corpus is not edited further); when
    ///     false, an unreadable manifest yields an empty one (the corpus is being replaced).
    private static func openExisting(_ url: URL, checkingContents: Bool) throws -> (
        CorpusManifest, DirectoryLock
    ) {
        if checkingContents { _ = try CorpusBundle.readManifest(url) }
        guard let lock = try DirectoryLock.acquire(url, corpus: url) else { throw CorpusError.busy(url) }
        let manifest: CorpusManifest
        if checkingContents {
            _ = try Corpus.open(url)
            manifest = try CorpusManifest.decode(CorpusBundle.readManifest(url), corpus: url)
        } else {
            let data = try? CorpusBundle.readManifest(url)
            manifest =
                data.flatMap { try? CorpusManifest.decode($0, corpus: url) }
                ?? CorpusManifest(
                    model: ModelIdentity(
                        name: "unknown", inputSize: 0, embeddingSize: 0, weightsSHA256: "",
                        normalization: .tensorflow))
        }
        try? FileManager.default.createDirectory(
            at: url.appendingPathComponent(CorpusFormat.sourcesDirectory), withIntermediateDirectories: true)
        return (manifest, lock)
    }

    /// The names of the sources the corpus will hold after commit, in order.
    public var sourceNames: [String] { manifest.sources.map(\.name) }

    /// Checks that a new source could be added under this name.
    ///
    /// - Parameter name: the name.
    /// - Throws: `CorpusError.invalidSourceName` or `.sourceNameTaken`.
    public func checkNewName(_ name: String) throws {
        try SourceInput.validate(name: name)
        if manifest.sources.contains(where: { $0.name == name }) {
            throw CorpusError.sourceNameTaken(url, name: name)
        }
    }

    /// Indexes an input and adds it as a source.
    ///
    /// - Parameters:
    ///   - plan: the input's plan, made by `indexer`.
    ///   - indexer: the indexer, whose model must be the corpus's.
    ///   - progress: called after every frame.
    /// - Throws: `CorpusError`: another model (`.modelMismatch`), a taken name, or an indexing error
    ///   naming the file. The corpus is unchanged then.
    public func add(
        _ plan: SourcePlan, using indexer: SourceIndexer, progress: (IndexProgress) -> Void = { _ in }
    ) throws {
        precondition(!finished, "the writer has been committed or abandoned")
        guard indexer.model == model else {
            throw CorpusError.modelMismatch(url, corpus: model, current: indexer.model)
        }
        try checkNewName(plan.name)
        if let category = plan.input.category { try SourceCategory.validate(category) }
        var record = try indexer.index(plan, into: sourcesDirectory, progress: progress)
        record.category = plan.input.category
        manifest.sources.append(record)
    }

    /// Adds a source from content already in memory (no decoding, no embedding).
    ///
    /// - Parameter source: the content; its embeddings must be the corpus model's.
    /// - Throws: `CorpusError.invalidInput` when the content is inconsistent, or a write error.
    public func add(prepared source: PreparedSource) throws {
        precondition(!finished, "the writer has been committed or abandoned")
        try checkNewName(source.name)
        let dimension = model.embeddingSize
        let frames = source.frameTimes.count
        let duration = source.audio.duration
        let consistent =
            frames > 0 && source.embeddings.count == frames * dimension && source.thumbnails.count == frames
            && source.audio.sampleRate == SourceIndexer.sampleRate && (1...8).contains(source.audio.channels)
            && zip(source.frameTimes, source.frameTimes.dropFirst()).allSatisfy { $0 < $1 }
            && source.frameTimes.allSatisfy { $0 >= 0 && $0 <= duration }
            && (source.kind == .video || frames == 1) && source.thumbnails.allSatisfy { !$0.isEmpty }
        guard consistent else {
            throw CorpusError.invalidInput(
                source.name, reason: "the prepared source's parts do not fit together")
        }
        let blobs = try SourceBlobs(directory: sourcesDirectory, embeddingSize: dimension)
        do {
            try source.embeddings.withUnsafeBufferPointer { embeddings in
                for (index, time) in source.frameTimes.enumerated() {
                    let row = UnsafeBufferPointer(
                        rebasing: embeddings[index * dimension..<(index + 1) * dimension])
                    try source.thumbnails[index].withUnsafeBytes {
                        try blobs.appendFrame(time: time, embedding: row, thumbnail: $0)
                    }
                }
            }
            try source.audio.samples.withUnsafeBufferPointer { try blobs.appendAudio($0) }
            let records = try blobs.finish(duration: duration, whole: source.kind == .still)
            manifest.sources.append(
                CorpusManifest.SourceRecord(
                    id: blobs.id, name: source.name, kind: source.kind, inputs: [], duration: duration,
                    framesPerSecond: nil, frameCount: frames, sampleRate: source.audio.sampleRate,
                    channels: source.audio.channels, audioFrameCount: source.audio.frameCount, weight: 1,
                    muted: false, indexed: CorpusManifest.timestamp(), notes: ["prepared in memory"],
                    audio: records.audio, frames: records.frames, thumbnails: records.thumbnails))
        } catch {
            blobs.abandon()
            throw error
        }
    }

    /// Removes a source (its files are deleted at commit).
    ///
    /// - Parameter name: the source's name.
    /// - Throws: `CorpusError.noSuchSource`.
    public func remove(named name: String) throws {
        manifest.sources.remove(at: try index(of: name))
    }

    /// Changes a source's settings.
    ///
    /// - Parameters:
    ///   - name: the source's name.
    ///   - weight: a new weight (0 or more), or nil to keep it.
    ///   - muted: a new mute state, or nil to keep it.
    ///   - newName: a new name, or nil to keep it.
    /// - Throws: `CorpusError.noSuchSource`, `.invalidSourceName`, `.sourceNameTaken`, or
    ///   `.invalidInput` for a negative or non-finite weight.
    public func update(source name: String, weight: Double? = nil, muted: Bool? = nil, newName: String? = nil)
        throws
    {
        let index = try index(of: name)
        if let weight {
            guard weight.isFinite, weight >= 0 else {
                throw CorpusError.invalidInput("weight \(weight)", reason: "a weight is a number, 0 or more")
            }
            manifest.sources[index].weight = weight
        }
        if let muted { manifest.sources[index].muted = muted }
        if let newName, newName != name {
            try checkNewName(newName)
            manifest.sources[index].name = newName
        }
    }

    /// Sets or clears a source's category.
    ///
    /// - Parameters:
    ///   - category: the category (see ``SourceCategory``), or nil to clear it.
    ///   - name: the source's name.
    /// - Throws: `CorpusError.noSuchSource`, or `.invalidInput` for an unusable category.
    public func setCategory(_ category: String?, ofSource name: String) throws {
        let index = try index(of: name)
        if let category { try SourceCategory.validate(category) }
        manifest.sources[index].category = category
    }

    private func index(of name: String) throws -> Int {
        guard let index = manifest.sources.firstIndex(where: { $0.name == name }) else {
            throw CorpusError.noSuchSource(url, name: name)
        }
        return index
    }

    /// Makes the changes visible, atomically and durably.
    ///
    /// - Throws: `CorpusError` when a write fails (the previous corpus is then intact), or
    ///   `.alreadyExists` when another process created the destination meanwhile.
    public func commit() throws {
        precondition(!finished, "the writer has been committed or abandoned")
        try refreshStatistics()
        try refreshSearchIndex()
        manifest.version = CorpusFormat.version
        manifest.generation += 1
        manifest.modified = CorpusManifest.timestamp()
        let data: Data
        do {
            data = try manifest.encoded()
        } catch {
            throw CorpusError.damaged(url, reason: "the manifest cannot be encoded: \(error)")
        }
        Durability.syncDirectory(sourcesDirectory)
        if isNew {
            try Durability.writeFile(
                data, to: workDirectory.appendingPathComponent(CorpusFormat.manifestName))
            Durability.syncDirectory(workDirectory)
            if !Durability.renameWithoutReplacing(workDirectory, to: url) {
                let code = errno
                abandon()
                if code == EEXIST || code == ENOTEMPTY { throw CorpusError.alreadyExists(url) }
                throw CorpusError.systemError(url, operation: "move the new corpus into place", errno: code)
            }
            Durability.syncDirectory(url.deletingLastPathComponent())
        } else {
            let temporary = url.appendingPathComponent(
                ".\(CorpusFormat.manifestName).partial-\(SourceID.make().prefix(12))")
            do {
                try Durability.writeFile(data, to: temporary)
            } catch {
                unlink(temporary.path)
                throw error
            }
            guard rename(temporary.path, url.appendingPathComponent(CorpusFormat.manifestName).path) == 0
            else {
                let code = errno
                unlink(temporary.path)
                throw CorpusError.systemError(url, operation: "replace the manifest", errno: code)
            }
            Durability.syncDirectory(url)
            collectGarbage()
        }
        finished = true
        lock = nil
    }

    /// Recomputes the corpus statistics from every source's embeddings when the sources changed
    /// (or a version 1 manifest has none): a settings-only change keeps them.
    ///
    /// The frames blobs are mapped and hashed, not copied: a merged archive of 10⁶ frames would
    /// otherwise need its 5 GB of embeddings in memory at once.
    private func refreshStatistics() throws {
        let ids = manifest.sources.map(\.id)
        guard manifest.statistics == nil || ids != statisticsSources else { return }
        let (rows, files) = try mappedRows(manifest.sources, hash: true)
        manifest.statistics = withExtendedLifetime(files) { CorpusStatistics.compute(rows: rows) }
    }

    /// The frames blobs of `records` mapped, as rows in their order, and the mappings that keep
    /// the rows valid.
    ///
    /// - Parameters:
    ///   - records: the blobs' records, in frame order.
    ///   - hash: whether to check each blob against its checksum first.
    /// - Throws: `CorpusError.damaged` for a blob of the wrong size, header or checksum.
    private func mappedRows(_ records: [CorpusManifest.SourceRecord], hash: Bool) throws -> (
        EmbeddingRows, [MappedFile]
    ) {
        let dimension = model.embeddingSize
        let files = try records.map { record in
            try BlobReader.mapFrames(
                record: record, dimension: dimension, directory: sourcesDirectory, corpus: url, hash: hash)
        }
        let rows = EmbeddingRows(
            dimension: dimension,
            runs: zip(records, files).map { record, file in
                (
                    record.frameCount,
                    UnsafePointer(
                        (file.bytes.baseAddress! + CorpusFormat.blobHeaderSize).assumingMemoryBound(
                            to: Float.self))
                )
            }, owner: nil)
        return (rows, files)
    }

    /// Writes a new search index when the frames changed (or there is none, or it has other than
    /// the default components) and the corpus is large enough for bounded searches; drops it below
    /// that size.
    ///
    /// The index is computed from the frames blobs mapped, not read: at 10⁶ frames (5 GB) a copy
    /// would not fit beside everything else. 6.6 s at 10⁶ frames and 128 components (bench corpus).
    private func refreshSearchIndex() throws {
        // Frames are numbered sources first, then every source's examples (see `Corpus`).
        let ordered =
            manifest.sources
            + manifest.sources.flatMap { record in (record.examples ?? []).map { $0.blobRecord(of: record) } }
        let total = ordered.reduce(0) { $0 + $1.frameCount }
        guard total >= NearestFrameSearch.Strategy.boundedMinimumFrames, let statistics = manifest.statistics
        else {
            manifest.searchIndex = nil
            return
        }
        let ids = ordered.map(\.id)
        let dimension = model.embeddingSize
        let components = NearestFrameSearch.Strategy.components(forDimension: dimension)
        // An index of other components (64, written before 128 became the default) is rebuilt too:
        // any edit upgrades it.
        if let current = manifest.searchIndex, current.frameBlobs == ids, current.frameCount == total,
            current.components == components
        {
            return
        }
        let (rows, files) = try mappedRows(ordered, hash: false)
        let mean =
            statistics.fits(frames: total, dimension: dimension)
            ? statistics.mean : CorpusStatistics.compute(rows: rows).mean
        let index = withExtendedLifetime(files) {
            SearchIndex.build(rows: rows, mean: mean, components: components)
        }
        let file = sourcesDirectory.appendingPathComponent("\(SourceID.make()).index")
        manifest.searchIndex = try index.write(to: file, frameBlobs: ids)
    }

    /// Gives up: deletes everything written, leaving the corpus as it was.
    public func abandon() {
        if finished { return }
        finished = true
        if isNew {
            try? FileManager.default.removeItem(at: workDirectory)
        } else {
            collectGarbage(keeping: try? CorpusManifest.decode(CorpusBundle.readManifest(url), corpus: url))
        }
        lock = nil
    }

    deinit {
        abandon()
    }

    /// Deletes blobs and temporary files the manifest on disk does not name (left by removed
    /// sources, abandoned writers, or a process killed mid-write). Runs under the writer's lock.
    private func collectGarbage(keeping kept: CorpusManifest? = nil) {
        let manifest = kept ?? self.manifest
        let named = Set(
            manifest.sources.flatMap(\.allBlobFiles) + [manifest.searchIndex?.file].compactMap { $0 })
        let files = (try? FileManager.default.contentsOfDirectory(atPath: sourcesDirectory.path)) ?? []
        for file in files where !named.contains(file) {
            unlink(sourcesDirectory.appendingPathComponent(file).path)
        }
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        for file in leftovers where file.hasPrefix(".\(CorpusFormat.manifestName).partial-") {
            unlink(url.appendingPathComponent(file).path)
        }
    }

    /// Deletes staging directories left beside `url` by killed writers (their lock is free).
    private static func removeAbandonedStaging(for url: URL) {
        let parent = url.deletingLastPathComponent()
        let prefix = ".\(url.lastPathComponent).staging-"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        for entry in entries where entry.hasPrefix(prefix) {
            let staging = parent.appendingPathComponent(entry)
            if let lock = try? DirectoryLock.acquire(staging, corpus: url) {
                try? FileManager.default.removeItem(at: staging)
                _ = lock
            }
        }
    }
}
