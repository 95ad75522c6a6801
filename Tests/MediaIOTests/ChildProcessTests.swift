import Foundation
import MediaIO
import TestSupport
import Testing

/// The one wrapper the package runs programs through: outputs, environment, working directory,
/// failures, signals.
@Suite struct ChildProcessTests {
    @Test func runCollectsBothOutputsAndTheStatus() throws {
        let result = try ChildProcess.run("sh", ["-c", "printf 'out\\n'; printf 'err\\n' >&2; exit 3"])
        #expect(result.status == 3)
        #expect(result.standardOutput == "out\n")
        #expect(result.standardError == "err\n")
    }

    @Test func runKeepsAllOfALargeOutputOnBothStreams() throws {
        // 2 MB on each stream, far beyond a pipe's capacity: neither may block the other.
        let result = try ChildProcess.run(
            "sh",
            ["-c", "head -c 2000000 /dev/zero | tr '\\0' a; head -c 2000000 /dev/zero | tr '\\0' b >&2"])
        #expect(result.status == 0)
        #expect(result.standardOutput.utf8.count == 2_000_000)
        #expect(result.standardError.utf8.count == 2_000_000)
    }

    @Test func environmentIsAddedToAndRemovedFrom() throws {
        let result = try ChildProcess.run(
            "sh", ["-c", "echo \"$SCENOPHONE_ADDED:${HOME-unset}\""],
            environment: ["SCENOPHONE_ADDED": "yes", "HOME": nil])
        #expect(result.standardOutput == "yes:unset\n")
    }

    @Test func runsInTheGivenDirectory() throws {
        let directory = try TemporaryDirectory("child-process")
        let result = try ChildProcess.run("pwd", [], currentDirectory: directory.url)
        let printed = URL(fileURLWithPath: result.standardOutput.trimmingCharacters(in: .newlines))
        #expect(printed.resolvingSymlinksInPath().path == directory.url.resolvingSymlinksInPath().path)
    }

    @Test func aMissingProgramIsAnErrorNamingIt() {
        let error = #expect(throws: MediaIOError.self) {
            try ChildProcess.run("scenophone-no-such-program", [])
        }
        #expect(error?.description.contains("scenophone-no-such-program") == true)
        #expect(throws: MediaIOError.self) {
            try ChildProcess.run("/nonexistent/program", [])
        }
    }

    @Test func aRunningChildCanBeSignalledAndReaped() throws {
        let child = try ChildProcess(executable: "sleep", arguments: ["30"], outputDescriptors: [])
        #expect(child.isRunning)
        child.send(SIGTERM)
        #expect(child.wait() == 128 + SIGTERM)
        #expect(!child.isRunning)
    }
}
