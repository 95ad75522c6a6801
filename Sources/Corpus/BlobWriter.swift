import Foundation

/// Writes one blob file: its header, then data appended in order, hashed as it goes.
final class BlobWriter {
    /// The file being written.
    let url: URL
    /// Bytes appended so far, header included (flushed or not).
    var byteCount: Int64 { flushedCount + Int64(used) }
    private var flushedCount: Int64 = 0
    private var descriptor: Int32
    private var hasher = SHA256Incremental()
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    private var closed = false

    /// Creates the file (which must not exist) and writes its header.
    ///
    /// - Parameters:
    ///   - directory: the corpus's `sources` directory.
    ///   - kind: which blob of the source.
    ///   - sourceID: the source's id.
    /// - Throws: `CorpusError.systemError` naming the file.
    init(directory: URL, kind: BlobKind, sourceID: String) throws {
        url = directory.appendingPathComponent(kind.fileName(source: sourceID))
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CorpusError.systemError(url, operation: "create", errno: errno) }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        try BlobHeader(kind: kind, version: UInt32(CorpusFormat.blobVersion), sourceID: sourceID).bytes
            .withUnsafeBytes { try append($0) }
    }

    /// Appends bytes.
    ///
    /// - Parameter bytes: the data.
    /// - Throws: `CorpusError.systemError` when the disk write fails (e.g. the disk is full).
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = min(buffer.count - used, bytes.count - offset)
            UnsafeMutableRawBufferPointer(rebasing: buffer[used..<used + count])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
            used += count
            offset += count
            if used == buffer.count { try flush() }
        }
    }

    /// Appends `count` zero bytes (silence, for float audio).
    func appendZeros(_ count: Int) throws {
        var remaining = count
        while remaining > 0 {
            let step = min(remaining, buffer.count - used)
            UnsafeMutableRawBufferPointer(rebasing: buffer[used..<used + step]).initializeMemory(
                as: UInt8.self, repeating: 0)
            used += step
            remaining -= step
            if used == buffer.count { try flush() }
        }
    }

    /// Flushes, syncs to disk and closes the file.
    ///
    /// - Returns: the blob's manifest entry (name, size, SHA-256).
    /// - Throws: `CorpusError.systemError` naming the file.
    func finish() throws -> CorpusManifest.BlobRecord {
        try flush()
        guard fsync(descriptor) == 0 else {
            throw CorpusError.systemError(url, operation: "flush to disk", errno: errno)
        }
        close(descriptor)
        closed = true
        buffer.deallocate()
        return CorpusManifest.BlobRecord(
            file: url.lastPathComponent, bytes: byteCount, sha256: hasher.finalize())
    }

    /// Closes and deletes the file.
    func abandon() {
        if !closed {
            close(descriptor)
            closed = true
            buffer.deallocate()
        }
        unlink(url.path)
    }

    private func flush() throws {
        let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<used])
        hasher.update(chunk)
        var offset = 0
        while offset < used {
            let count = write(descriptor, chunk.baseAddress! + offset, used - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw CorpusError.systemError(url, operation: "write", errno: errno)
            }
            offset += count
        }
        flushedCount += Int64(used)
        used = 0
    }

    deinit {
        if !closed {
            close(descriptor)
            buffer.deallocate()
        }
    }
}
