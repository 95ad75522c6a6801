import Foundation
import MediaIO
import TestSupport
import Testing

/// Sharded indexing on real batch engines: GNU parallel and a one-node Slurm run `index --shard
/// K/N` jobs over a list of generated clips, `merge` combines the shards, and the result is the
/// corpus one process indexing the list makes (every blob's content and the whole manifest, ids
/// and times aside). A killed shard leaves nothing the merge accepts, and is re-run alone.
@Suite(.serialized) struct ShardedIndexingTests {
    /// Generated media and a list of them: six tiny clips of different lengths (each a distinct
    /// file) and a picture standing for a recording, with a category.
    private func makeList(in directory: TemporaryDirectory) throws -> URL {
        var lines = ["# six clips, then a photo standing for a recording"]
        for (index, seconds) in [2.0, 3, 1.5, 2.5, 3.5, 1].enumerated() {
            let clip = directory.file("clip-\(index).mkv")
            try MediaFixtures.makeCountingClip(at: clip, seconds: seconds, fps: 10, width: 80, height: 45)
            lines.append(clip.path)
        }
        let picture = directory.file("card.png")
        let sound = directory.file("tone.wav")
        for arguments in [
            ["-f", "lavfi", "-i", "testsrc=s=160x120:d=1", "-frames:v", "1", picture.path],
            ["-f", "lavfi", "-i", "sine=f=330:d=2", "-ar", "48000", sound.path],
        ] {
            let made = try run("ffmpeg", ["-v", "error", "-y"] + arguments)
            try #require(made.status == 0, "\(made.standardError)")
        }
        lines.append("card=\(picture.path)+\(sound.path)@tones")
        let list = directory.file("list.txt")
        try (lines.joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
        return list
    }

    /// The list indexed by one process, reading the list from standard input.
    private func indexInOneProcess(_ list: URL, in directory: TemporaryDirectory) throws -> URL {
        let corpus = directory.file("one-process.scenophone")
        let result = try run(
            "sh",
            [
                "-c", "exec \"$0\" index --inputs-from - --output \"$1\" < \"$2\"",
                Paths.scenophoneExecutable.path,
                corpus.path, list.path,
            ])
        try #require(result.status == 0, "\(result.standardError)")
        return corpus
    }

    private func merge(_ shards: [URL], into corpus: URL, _ options: [String] = []) throws -> ProcessResult {
        try runScenophone(["merge"] + shards.map(\.path) + ["--output", corpus.path] + options)
    }

    /// Everything a corpus holds but its random ids and the times it was written: the manifest
    /// (sources in order, inputs, counts, settings, categories, statistics to the last digit)
    /// without blob names and checksums, and every blob's bytes after its 64-byte header (the
    /// header holds the id), in manifest order.
    private func content(of corpus: URL) throws -> (manifest: String, blobs: [Data]) {
        var blobs = [Data]()
        let data = try Data(contentsOf: corpus.appendingPathComponent("manifest.json"))
        let envelope = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var manifest = try #require(envelope["manifest"] as? [String: Any])
        manifest["modified"] = nil
        var sources = try #require(manifest["sources"] as? [[String: Any]])
        for index in sources.indices {
            sources[index]["id"] = nil
            sources[index]["indexed"] = nil
            for key in ["audio", "frames", "thumbnails"] {
                let blob = try #require(sources[index][key] as? [String: Any])
                let file = corpus.appendingPathComponent("sources/\(try #require(blob["file"] as? String))")
                blobs.append(try Data(contentsOf: file).dropFirst(64))
                sources[index][key] = blob["bytes"]
            }
        }
        manifest["sources"] = sources
        let canonical = try JSONSerialization.data(
            withJSONObject: manifest, options: [.sortedKeys, .prettyPrinted])
        return (String(decoding: canonical, as: UTF8.self), blobs)
    }

    private func names(_ corpus: URL) throws -> [String] {
        let result = try runScenophone(["info", corpus.path, "--json"])
        try #require(result.status == 0, "\(result.standardError)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        return try #require(json["sources"] as? [[String: Any]]).compactMap { $0["name"] as? String }
    }

    @Test func gnuParallelShardsMergeIntoTheOneProcessCorpus() throws {
        let directory = try TemporaryDirectory()
        let list = try makeList(in: directory)
        let expected = try indexInOneProcess(list, in: directory)
        let shards = directory.file("shards")
        try FileManager.default.createDirectory(at: shards, withIntermediateDirectories: true)

        // Three shards, two at a time, as docs/archives.md runs them, while one of shard 1's
        // files is out of reach: that shard fails, the others complete.
        let clip = directory.file("clip-2.mkv")
        let away = directory.file("clip-2.away")
        try FileManager.default.moveItem(at: clip, to: away)
        let joblog = shards.appendingPathComponent("joblog")
        let parallel = try run(
            "parallel",
            [
                "--will-cite", "--jobs", "2", "--joblog", joblog.path, Paths.scenophoneExecutable.path,
                "index",
                "--inputs-from", list.path, "--shard", "{}/3", "--output", shards.path + "/{}.scenophone",
                ":::", "0", "1", "2",
            ])
        #expect(parallel.status == 1, "one job failed: \(parallel.standardError)")
        #expect(parallel.standardError.contains("clip-2.mkv"))
        let parts = (0..<3).map { shards.appendingPathComponent("\($0).scenophone") }
        #expect(parts.map { FileManager.default.fileExists(atPath: $0.path) } == [true, false, true])
        #expect(try names(parts[0]) == ["clip-0", "clip-1"])
        #expect(try names(parts[2]) == ["clip-4", "clip-5", "card"])
        let incomplete = try merge([parts[0], parts[2]], into: directory.file("incomplete.scenophone"))
        #expect(
            incomplete.status != 0 && incomplete.standardError.contains("(1/3)"),
            "\(incomplete.standardError)")

        // The file is back: GNU parallel re-runs the failed shard alone, from its job log.
        try FileManager.default.moveItem(at: away, to: clip)
        let retry = try run("parallel", ["--will-cite", "--retry-failed", "--joblog", joblog.path])
        try #require(retry.status == 0, "\(retry.standardError)")
        #expect(try names(parts[1]) == ["clip-2", "clip-3"])
        let runs = try String(contentsOf: joblog, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(runs.count == 4, "three jobs, then the failed one again: \(runs)")

        let merged = directory.file("merged.scenophone")
        let result = try merge([parts[2], parts[0], parts[1]], into: merged)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("merged 3 of 3 shards: 7 sources"), "\(result.standardOutput)")
        #expect(try names(merged) == ["clip-0", "clip-1", "clip-2", "clip-3", "clip-4", "clip-5", "card"])
        let (mergedManifest, mergedBlobs) = try content(of: merged)
        let (expectedManifest, expectedBlobs) = try content(of: expected)
        #expect(mergedManifest == expectedManifest)
        #expect(mergedBlobs.count == 21 && mergedBlobs == expectedBlobs)
        let verify = try runScenophone(["info", merged.path, "--verify"])
        #expect(verify.status == 0, "\(verify.standardError)")

        // A duplicate is refused, naming both corpora: the same clip again in a corpus of its own.
        let twin = directory.file("twin.scenophone")
        #expect(
            try runScenophone(["index", "again=\(directory.file("clip-3.mkv").path)", "-o", twin.path]).status
                == 0)
        let duplicate = try merge([expected, twin], into: directory.file("dup.scenophone"))
        #expect(duplicate.status != 0)
        #expect(
            duplicate.standardError.contains("twin.scenophone")
                && duplicate.standardError.contains("'clip-3'"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("dup.scenophone").path))

        // A list naming two sources alike is refused by every shard before any work, as one
        // process refuses it, not by the merge after the work.
        let clash = directory.file("clash.txt")
        try "\(directory.file("clip-0.mkv").path)\nclip-0=\(directory.file("clip-1.mkv").path)\n".write(
            to: clash, atomically: true, encoding: .utf8)
        let refused = try runScenophone([
            "index", "--inputs-from", clash.path, "--shard", "0/2", "-o", directory.file("c.scenophone").path,
        ])
        #expect(
            refused.status != 0 && refused.standardError.contains("source 2 of the list is named 'clip-0'"))
    }

    @Test func aSlurmJobArrayIndexesTheShardsOnLocalhost() throws {
        let directory = try TemporaryDirectory()
        let state = directory.file("slurm")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let cluster: LocalSlurm
        switch try LocalSlurm.start(in: state) {
        case .success(let running): cluster = running
        case .failure(let reason):
            try Test.cancel("Slurm cannot run here, so this case is skipped: \(reason)")
        }
        defer { cluster.stop() }
        let list = try makeList(in: directory)
        let shards = directory.file("shards")
        let script = Paths.packageRoot.appendingPathComponent("scripts/cluster/slurm-index.sbatch")
        var environment = cluster.environment
        environment["LIST"] = list.path
        environment["SHARDS"] = shards.path
        environment["N"] = "3"
        environment["SCENOPHONE"] = Paths.scenophoneExecutable.path
        // The script asks for 2 CPUs a task; one each lets this 2-CPU node run two at once.
        let job = try run(
            "sbatch",
            [
                "--wait", "--array=0-2", "--cpus-per-task=1", "--chdir=\(directory.url.path)",
                "--output=\(directory.url.path)/slurm-%A_%a.log", script.path,
            ], environment: environment)
        let logs =
            (try? FileManager.default.contentsOfDirectory(atPath: directory.url.path))?
            .filter { $0.hasPrefix("slurm-") }.compactMap {
                try? String(contentsOf: directory.file($0), encoding: .utf8)
            }
            .joined(separator: "\n") ?? ""
        try #require(job.status == 0, "sbatch: \(job.standardError)\njobs: \(logs)\n\(cluster.logs)")

        let merged = directory.file("merged.scenophone")
        let result = try merge(
            (0..<3).map { shards.appendingPathComponent("\($0).scenophone") }, into: merged)
        #expect(result.status == 0, "\(result.standardError)")
        let expected = try indexInOneProcess(list, in: directory)
        let (mergedManifest, mergedBlobs) = try content(of: merged)
        let (expectedManifest, expectedBlobs) = try content(of: expected)
        #expect(mergedManifest == expectedManifest)
        #expect(mergedBlobs.count == 21 && mergedBlobs == expectedBlobs)
    }

    @Test func aKilledShardLeavesNothingTheMergeAcceptsAndIsRerunAlone() throws {
        let directory = try TemporaryDirectory()
        let short = directory.file("short.mkv")
        try MediaFixtures.makeCountingClip(at: short, seconds: 2, fps: 10, width: 80, height: 45)
        // 300 frames at --fps 10: the frames blob first grows after 204 embeddings (it is written
        // in 1 MiB steps), two thirds of the way, when the shard is killed.
        let long = directory.file("long.mkv")
        try MediaFixtures.makeCountingClip(at: long, seconds: 30, fps: 10, width: 80, height: 45)
        let list = directory.file("list.txt")
        try "\(short.path)\n\(long.path)\n".write(to: list, atomically: true, encoding: .utf8)
        let shards = (0..<2).map { directory.file("\($0).scenophone") }
        func index(_ shard: Int) -> [String] {
            [
                "index", "--inputs-from", list.path, "--shard", "\(shard)/2", "--fps", "10", "-o",
                shards[shard].path,
            ]
        }
        #expect(try runScenophone(index(0)).status == 0)

        let process = try ChildProcess(
            executable: Paths.scenophoneExecutable.path, arguments: index(1), outputDescriptors: [],
            collectsOutput: true)
        let deadline = Date().addingTimeInterval(120)
        var writing = false
        while !writing && process.isRunning && Date() < deadline {
            usleep(20_000)
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.url.path)) ?? []
            writing = entries.filter { $0.hasPrefix(".1.scenophone.staging-") }.contains { staging in
                let sources = directory.file(staging).appendingPathComponent("sources")
                return ((try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? []).contains {
                    $0.hasSuffix(".frames")
                        && ((try? FileManager.default.attributesOfItem(
                            atPath: sources.appendingPathComponent($0).path))?[
                                .size] as? Int ?? 0) > 64
                }
            }
        }
        try #require(writing && process.isRunning, "the shard should be writing frames when killed")
        process.send(SIGKILL)
        #expect(process.wait() == 128 + SIGKILL)
        #expect(!FileManager.default.fileExists(atPath: shards[1].path))

        // The merge refuses the incomplete set, naming the missing shard, and writes nothing.
        let merged = directory.file("merged.scenophone")
        let refused = try merge(
            shards.filter { FileManager.default.fileExists(atPath: $0.path) }, into: merged)
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("1/2") && refused.standardError.contains("--allow-missing"))
        #expect(!FileManager.default.fileExists(atPath: merged.path))

        // Re-run alone, the shard completes and the set merges.
        let rerun = try runScenophone(index(1))
        #expect(rerun.status == 0, "\(rerun.standardError)")
        let result = try merge(shards, into: merged, ["--json"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try names(merged) == ["short", "long"])
    }

    @Test func aMergeKilledPartWayLeavesNoCorpus() throws {
        let directory = try TemporaryDirectory()
        // A picture standing for fifteen minutes of sound: a 350 MB audio blob, which the merge
        // hashes for a good fraction of a second, time enough to kill it part-way.
        let picture = directory.file("card.png")
        let sound = directory.file("tone.flac")
        for arguments in [
            ["-f", "lavfi", "-i", "testsrc=s=160x120:d=1", "-frames:v", "1", picture.path],
            ["-f", "lavfi", "-i", "sine=f=220:d=900", "-ac", "2", "-ar", "48000", sound.path],
        ] {
            let made = try run("ffmpeg", ["-v", "error", "-y"] + arguments)
            try #require(made.status == 0, "\(made.standardError)")
        }
        let list = directory.file("list.txt")
        try "\(picture.path)+\(sound.path)\n".write(to: list, atomically: true, encoding: .utf8)
        let shard = directory.file("0.scenophone")
        let indexed = try runScenophone([
            "index", "--inputs-from", list.path, "--shard", "0/1", "-o", shard.path,
        ])
        try #require(indexed.status == 0, "\(indexed.standardError)")

        let merged = directory.file("merged.scenophone")
        let process = try ChildProcess(
            executable: Paths.scenophoneExecutable.path, arguments: ["merge", shard.path, "-o", merged.path],
            outputDescriptors: [], collectsOutput: true)
        var staging = false
        let deadline = Date().addingTimeInterval(60)
        while !staging && process.isRunning && Date() < deadline {
            usleep(5_000)
            staging = ((try? FileManager.default.contentsOfDirectory(atPath: directory.url.path)) ?? [])
                .contains {
                    $0.hasPrefix(".merged.scenophone.staging-")
                }
        }
        try #require(staging && process.isRunning, "the merge should be under way when killed")
        process.send(SIGKILL)
        #expect(process.wait() == 128 + SIGKILL)
        #expect(!FileManager.default.fileExists(atPath: merged.path))
        #expect(try runScenophone(["info", merged.path]).status != 0)

        // The next merge completes and sweeps away the killed one's staging directory.
        let result = try merge([shard], into: merged)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
                == ["0.scenophone", "card.png", "list.txt", "merged.scenophone", "tone.flac"])
    }
}
