import Foundation

/// A whole file mapped read-only into memory, unmapped when the last reference goes.
///
/// Blobs are never modified once a manifest names them, and a file that is deleted (replaced by a
/// newer corpus) stays mapped until released, so the bytes stay valid for this object's lifetime.
final class MappedFile: @unchecked Sendable {
    /// The mapped bytes (empty for an empty file).
    let bytes: UnsafeRawBufferPointer
    /// The file, for errors and for dropping it from the page cache.
    let url: URL
    private let base: UnsafeMutableRawPointer?
    /// What `faultIn` read, stored only so that its reads are not optimised away.
    private var faultInChecksum: UInt8 = 0

    /// Maps a file.
    ///
    /// - Parameters:
    ///   - descriptor: an open descriptor; it may be closed afterwards.
    ///   - size: the file's size in bytes.
    ///   - url: the file, named in errors.
    /// - Throws: `CorpusError.systemError` when mapping fails.
    init(descriptor: Int32, size: Int, url: URL) throws {
        self.url = url
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

    /// Reads every page in and locks it in memory, so touching it never waits for the disk, even
    /// after the kernel would otherwise have evicted it. The lock goes with the mapping.
    ///
    /// - Returns: 0, or the `errno` of a failed `mlock` (`ENOMEM` or `EPERM` past `RLIMIT_MEMLOCK`
    ///   without `CAP_IPC_LOCK`, `EAGAIN` when the kernel cannot lock that much now).
    func lockInMemory() -> Int32 {
        guard let base else { return 0 }
        return mlock(base, bytes.count) == 0 ? 0 : errno
    }

    /// Reads every page in now and maps it into this process (without locking): the next touches
    /// are not major page faults, as long as memory pressure does not evict the pages meanwhile.
    func faultIn() {
        guard let base else { return }
        // Linux 5.14 on: the kernel reads the file in and maps every page, failing only on an I/O error.
        if madvise(base, bytes.count, MADV_POPULATE_READ) == 0 { return }
        madvise(base, bytes.count, MADV_WILLNEED)
        // Older kernels: one read per page makes the kernel map it. The sum is stored, so the
        // optimiser cannot drop the reads.
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var sum: UInt8 = 0
        for offset in stride(from: 0, to: bytes.count, by: pageSize) {
            sum &+= bytes.load(fromByteOffset: offset, as: UInt8.self)
        }
        faultInChecksum = sum
    }

    /// Asks the kernel to forget the file's cached pages that no process has mapped in, so the next
    /// touch reads the disk: how a benchmark or test makes a cold start it can measure.
    func dropFromPageCache() {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        // Dirty pages (a corpus just written or copied) are not dropped: write them out first.
        fdatasync(descriptor)
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED)
        close(descriptor)
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
