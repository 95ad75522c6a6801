import Foundation

/// The outcome of running a program to completion.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
}

/// Runs a program with arguments, waits for it, and captures its output.
///
/// - Parameters:
///   - executable: the program; a bare name is looked up on the PATH.
///   - arguments: its arguments.
///   - environment: variables to add to (or, with `nil` values, remove from) the inherited environment.
///   - currentDirectory: where it runs; the test's own working directory by default.
/// - Returns: exit status and both output streams.
/// - Throws: if the program cannot be started.
@discardableResult
public func run(
    _ executable: String, _ arguments: [String], environment: [String: String?] = [:],
    currentDirectory: URL? = nil
) throws -> ProcessResult {
    let process = Process()
    if executable.contains("/") {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
    }
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Drain both pipes concurrently so a chatty child never blocks on a full pipe.
    nonisolated(unsafe) var errData = Data()
    let errReader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
    errReader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errReader.isFinished { usleep(1000) }
    return ProcessResult(
        status: process.terminationStatus,
        standardOutput: String(decoding: outData, as: UTF8.self),
        standardError: String(decoding: errData, as: UTF8.self))
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
