import Foundation

/// The bundle directory: finding and checking what the manifest points at.
enum CorpusBundle {
    /// Reads the manifest file of a corpus.
    ///
    /// - Parameter url: the corpus directory.
    /// - Returns: the manifest file's bytes.
    /// - Throws: `CorpusError.media(.fileNotFound)` when nothing is there, `.notACorpus` for a file or
    ///   a directory without a manifest.
    static func readManifest(_ url: URL) throws -> Data {
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            if errno == ENOENT { throw CorpusError.media(.fileNotFound(url)) }
            throw CorpusError.systemError(url, operation: "open", errno: errno)
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw CorpusError.notACorpus(url, reason: "a corpus is a directory; this is a file")
        }
        let manifest = url.appendingPathComponent(CorpusFormat.manifestName)
        let descriptor = open(manifest.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT {
                throw CorpusError.notACorpus(url, reason: "no \(CorpusFormat.manifestName) in the directory")
            }
            throw CorpusError.systemError(manifest, operation: "read", errno: errno)
        }
        defer { close(descriptor) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CorpusError.systemError(manifest, operation: "read", errno: errno)
            }
            if count == 0 { break }
            data.append(contentsOf: chunk[0..<count])
        }
        return data
    }

    /// Checks that source records are self-consistent before any blob is touched.
    ///
    /// - Parameters:
    ///   - sources: the manifest's sources.
    ///   - url: the corpus, named in errors.
    /// - Throws: `CorpusError.damaged` describing the first inconsistency.
    static func validate(_ sources: [CorpusManifest.SourceRecord], corpus url: URL) throws {
        var names = Set<String>()
        var ids = Set<String>()
        for record in sources {
            func fail(_ reason: String) -> CorpusError {
                .damaged(url, reason: "source '\(record.name)': \(reason)")
            }
            guard SourceID.isValid(record.id), ids.insert(record.id).inserted else { throw fail("bad id") }
            guard names.insert(record.name).inserted else { throw fail("name used twice") }
            for kind in BlobKind.allCases where record.blob(kind).file != kind.fileName(source: record.id) {
                throw fail("unexpected blob name \(record.blob(kind).file)")
            }
            guard record.frameCount > 0, record.channels > 0, record.channels <= 8, record.sampleRate > 0,
                record.duration.isFinite, record.duration >= 0, record.audioFrameCount >= 0,
                record.weight.isFinite, record.weight >= 0
            else { throw fail("impossible values") }
            guard record.kind == .video || record.frameCount == 1 else {
                throw fail("a still with several frames")
            }
        }
    }
}

/// Reading and checking blob files.
enum BlobReader {
    /// Reads a frames blob: embeddings into `embeddings`, the frame table returned; checks its size,
    /// header and SHA-256.
    static func readFrames(
        record: CorpusManifest.SourceRecord, directory: URL, corpus: URL,
        embeddings: UnsafeMutableRawBufferPointer
    ) throws -> [UInt8] {
        let blob = record.frames
        let descriptor = try openBlob(blob, directory: directory, corpus: corpus)
        defer { close(descriptor) }
        let tableSize = record.frameCount * CorpusFormat.frameRowSize
        let expected = CorpusFormat.blobHeaderSize + embeddings.count + tableSize
        guard blob.bytes == Int64(expected) else {
            throw CorpusError.damaged(
                corpus, reason: "\(blob.file) should hold \(expected) bytes, the manifest says \(blob.bytes)")
        }
        try checkSize(descriptor, blob: blob, corpus: corpus)
        var header = [UInt8](repeating: 0, count: CorpusFormat.blobHeaderSize)
        var table = [UInt8](repeating: 0, count: tableSize)
        var hasher = SHA256Incremental()
        try header.withUnsafeMutableBytes {
            try readExactly(descriptor, into: $0, at: 0, blob: blob, corpus: corpus, hasher: &hasher)
        }
        try checkHeader(header, kind: .frames, record: record, corpus: corpus)
        // In 4 MiB steps, so each chunk is hashed while it is still in cache.
        let step = 1 << 22
        var offset = 0
        while offset < embeddings.count {
            let end = min(embeddings.count, offset + step)
            try readExactly(
                descriptor, into: UnsafeMutableRawBufferPointer(rebasing: embeddings[offset..<end]),
                at: CorpusFormat.blobHeaderSize + offset, blob: blob, corpus: corpus, hasher: &hasher)
            offset = end
        }
        try table.withUnsafeMutableBytes {
            try readExactly(
                descriptor, into: $0, at: CorpusFormat.blobHeaderSize + embeddings.count, blob: blob,
                corpus: corpus,
                hasher: &hasher)
        }
        guard hasher.finalize() == blob.sha256 else {
            throw CorpusError.damaged(
                corpus,
                reason: "\(CorpusFormat.sourcesDirectory)/\(blob.file) does not match its checksum "
                    + "(source '\(record.name)')")
        }
        return table
    }

    /// Maps a frames blob, checking its size and header, and its SHA-256 when asked.
    static func mapFrames(
        record: CorpusManifest.SourceRecord, dimension: Int, directory: URL, corpus: URL, hash: Bool
    ) throws -> MappedFile {
        let blob = record.frames
        let expected =
            CorpusFormat.blobHeaderSize + record.frameCount * (dimension * 4 + CorpusFormat.frameRowSize)
        guard blob.bytes == Int64(expected) else {
            throw CorpusError.damaged(
                corpus, reason: "\(blob.file) should hold \(expected) bytes, the manifest says \(blob.bytes)")
        }
        let descriptor = try openBlob(blob, directory: directory, corpus: corpus)
        defer { close(descriptor) }
        try checkSize(descriptor, blob: blob, corpus: corpus)
        let file = try MappedFile(
            descriptor: descriptor, size: Int(blob.bytes), url: directory.appendingPathComponent(blob.file))
        try checkHeader(
            Array(file.bytes.prefix(CorpusFormat.blobHeaderSize)), kind: .frames, record: record,
            corpus: corpus)
        if hash && SHA256Hex.of(file.bytes) != blob.sha256 {
            throw CorpusError.damaged(
                corpus,
                reason: "\(CorpusFormat.sourcesDirectory)/\(blob.file) does not match its checksum "
                    + "(source '\(record.name)')")
        }
        return file
    }

    /// Maps an audio or thumbnails blob, checking its size and header (not its checksum).
    static func map(
        _ kind: BlobKind, record: CorpusManifest.SourceRecord, directory: URL, corpus: URL
    ) throws -> MappedFile {
        let blob = record.blob(kind)
        if kind == .audio {
            let expected =
                Int64(CorpusFormat.blobHeaderSize) + Int64(record.audioFrameCount * record.channels * 4)
            guard blob.bytes == expected else {
                throw CorpusError.damaged(
                    corpus,
                    reason: "\(blob.file) should hold \(expected) bytes, the manifest says \(blob.bytes)")
            }
        }
        let descriptor = try openBlob(blob, directory: directory, corpus: corpus)
        defer { close(descriptor) }
        try checkSize(descriptor, blob: blob, corpus: corpus)
        let file = try MappedFile(
            descriptor: descriptor, size: Int(blob.bytes), url: directory.appendingPathComponent(blob.file))
        try checkHeader(
            Array(file.bytes.prefix(CorpusFormat.blobHeaderSize)), kind: kind, record: record, corpus: corpus)
        return file
    }

    /// Turns a frame table into frames and thumbnail ranges, checking every value.
    static func parseTable(
        _ table: UnsafeRawBufferPointer, record: CorpusManifest.SourceRecord, sourceIndex: Int,
        thumbnailBytes: Int,
        corpus: URL,
        frames: inout [CorpusFrame], thumbnailRanges: inout [Range<Int>]
    ) throws {
        do {
            let bytes = table
            for row in 0..<record.frameCount {
                let base = row * CorpusFormat.frameRowSize
                func double(_ offset: Int) -> Double {
                    Double(
                        bitPattern: UInt64(
                            littleEndian: bytes.loadUnaligned(fromByteOffset: base + offset, as: UInt64.self))
                    )
                }
                let time = double(0)
                let start = double(8)
                let end = double(16)
                let thumbOffset = Int(
                    UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: base + 24, as: UInt64.self)))
                let thumbLength = Int(
                    UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: base + 32, as: UInt32.self)))
                let duration = record.duration
                guard time.isFinite, start.isFinite, end.isFinite, 0 <= start, start <= end,
                    end <= duration + 1e-6,
                    time >= 0, time <= duration + 1e-6,
                    thumbOffset >= CorpusFormat.blobHeaderSize, thumbLength > 0,
                    thumbOffset <= thumbnailBytes,
                    thumbLength <= thumbnailBytes - thumbOffset
                else {
                    throw CorpusError.damaged(
                        corpus, reason: "source '\(record.name)': frame \(row) has impossible values")
                }
                frames.append(CorpusFrame(source: sourceIndex, time: time, audioSpan: start..<end))
                thumbnailRanges.append(thumbOffset..<thumbOffset + thumbLength)
            }
        }
    }

    private static func openBlob(_ blob: CorpusManifest.BlobRecord, directory: URL, corpus: URL) throws
        -> Int32
    {
        let path = directory.appendingPathComponent(blob.file).path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { throw CorpusLoadError.blobMissing(blob.file) }
            throw CorpusError.systemError(URL(fileURLWithPath: path), operation: "open", errno: errno)
        }
        return descriptor
    }

    private static func checkSize(_ descriptor: Int32, blob: CorpusManifest.BlobRecord, corpus: URL) throws {
        var info = stat()
        fstat(descriptor, &info)
        guard Int64(info.st_size) == blob.bytes else {
            throw CorpusError.damaged(
                corpus,
                reason: "\(CorpusFormat.sourcesDirectory)/\(blob.file) is \(info.st_size) bytes, "
                    + "the manifest says \(blob.bytes)")
        }
    }

    private static func checkHeader(
        _ header: [UInt8], kind: BlobKind, record: CorpusManifest.SourceRecord, corpus: URL
    ) throws {
        let parsed = header.withUnsafeBytes { BlobHeader.parse($0) }
        guard let parsed, parsed.kind == kind, parsed.sourceID == record.id,
            parsed.version == CorpusFormat.blobVersion
        else {
            throw CorpusError.damaged(
                corpus,
                reason: "\(CorpusFormat.sourcesDirectory)/\(record.blob(kind).file) has a wrong header")
        }
    }

    private static func readExactly(
        _ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int,
        blob: CorpusManifest.BlobRecord, corpus: URL, hasher: inout SHA256Incremental
    ) throws {
        var done = 0
        while done < buffer.count {
            let count = pread(
                descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw CorpusError.damaged(
                    corpus, reason: "\(CorpusFormat.sourcesDirectory)/\(blob.file) is cut short")
            }
            done += count
        }
        hasher.update(UnsafeRawBufferPointer(buffer))
    }
}
