import Foundation

/// Linux calls that Swift's Glibc module does not import (they sit behind `_GNU_SOURCE`), looked
/// up once by name.
enum LinuxCalls {
    /// `fcntl` command that sets a pipe's capacity (`F_LINUX_SPECIFIC_BASE + 7`).
    static let setPipeSize: Int32 = 1031

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    nonisolated(unsafe) private static let pipe2Function: Pipe2? = dlsym(nil, "pipe2").map {
        unsafeBitCast($0, to: Pipe2.self)
    }

    /// Creates a pipe whose two ends are close-on-exec from the start, so a child spawned by
    /// another thread at the same instant cannot inherit them.
    ///
    /// - Returns: the read and write descriptors, or nil with `errno` set.
    static func closeOnExecPipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        if let pipe2Function {
            guard pipe2Function(&fds, O_CLOEXEC) == 0 else { return nil }
        } else {
            guard pipe(&fds) == 0 else { return nil }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }

    private typealias AddChangeDirectory =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    nonisolated(unsafe) private static let addChangeDirectoryFunction: AddChangeDirectory? = dlsym(
        nil, "posix_spawn_file_actions_addchdir_np"
    ).map { unsafeBitCast($0, to: AddChangeDirectory.self) }

    /// Makes a spawned child start in `directory` (`posix_spawn_file_actions_addchdir_np`, glibc 2.29).
    ///
    /// - Parameters:
    ///   - actions: the spawn's file actions.
    ///   - directory: the child's working directory.
    /// - Returns: 0, or an error number (`ENOSYS` where the C library lacks the call).
    static func addChangeDirectory(
        _ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ directory: String
    ) -> Int32 {
        guard let addChangeDirectoryFunction else { return ENOSYS }
        return addChangeDirectoryFunction(actions, directory)
    }
}
