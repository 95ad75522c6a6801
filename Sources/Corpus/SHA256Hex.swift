import Crypto
import Foundation

/// SHA-256 digests as lowercase hex, of memory or of whole files.
enum SHA256Hex {
    /// The digest of some bytes.
    static func of(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).hexString
    }

    /// The digest of some bytes in memory.
    static func of(_ bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return hasher.finalize().hexString
    }

    /// The digest and size of a whole file, read in large chunks.
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - progress: told the bytes read so far after each chunk (4 MiB).
    /// - Returns: its SHA-256 and its size in bytes.
    /// - Throws: `CorpusError.systemError` naming the file.
    static func ofFile(_ url: URL, progress: (Int64) -> Void = { _ in }) throws -> (
        sha256: String, bytes: Int64
    ) {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CorpusError.systemError(url, operation: "read", errno: errno) }
        defer { close(descriptor) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 22, alignment: 64)
        defer { chunk.deallocate() }
        var hasher = SHA256()
        var total: Int64 = 0
        while true {
            let count = read(descriptor, chunk.baseAddress, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw CorpusError.systemError(url, operation: "read", errno: errno)
            }
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
            total += Int64(count)
            progress(total)
        }
        return (hasher.finalize().hexString, total)
    }
}

/// A SHA-256 fed piece by piece.
struct SHA256Incremental {
    private var hasher = SHA256()

    /// Adds bytes.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    /// The digest of everything added, as lowercase hex.
    func finalize() -> String {
        hasher.finalize().hexString
    }
}
