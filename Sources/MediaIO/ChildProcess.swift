import Foundation
import Synchronization

/// A program started with `posix_spawn`, its outputs connected to pipes this process reads: the
/// one way Scenophone runs another program (ffmpeg and ffprobe here, the ONNX Runtime baseline in
/// the benchmarks, the `scenophone` executable and helpers in the tests).
///
/// Pipes are created close-on-exec so a child spawned concurrently by another thread never inherits
/// (and holds open) a pipe meant for this one. The child's stderr is always drained on a thread into
/// a bounded buffer, so a chatty program can never block, and its last lines explain a failure.
/// ``run(_:_:environment:currentDirectory:)`` runs a program to completion and returns everything
/// it printed.
public final class ChildProcess: @unchecked Sendable {
    /// The process id.
    public let pid: pid_t
    /// The program's name, for messages.
    public let programName: String
    /// The file the program works on, for messages.
    public let subject: URL
    private var outputs: [Int32: Int32]
    private var input: Int32?
    private let errorText: BoundedText
    private let errorDrain: DescriptorDrain
    private let collected: (text: BoundedText, drain: DescriptorDrain, descriptor: Int32)?
    private let status = Mutex<Int32?>(nil)
    private let errorReadEnd: Int32

    /// What a program run to completion printed, and how it ended.
    public struct Result: Sendable {
        /// The exit status, or 128 + the signal number when a signal ended it.
        public var status: Int32
        /// Everything it wrote to stdout.
        public var standardOutput: String
        /// Everything it wrote to stderr.
        public var standardError: String
    }

    /// Runs a program to completion with no input, collecting both outputs.
    ///
    /// - Parameters:
    ///   - executable: the program: a path, or a name looked up on the PATH.
    ///   - arguments: its arguments.
    ///   - environment: variables to add to (or, with `nil` values, remove from) this process's.
    ///   - currentDirectory: where it runs; this process's working directory by default.
    /// - Returns: its exit status and outputs.
    /// - Throws: `MediaIOError` when the program cannot be found or started.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:],
        currentDirectory: URL? = nil
    ) throws -> Result {
        let process = try ChildProcess(
            executable: executable, arguments: arguments, environment: environment,
            currentDirectory: currentDirectory, outputDescriptors: [], collectsOutput: true,
            errorLimit: Int.max)
        let status = process.wait()
        return Result(
            status: status, standardOutput: process.collectedOutput, standardError: process.errorOutput)
    }

    /// Starts one of the media programs.
    ///
    /// - Parameters:
    ///   - tool: the program, located on the PATH.
    ///   - arguments: its arguments.
    ///   - subject: the media file it works on, named in errors.
    ///   - outputDescriptors: the child's descriptors to connect to pipes (1 is stdout; 3, 4... are extra).
    ///   - pipeInput: connect the child's stdin to a pipe this process writes (otherwise `/dev/null`).
    ///   - pipeCapacity: enlarge the output pipes to this many bytes, so a slow reader stalls the child less.
    /// - Throws: `MediaIOError.toolMissing` when the program is not installed, or a system error.
    convenience init(
        tool: FFmpegTool, arguments: [String], subject: URL, outputDescriptors: [Int32] = [1],
        pipeInput: Bool = false, pipeCapacity: Int? = nil
    ) throws {
        try self.init(
            executable: try tool.locate(), name: tool.rawValue, arguments: arguments, subject: subject,
            outputDescriptors: outputDescriptors, pipeInput: pipeInput, pipeCapacity: pipeCapacity)
    }

    /// Starts a program.
    ///
    /// - Parameters:
    ///   - executable: the program: a path, or a name looked up on the (child's) PATH.
    ///   - name: the program's name in messages (the executable's file name by default).
    ///   - arguments: its arguments.
    ///   - subject: the file it works on, named in errors (the executable by default).
    ///   - environment: variables to add to (or, with `nil` values, remove from) this process's.
    ///   - currentDirectory: where it runs; this process's working directory by default.
    ///   - outputDescriptors: the child's descriptors to connect to pipes this process reads (1 is
    ///     stdout; 3, 4... are extra); descriptors not listed are inherited.
    ///   - collectsOutput: drain stdout on a thread into memory (``collectedOutput``) instead.
    ///   - pipeInput: connect the child's stdin to a pipe this process writes (otherwise `/dev/null`).
    ///   - pipeCapacity: enlarge the output pipes to this many bytes, so a slow reader stalls the child less.
    ///   - errorLimit: how many of the last bytes of stderr to keep.
    /// - Throws: `MediaIOError.systemError` when the program is not found or cannot be started.
    public init(
        executable: String, name: String? = nil, arguments: [String], subject: URL? = nil,
        environment: [String: String?] = [:], currentDirectory: URL? = nil,
        outputDescriptors: [Int32] = [1], collectsOutput: Bool = false, pipeInput: Bool = false,
        pipeCapacity: Int? = nil, errorLimit: Int = 16_384
    ) throws {
        let programName = name ?? URL(fileURLWithPath: executable).lastPathComponent
        let subject = subject ?? URL(fileURLWithPath: executable)
        var variables = ProcessInfo.processInfo.environment
        for (key, value) in environment { variables[key] = value }
        guard let path = Self.locate(executable, environment: variables) else {
            throw MediaIOError.systemError(
                subject, operation: "find \(executable) on the PATH", errno: ENOENT)
        }
        self.programName = programName
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
                    subject, operation: "create a pipe for \(programName)", errno: code)
            }
            return pipe
        }
        var outputs: [Int32: Int32] = [:]
        for descriptor in outputDescriptors + (collectsOutput ? [1] : []) {
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
        if let currentDirectory {
            let code = LinuxCalls.addChangeDirectory(&actions, currentDirectory.path)
            guard code == 0 else {
                for fd in parentEnds { close(fd) }
                throw MediaIOError.systemError(
                    currentDirectory, operation: "run \(programName) in this directory", errno: code)
            }
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

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            for fd in parentEnds { close(fd) }
            throw MediaIOError.systemError(subject, operation: "start \(path)", errno: result)
        }
        self.pid = pid
        let errorText = BoundedText(limit: errorLimit)
        self.errorText = errorText
        errorDrain = DescriptorDrain(descriptor: errorPipe.read) { errorText.append($0) }
        errorReadEnd = errorPipe.read
        if collectsOutput, let read = outputs.removeValue(forKey: 1) {
            let text = BoundedText(limit: Int.max)
            collected = (text, DescriptorDrain(descriptor: read) { text.append($0) }, read)
        } else {
            collected = nil
        }
        self.outputs = outputs
    }

    /// The absolute path of a program: `executable` itself when it names a path, else the first
    /// executable of that name on the PATH.
    ///
    /// - Parameters:
    ///   - executable: a path or a program name.
    ///   - environment: where PATH is read from; the process environment by default.
    /// - Returns: the path, or nil when there is no such program.
    public static func locate(
        _ executable: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        if executable.contains("/") { return access(executable, X_OK) == 0 ? executable : nil }
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(directory)/\(executable)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// The read end of the pipe connected to the child's descriptor `descriptor`.
    public func output(_ descriptor: Int32 = 1) -> Int32 {
        guard let fd = outputs[descriptor] else {
            preconditionFailure("descriptor \(descriptor) is not piped")
        }
        return fd
    }

    /// The write end of the pipe connected to the child's stdin.
    public var inputDescriptor: Int32? { input }

    /// Closes the pipe to the child's stdin, so it sees end of file.
    public func closeInput() {
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
    public func readFully(into buffer: UnsafeMutableRawBufferPointer, from descriptor: Int32 = 1) throws
        -> Int
    {
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
    public func wait() -> Int32 {
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
        collected?.drain.join()
        closeAll()
        return exit
    }

    /// Whether the child has not exited yet (it may be exiting); does not reap it.
    public var isRunning: Bool {
        if status.withLock({ $0 }) != nil { return false }
        var info = siginfo_t()  // zeroed: with WNOHANG, a child still running leaves the pid 0
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0 {
            if errno != EINTR { return false }
        }
        return info._sifields._kill.si_pid == 0
    }

    /// Sends a signal to the child unless it has been reaped; safe from any thread.
    ///
    /// - Parameter signal: e.g. `SIGINT` to stop it as Ctrl-C would.
    public func send(_ signal: Int32) {
        status.withLock { status in
            if status == nil { _ = kill(pid, signal) }
        }
    }

    /// Sends SIGKILL to the child unless it has been reaped; safe from any thread.
    ///
    /// A thread blocked reading the child's output then sees end of file.
    public func cancel() {
        send(SIGKILL)
    }

    /// Waits for the child and throws when it failed.
    ///
    /// - Throws: `MediaIOError.processFailed` with the end of the program's own error output.
    public func waitForSuccess() throws {
        let exit = wait()
        if exit != 0 {
            throw MediaIOError.processFailed(
                subject, program: programName, status: exit, message: errorSummary)
        }
    }

    /// Stops the child at once (its output is abandoned) and reaps it.
    public func terminate() {
        cancel()
        wait()
    }

    /// The last lines the child wrote to stderr, trimmed, on one line.
    public var errorSummary: String {
        let lines = errorText.text.split(whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return lines.suffix(3).joined(separator: "; ")
    }

    /// Everything the child wrote to stderr (its last `errorLimit` bytes).
    public var errorOutput: String { errorText.text }

    /// What the child has written to stdout so far, when started with `collectsOutput`.
    public var collectedOutput: String { collected?.text.text ?? "" }

    private func closeAll() {
        for fd in outputs.values { close(fd) }
        outputs = [:]
        closeInput()
        close(errorReadEnd)
        if let collected { close(collected.descriptor) }
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
