import Foundation

/// An exclusive `flock` on a directory, held while the object lives: one writer per corpus at a time.
///
/// The kernel drops the lock when the process dies, even by SIGKILL, so a killed writer never leaves
/// a corpus locked.
final class DirectoryLock {
    private let descriptor: Int32

    /// Takes the lock without waiting.
    ///
    /// - Parameters:
    ///   - directory: the directory to lock.
    ///   - corpus: the corpus, named in errors.
    /// - Returns: the held lock, or nil when another process holds it.
    /// - Throws: `CorpusError.systemError` when the directory cannot be opened.
    static func acquire(_ directory: URL, corpus: URL) throws -> DirectoryLock? {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CorpusError.systemError(directory, operation: "open", errno: errno)
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return DirectoryLock(descriptor: descriptor)
    }

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}

/// Durability helpers.
enum Durability {
    private typealias RenameAt2 =
        @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    // Swift's Glibc module hides renameat2 behind _GNU_SOURCE; glibc has it since 2.28.
    private static let renameat2: RenameAt2? = dlsym(nil, "renameat2").map {
        unsafeBitCast($0, to: RenameAt2.self)
    }

    /// Renames `source` to `destination` unless something is already there, atomically.
    ///
    /// - Returns: false with `errno` set (`EEXIST` when the destination exists).
    static func renameWithoutReplacing(_ source: URL, to destination: URL) -> Bool {
        if let renameat2 {
            let noReplace: UInt32 = 1  // RENAME_NOREPLACE
            return renameat2(AT_FDCWD, source.path, AT_FDCWD, destination.path, noReplace) == 0
        }
        // Without renameat2 a check then rename leaves a small window; rename(2) still never
        // replaces a non-empty directory.
        if access(destination.path, F_OK) == 0 {
            errno = EEXIST
            return false
        }
        return rename(source.path, destination.path) == 0
    }

    /// Flushes a directory's entries (new and renamed files) to disk.
    static func syncDirectory(_ url: URL) {
        let descriptor = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }

    /// Writes a whole file and flushes it to disk; it must not exist.
    static func writeFile(_ data: Data, to url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CorpusError.systemError(url, operation: "create", errno: errno) }
        defer { close(descriptor) }
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw CorpusError.systemError(url, operation: "write", errno: errno)
                }
                offset += count
            }
        }
        guard fsync(descriptor) == 0 else {
            throw CorpusError.systemError(url, operation: "flush to disk", errno: errno)
        }
    }
}
