import Foundation
import Glibc
import Synchronization

/// A program running beside a test (a server): its output is collected as it comes, and the test
/// can wait for a line, then stop it as a user would (Ctrl-C).
public final class BackgroundProcess: Sendable {
    private let process: Process
    private let output = Output()

    /// What the program wrote, appended by the pipes' reader threads.
    private final class Output: Sendable {
        let streams = Mutex((standardOutput: Data(), standardError: Data()))
    }

    /// Starts a program.
    ///
    /// - Parameters:
    ///   - executable: the program's path.
    ///   - arguments: its arguments.
    ///   - environment: variables to add to the inherited environment.
    /// - Throws: when it cannot be started.
    public init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let output = self.output
        out.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.streams.withLock { $0.standardOutput.append(data) }
        }
        err.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.streams.withLock { $0.standardError.append(data) }
        }
        try process.run()
    }

    /// Everything written to standard output so far.
    public var standardOutput: String {
        output.streams.withLock { String(decoding: $0.standardOutput, as: UTF8.self) }
    }
    /// Everything written to standard error so far.
    public var standardError: String {
        output.streams.withLock { String(decoding: $0.standardError, as: UTF8.self) }
    }
    /// Whether it is still running.
    public var isRunning: Bool { process.isRunning }

    /// Waits until standard output has a line for which `predicate` holds.
    ///
    /// - Returns: that line.
    /// - Throws: `TestSupportError` (with the program's error output) if it exits or the time passes first.
    public func waitForLine(timeout: Duration, where predicate: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = standardOutput.split(separator: "\n").map(String.init).first(where: predicate) {
                return line
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError(
            "no such line from \(process.executableURL?.lastPathComponent ?? "the program") "
                + "(running: \(process.isRunning)); stdout: \(standardOutput) stderr: \(standardError)")
    }

    /// Stops it with SIGINT, as Ctrl-C would, and waits for it to exit.
    ///
    /// - Returns: its exit status.
    @discardableResult
    public func interrupt(timeout: Duration = .seconds(20)) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            process.terminate()
            while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
