import Foundation

/// The checksums Scenophone records for input files, available to callers (benchmarks, tools that
/// check whether a file is already in a corpus).
public enum FileChecksum {
    /// The SHA-256 of a whole file, read in 4 MiB chunks.
    ///
    /// - Parameter url: the file.
    /// - Returns: the digest (lowercase hex) and the file's size in bytes.
    /// - Throws: `CorpusError.systemError` naming the file.
    public static func sha256(of url: URL) throws -> (sha256: String, bytes: Int64) {
        try SHA256Hex.ofFile(url)
    }
}
