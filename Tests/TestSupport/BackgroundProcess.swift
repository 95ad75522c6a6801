import Foundation
import Glibc
import MediaIO

/// A program running beside a test (a server): its output is collected as it comes, and the test
/// can wait for a line, then stop it as a user would (Ctrl-C).
public final class BackgroundProcess: Sendable {
    private let process: ChildProcess

    /// Starts a program.
    ///
    /// - Parameters:
    ///   - executable: the program's path.
    ///   - arguments: its arguments.
    ///   - environment: variables to add to the inherited environment.
    /// - Throws: when it cannot be started.
    public init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
        process = try ChildProcess(
            executable: executable.path, arguments: arguments, environment: environment,
            outputDescriptors: [], collectsOutput: true, errorLimit: Int.max)
    }

    /// Everything written to standard output so far.
    public var standardOutput: String { process.collectedOutput }
    /// Everything written to standard error so far.
    public var standardError: String { process.errorOutput }
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
            "no such line from \(process.programName) (running: \(process.isRunning)); "
                + "stdout: \(standardOutput) stderr: \(standardError)")
    }

    /// Stops it with SIGINT, as Ctrl-C would, and waits for it to exit.
    ///
    /// - Returns: its exit status (128 + the signal number if a signal ended it).
    @discardableResult
    public func interrupt(timeout: Duration = .seconds(20)) async -> Int32 {
        process.send(SIGINT)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { process.send(SIGTERM) }
        return process.wait()
    }
}
