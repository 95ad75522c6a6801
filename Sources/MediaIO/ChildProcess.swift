import Foundation
import Synchronization

/// A program started with `posix_spawn`, its outputs connected to pipes this process reads.
///
/// Pipes are created close-on-exec so a child spawned concurrently by another thread never inherits
/// (and holds open) a pipe meant for this one. The child's stderr is always drained on a thread into
/// a bounded buffer, so a chatty program can never block, and its last lines explain a failure.
final class ChildProcess: @unchecked Sendable {
    /// The process id.
    let pid: pid_t
    /// The program's name, for messages.
    let programName: String
    /// The file the program works on, for messages.
    let subject: URL
    private var outputs: [Int32: Int32]
    private var input: Int32?
    private let errorText: BoundedText
    private let errorDrain: DescriptorDrain
    private let status = Mutex<Int32?>(nil)
    private let errorReadEnd: Int32

    /// Starts a program.
    ///
    /// - Parameters:
    ///   - tool: the program, located on the PATH.
    ///   - arguments: its arguments.
    ///   - subject: the media file it works on, named in errors.
    ///   - outputDescriptors: the child's descriptors to connect to pipes (1 is stdout; 3, 4... are extra).
    ///   - pipeInput: connect the child's stdin to a pipe this process writes (otherwise `/dev/null`).
    ///   - pipeCapacity: enlarge the output pipes to this many bytes, so a slow reader stalls the child less.
    /// - Throws: `MediaIOError.toolMissing` when the program is not installed, or a system error.
    init(
        tool: FFmpegTool, arguments: [String], subject: URL, outputDescriptors: [Int32] = [1],
        pipeInput: Bool = false, pipeCapacity: Int? = nil
    ) throws {
        let executable = try tool.locate()
        programName = tool.rawValue
        self.subject = subject
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        func makePipe() throws -> (read: Int32, write: Int32) {
            guard let pipe = LinuxCalls.closeOnExecPipe() else {
                let code = errno
                for fd in parentEnds { close(fd) }
                throw MediaIOError.systemError(
                    subject, operation: "create a pipe for \(tool.rawValue)", errno: code)
            }
            return pipe
        }
        var outputs: [Int32: Int32] = [:]
        for descriptor in outputDescriptors {
            let pipe = try makePipe()
            if let pipeCapacity { _ = fcntl(pipe.read, LinuxCalls.setPipeSize, Int32(pipeCapacity)) }
            outputs[descriptor] = pipe.read
            parentEnds.append(pipe.read)
            childEnds.append(pipe.write)
            posix_spawn_file_actions_adddup2(&actions, pipe.write, descriptor)
        }
        let errorPipe = try makePipe()
        parentEnds.append(errorPipe.read)
        childEnds.append(errorPipe.write)
        posix_spawn_file_actions_adddup2(&actions, errorPipe.write, 2)
        if pipeInput {
            let pipe = try makePipe()
            input = pipe.write
            parentEnds.append(pipe.write)
            childEnds.append(pipe.read)
            posix_spawn_file_actions_adddup2(&actions, pipe.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }

        // The child gets default signal handling and an empty mask whatever this process set up.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            for fd in parentEnds { close(fd) }
            throw MediaIOError.systemError(subject, operation: "start \(executable)", errno: result)
        }
        self.pid = pid
        self.outputs = outputs
        let errorText = BoundedText(limit: 16_384)
        self.errorText = errorText
        errorDrain = DescriptorDrain(descriptor: errorPipe.read) { errorText.append($0) }
        errorReadEnd = errorPipe.read
    }

    /// The read end of the pipe connected to the child's descriptor `descriptor`.
    func output(_ descriptor: Int32 = 1) -> Int32 {
        guard let fd = outputs[descriptor] else {
            preconditionFailure("descriptor \(descriptor) is not piped")
        }
        return fd
    }

    /// The write end of the pipe connected to the child's stdin.
    var inputDescriptor: Int32? { input }

    /// Closes the pipe to the child's stdin, so it sees end of file.
    func closeInput() {
        if let input { close(input) }
        input = nil
    }

    /// Reads until `buffer` is full or the output ends.
    ///
    /// - Parameters:
    ///   - buffer: where the bytes go.
    ///   - descriptor: the child's descriptor to read from.
    /// - Returns: how many bytes were read; fewer than `buffer.count` only at end of output.
    /// - Throws: a system error naming the subject file.
    func readFully(into buffer: UnsafeMutableRawBufferPointer, from descriptor: Int32 = 1) throws -> Int {
        let fd = output(descriptor)
        var done = 0
        while done < buffer.count {
            let count = read(fd, buffer.baseAddress! + done, buffer.count - done)
            if count > 0 {
                done += count
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw MediaIOError.systemError(
                    subject, operation: "read \(programName)'s output", errno: errno)
            }
        }
        return done
    }

    /// Waits for the child to exit.
    ///
    /// - Returns: its exit status, or 128 + the signal number when a signal ended it.
    @discardableResult
    func wait() -> Int32 {
        if let status = status.withLock({ $0 }) { return status }
        // Wait without reaping, then reap under the lock: `cancel()` may signal the pid from another
        // thread, and a reaped pid could already belong to another process.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        let exit = status.withLock { status -> Int32 in
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            let signal = raw & 0x7f
            let exit = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
            status = exit
            return exit
        }
        errorDrain.join()
        closeAll()
        return exit
    }

    /// Sends SIGKILL to the child unless it has been reaped; safe from any thread.
    ///
    /// A thread blocked reading the child's output then sees end of file.
    func cancel() {
        status.withLock { status in
            if status == nil { _ = kill(pid, SIGKILL) }
        }
    }

    /// Waits for the child and throws when it failed.
    ///
    /// - Throws: `MediaIOError.processFailed` with the end of the program's own error output.
    func waitForSuccess() throws {
        let exit = wait()
        if exit != 0 {
            throw MediaIOError.processFailed(
                subject, program: programName, status: exit, message: errorSummary)
        }
    }

    /// Stops the child at once (its output is abandoned) and reaps it.
    func terminate() {
        cancel()
        wait()
    }

    /// The last lines the child wrote to stderr, trimmed, on one line.
    var errorSummary: String {
        let lines = errorText.text.split(whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return lines.suffix(3).joined(separator: "; ")
    }

    /// Everything the child wrote to stderr (its last 16 KiB).
    var errorOutput: String { errorText.text }

    private func closeAll() {
        for fd in outputs.values { close(fd) }
        outputs = [:]
        closeInput()
        close(errorReadEnd)
    }

    deinit {
        terminate()
    }
}

/// Text appended from one thread and read from another, keeping only its last `limit` bytes.
final class BoundedText: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func append(_ chunk: UnsafeRawBufferPointer) {
        bytes.withLock { bytes in
            bytes.append(contentsOf: chunk)
            if bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
        }
    }

    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}
