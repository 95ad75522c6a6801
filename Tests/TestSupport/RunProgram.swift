import Foundation
import MediaIO

/// The outcome of running a program to completion.
public typealias ProcessResult = ChildProcess.Result

/// Runs a program with arguments, waits for it, and captures its output, through MediaIO's
/// ``ChildProcess`` (the one way the package runs a child process).
///
/// - Parameters:
///   - executable: the program; a bare name is looked up on the PATH.
///   - arguments: its arguments.
///   - environment: variables to add to (or, with `nil` values, remove from) the inherited environment.
///   - currentDirectory: where it runs; the test's own working directory by default.
/// - Returns: exit status and both output streams.
/// - Throws: if the program cannot be found or started.
@discardableResult
public func run(
    _ executable: String, _ arguments: [String], environment: [String: String?] = [:],
    currentDirectory: URL? = nil
) throws -> ProcessResult {
    try ChildProcess.run(executable, arguments, environment: environment, currentDirectory: currentDirectory)
}

/// Runs the `scenophone` executable built for these tests.
@discardableResult
public func runScenophone(
    _ arguments: [String], environment: [String: String?] = [:], currentDirectory: URL? = nil
) throws -> ProcessResult {
    try run(
        Paths.scenophoneExecutable.path, arguments, environment: environment,
        currentDirectory: currentDirectory)
}

/// Runs the `scenophone-bench` executable the benchmarks package built beside its tests.
@discardableResult
public func runScenophoneBench(_ arguments: [String], environment: [String: String?] = [:]) throws
    -> ProcessResult
{
    try run(Paths.benchmarkExecutable.path, arguments, environment: environment)
}
