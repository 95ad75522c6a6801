import Foundation

/// A whole file mapped read-only into memory, unmapped when the last reference goes.
///
/// Blobs are never modified once a manifest names them, and a file that is deleted (replaced by a
/// newer corpus) stays mapped until released, so the bytes stay valid for this object's lifetime.
final class MappedFile: @unchecked Sendable {
    /// The mapped bytes (empty for an empty file).
    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?

    /// Maps a file.
    ///
    /// - Parameters:
    ///   - descriptor: an open descriptor; it may be closed afterwards.
    ///   - size: the file's size in bytes.
    ///   - url: named in errors.
    /// - Throws: `CorpusError.systemError` when mapping fails.
    init(descriptor: Int32, size: Int, url: URL) throws {
        guard size > 0 else {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0)
        guard let address, address != MAP_FAILED else {
            throw CorpusError.systemError(url, operation: "map into memory", errno: errno)
        }
        base = address
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    /// Asks the kernel to read the whole file ahead, so first touches do not wait for the disk.
    func prefetch() {
        if let base { madvise(base, bytes.count, MADV_WILLNEED) }
    }

    deinit {
        if let base { munmap(base, bytes.count) }
    }
}

/// A block of floats aligned to 64 bytes, freed with the last reference.
///
/// Large blocks are aligned to 2 MiB and marked for transparent huge pages: filling 512 MB of
/// embeddings then takes 256 page faults instead of 131 072.
final class AlignedFloats: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        let bytes = max(1, count) * 4
        let huge = 2 << 20
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: bytes >= 2 * huge ? huge : 64)
        if bytes >= 2 * huge { madvise(raw, bytes / huge * huge, MADV_HUGEPAGE) }
        pointer = raw.bindMemory(to: Float.self, capacity: max(1, count))
    }

    deinit { pointer.deallocate() }
}
