import Foundation

/// python-osc, the outside OSC implementation the OSC tests talk to (installed by
/// `scripts/setup --tests` into its own virtual environment, so the system Python stays untouched).
public enum PythonOSC {
    /// The virtual environment's Python.
    public static var python: URL {
        let cache =
            ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return cache.appendingPathComponent("scenophone/test-venv/bin/python")
    }

    /// Runs a Python script with python-osc available.
    ///
    /// - Parameters:
    ///   - script: the program text.
    ///   - arguments: its arguments.
    /// - Returns: its exit status and output.
    /// - Throws: `TestSupportError` when python-osc is not installed (run `scripts/setup --tests`).
    public static func run(_ script: String, _ arguments: [String] = []) throws -> ProcessResult {
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw TestSupportError("python-osc is not installed at \(python.path): run scripts/setup --tests")
        }
        return try TestSupport.run(python.path, ["-c", script] + arguments)
    }

    /// A free UDP port on the loopback interface (free when asked; the caller binds it soon after).
    public static func freeUDPPort() throws -> Int {
        let result = try TestSupport.run(
            "python3",
            [
                "-c",
                "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])",
            ])
        guard let port = Int(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestSupportError("no free UDP port: \(result.standardError)")
        }
        return port
    }
}
