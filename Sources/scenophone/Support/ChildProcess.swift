import Foundation

/// Runs a program to completion and collects its output (the ONNX Runtime baseline, demo media).
enum ChildProcess {
    /// What the program printed and how it ended.
    struct Output {
        var status: Int32
        var standardOutput: Data
        var standardError: String
    }

    /// Runs `executable arguments…` with no input.
    ///
    /// - Parameters:
    ///   - executable: the program.
    ///   - arguments: its arguments.
    /// - Returns: its exit status, standard output and standard error.
    /// - Throws: when the program cannot be started.
    static func run(_ executable: URL, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain standard error on another thread so neither pipe can fill and stall the child.
        nonisolated(unsafe) var errorData = Data()
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            errorData = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, standardOutput: outputData,
            standardError: String(decoding: errorData, as: UTF8.self))
    }
}
