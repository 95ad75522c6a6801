import Foundation
import MediaIO
import TestSupport
import Testing

/// `index` killed with SIGKILL part-way leaves the previous corpus intact and no corpus that loads
/// half-written.
@Suite(.serialized) struct CorpusDurabilityTests {
    /// Starts `scenophone index` and kills it with SIGKILL once `isWriting` says it is mid-way.
    private func killIndex(_ arguments: [String], once isWriting: () -> Bool) throws {
        let process = try ChildProcess(
            executable: Paths.scenophoneExecutable.path, arguments: ["index"] + arguments,
            outputDescriptors: [], collectsOutput: true)
        let deadline = Date().addingTimeInterval(120)
        var writing = false
        while !writing && process.isRunning && Date() < deadline {
            usleep(20_000)
            writing = isWriting()
        }
        try #require(writing && process.isRunning, "index should be writing frames when killed")
        process.send(SIGKILL)
        #expect(process.wait() == 128 + SIGKILL)
    }

    /// Whether a `.frames` blob not in `known` holds embeddings yet, in any of these directories.
    private func framesBeingWritten(in directories: [URL], besides known: Set<String> = []) -> Bool {
        directories.contains { directory in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return files.contains { name in
                guard !known.contains(name), name.hasSuffix(".frames") else { return false }
                let attributes = try? FileManager.default.attributesOfItem(
                    atPath: directory.appendingPathComponent(name).path)
                return (attributes?[.size] as? Int ?? 0) > 64
            }
        }
    }

    private func longClip(in directory: TemporaryDirectory) throws -> URL {
        let clip = directory.file("long.mkv")
        // 600 frames to embed at --fps 10. Blobs are written in 1 MiB steps, so the frames blob
        // first grows after 204 embeddings: a third of the way, when the test kills it.
        try MediaFixtures.makeCountingClip(at: clip, seconds: 60, fps: 10)
        return clip
    }

    @Test func killedOverwriteLeavesThePreviousCorpusIntact() throws {
        let directory = try TemporaryDirectory()
        let short = directory.file("short.mkv")
        try MediaFixtures.makeCountingClip(at: short, seconds: 3)
        let corpus = directory.file("c.scenophone")
        try #require(try runScenophone(["index", short.path, "-o", corpus.path]).status == 0)
        let before = try runScenophone(["info", corpus.path, "--json"]).standardOutput
        let sources = corpus.appendingPathComponent("sources")
        let known = Set(try FileManager.default.contentsOfDirectory(atPath: sources.path))

        try killIndex([try longClip(in: directory).path, "-o", corpus.path, "--overwrite", "--fps", "10"]) {
            framesBeingWritten(in: [sources], besides: known)
        }

        let after = try runScenophone(["info", corpus.path, "--json", "--verify"])
        #expect(after.status == 0, "\(after.standardError)")
        #expect(after.standardOutput == before.replacingOccurrences(of: "\"standard\"", with: "\"full\""))
        // The next writer sweeps away what the killed one left.
        let added = try runScenophone(["sources", "add", corpus.path, "again=\(short.path)"])
        #expect(added.status == 0, "\(added.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sources.path).count == 6)
    }

    @Test func killedCreationLeavesNoCorpus() throws {
        let directory = try TemporaryDirectory()
        let corpus = directory.file("new.scenophone")
        let clip = try longClip(in: directory)
        // The new corpus is built in a hidden staging directory beside it.
        try killIndex([clip.path, "-o", corpus.path, "--fps", "10"]) {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.url.path)) ?? []
            let staging = entries.filter { $0.hasPrefix(".new.scenophone.staging-") }.map {
                directory.url.appendingPathComponent($0).appendingPathComponent("sources")
            }
            return framesBeingWritten(in: staging)
        }
        #expect(!FileManager.default.fileExists(atPath: corpus.path))
        let info = try runScenophone(["info", corpus.path])
        #expect(info.status != 0 && info.standardError.contains("no such file"))
        // A later run cleans up the killed run's staging directory.
        let short = directory.file("short.mkv")
        try MediaFixtures.makeCountingClip(at: short, seconds: 2)
        #expect(try runScenophone(["index", short.path, "-o", corpus.path]).status == 0)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
                == ["long.mkv", "new.scenophone", "short.mkv"])
    }
}
