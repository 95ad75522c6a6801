import Foundation

/// Puts another corpus's blob into a corpus being written, as it is: hard-linked when both are on
/// one file system (blobs are never modified, so sharing the inode is safe and costs no space or
/// copying), copied otherwise. Either way the placed file is then hashed in full and checked
/// against the manifest it came from, so a damaged blob is refused, not spread.
enum BlobTransfer {
    /// How a blob was placed.
    enum Placement {
        /// A new hard link to the same file.
        case linked
        /// A copy (across file systems, or where links are not allowed).
        case copied
        /// The destination already held it, with the right checksum (a corpus being replaced
        /// that shared the blob).
        case present
    }

    /// Places a blob and checks it.
    ///
    /// - Parameters:
    ///   - blob: the blob's record in the manifest it comes from.
    ///   - sourceName: its source's name, for errors.
    ///   - directory: the `sources` directory it is in.
    ///   - corpus: the corpus it belongs to, named in errors.
    ///   - destination: the `sources` directory to place it in.
    ///   - progress: called with the bytes hashed so far in this blob.
    /// - Returns: how it was placed.
    /// - Throws: `CorpusError.damaged` naming `corpus` and the blob when it is missing, has another
    ///   size or does not match its checksum (nothing is left at the destination then);
    ///   `.systemError` when the file system refuses.
    static func place(
        _ blob: CorpusManifest.BlobRecord, of sourceName: String, from directory: URL, corpus: URL,
        into destination: URL, progress: (Int64) -> Void
    ) throws -> Placement {
        let from = directory.appendingPathComponent(blob.file)
        let to = destination.appendingPathComponent(blob.file)
        let blobName = "\(CorpusFormat.sourcesDirectory)/\(blob.file)"
        let placement: Placement
        if link(from.path, to.path) == 0 {
            placement = .linked
        } else {
            switch errno {
            case EEXIST:
                // A corpus being replaced already holds a blob of this id: from a merge of the same
                // shard before, which it keeps, or a copy cut short by a killed merge, replaced.
                if let (sha256, bytes) = try? SHA256Hex.ofFile(to, progress: progress), bytes == blob.bytes,
                    sha256 == blob.sha256
                {
                    return .present
                }
                guard unlink(to.path) == 0 else {
                    throw CorpusError.systemError(to, operation: "replace", errno: errno)
                }
                return try place(
                    blob, of: sourceName, from: directory, corpus: corpus, into: destination,
                    progress: progress)
            case ENOENT:
                throw CorpusError.damaged(corpus, reason: "\(blobName) is missing (source '\(sourceName)')")
            case EXDEV, EPERM, EMLINK, ENOTSUP:
                try copy(from, to: to)
                placement = .copied
            default:
                throw CorpusError.systemError(to, operation: "link \(from.path) as", errno: errno)
            }
        }
        let (sha256, bytes) = try SHA256Hex.ofFile(to, progress: progress)
        guard bytes == blob.bytes, sha256 == blob.sha256 else {
            unlink(to.path)
            let what =
                bytes == blob.bytes
                ? "does not match its checksum" : "is \(bytes) bytes, the manifest says \(blob.bytes)"
            throw CorpusError.damaged(corpus, reason: "\(blobName) \(what) (source '\(sourceName)')")
        }
        return placement
    }

    /// Copies a file that must not exist yet at the destination, flushed to disk.
    private static func copy(_ source: URL, to destination: URL) throws {
        let input = open(source.path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw CorpusError.systemError(source, operation: "read", errno: errno) }
        defer { close(input) }
        let output = open(destination.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else {
            throw CorpusError.systemError(destination, operation: "create", errno: errno)
        }
        defer { close(output) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 22, alignment: 64)
        defer { chunk.deallocate() }
        do {
            while true {
                let count = read(input, chunk.baseAddress, chunk.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw CorpusError.systemError(source, operation: "read", errno: errno)
                }
                if count == 0 { break }
                var written = 0
                while written < count {
                    let step = write(output, chunk.baseAddress! + written, count - written)
                    if step < 0 {
                        if errno == EINTR { continue }
                        throw CorpusError.systemError(destination, operation: "write", errno: errno)
                    }
                    written += step
                }
            }
            guard fsync(output) == 0 else {
                throw CorpusError.systemError(destination, operation: "flush to disk", errno: errno)
            }
        } catch {
            unlink(destination.path)
            throw error
        }
    }
}
