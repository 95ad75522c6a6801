import Foundation
import MediaIO
import TestSupport
import Testing

/// Every bad input gets a one-line error naming the file and the problem, a non-zero exit, and
/// nothing left behind where the corpus would have been.
@Suite struct IndexBadInputTests {
    /// Runs `index` into a fresh directory and checks it failed cleanly.
    ///
    /// - Returns: the error output.
    private func indexFails(
        _ inputs: [String], in directory: TemporaryDirectory, options: [String] = [],
        environment: [String: String?] = [:]
    ) throws -> String {
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: directory.url.path))
        let result = try runScenophone(
            ["index"] + inputs + ["--output", directory.file("out.scenophone").path] + options,
            environment: environment)
        #expect(result.status != 0)
        #expect(!result.standardError.contains("Fatal error") && !result.standardError.contains("Stack dump"))
        #expect(result.standardError.split(separator: "\n").count <= 2, "\(result.standardError)")
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: directory.url.path))
        #expect(after == before, "nothing partial is left: \(after.subtracting(before))")
        return result.standardError
    }

    @Test func missingFile() throws {
        let directory = try TemporaryDirectory()
        let message = try indexFails([directory.file("holiday.mp4").path], in: directory)
        #expect(message.contains("holiday.mp4") && message.contains("no such file"))
    }

    @Test func textFileRenamedAsVideo() throws {
        let directory = try TemporaryDirectory()
        let fake = directory.file("notes.mp4")
        try "meeting at noon\nbring the recorder\n".write(to: fake, atomically: true, encoding: .utf8)
        let message = try indexFails([fake.path], in: directory)
        #expect(message.contains("notes.mp4") && message.contains("not a media file"))
    }

    /// Cut at half its bytes: an MP4 loses its index (unreadable); a Matroska file decodes half-way,
    /// which is refused by default and indexed with a warning under --allow-truncated.
    @Test func truncatedVideo() throws {
        let directory = try TemporaryDirectory()
        for (name, codecs) in [
            ("cut.mp4", (["-c:v", "libx264"], ["-c:a", "aac"])),
            ("cut.mkv", (["-c:v", "ffv1"], ["-c:a", "flac"])),
        ] {
            let whole = directory.file("whole-\(name)")
            try MediaFixtures.makeCountingClip(
                at: whole, seconds: 8, videoCodec: codecs.0, audioCodec: codecs.1)
            let bytes = try Data(contentsOf: whole)
            try bytes.prefix(bytes.count / 2).write(to: directory.file(name))
            try FileManager.default.removeItem(at: whole)
        }
        let mp4 = try indexFails([directory.file("cut.mp4").path], in: directory)
        #expect(mp4.contains("cut.mp4") && mp4.contains("not a media file"), "\(mp4)")
        let mkv = try indexFails([directory.file("cut.mkv").path], in: directory)
        #expect(
            mkv.contains("cut.mkv") && mkv.contains("truncated") && mkv.contains("--allow-truncated"),
            "\(mkv)")

        let output = directory.file("salvaged.scenophone")
        let salvaged = try runScenophone(
            ["index", directory.file("cut.mkv").path, "-o", output.path, "--allow-truncated", "--json"])
        #expect(salvaged.status == 0, "\(salvaged.standardError)")
        #expect(salvaged.standardError.contains("warning: cut: truncated"))
        let info =
            try JSONSerialization.jsonObject(with: Data(salvaged.standardOutput.utf8)) as? [String: Any]
        let duration = try #require((info?["sources"] as? [[String: Any]])?.first?["duration"] as? Double)
        #expect(duration > 1 && duration < 6)
    }

    @Test func videoWithoutSound() throws {
        let directory = try TemporaryDirectory()
        let silent = directory.file("silent.mkv")
        try MediaFixtures.makeCountingClip(at: silent, seconds: 3, sampleRate: nil)
        let message = try indexFails([silent.path], in: directory)
        #expect(
            message.contains("silent.mkv") && message.contains("no audio track")
                && message.contains("--allow-silent"))
        let allowed = try runScenophone(
            ["index", silent.path, "-o", directory.file("ok.scenophone").path, "--allow-silent"])
        #expect(allowed.status == 0, "\(allowed.standardError)")
        #expect(allowed.standardError.contains("warning: silent: silent"))
    }

    @Test func audioOnlyFileGivenAsVideo() throws {
        let directory = try TemporaryDirectory()
        let recording = Paths.media.appendingPathComponent("audio/blanket_wind.ogg").path
        let message = try indexFails([recording], in: directory)
        #expect(message.contains("blanket_wind.ogg") && message.contains("audio only"))
    }

    @Test func zeroLengthVideo() throws {
        let directory = try TemporaryDirectory()
        let empty = directory.file("empty.mp4")
        _ = FileManager.default.createFile(atPath: empty.path, contents: Data())
        let emptyMessage = try indexFails([empty.path], in: directory)
        #expect(emptyMessage.contains("empty.mp4") && emptyMessage.contains("empty (0 bytes)"))
        let frameless = directory.file("frameless.mp4")
        let made = try run(
            "ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc", "-t", "0", frameless.path])
        try #require(made.status == 0)
        let framelessMessage = try indexFails([frameless.path], in: directory)
        #expect(framelessMessage.contains("frameless.mp4") && framelessMessage.contains("no frames"))
    }

    @Test func ffmpegNotInstalled() throws {
        let directory = try TemporaryDirectory()
        let message = try indexFails(
            [Paths.media.appendingPathComponent("video/tears_of_steel_battle.webm").path], in: directory,
            environment: ["PATH": "/nonexistent"])
        #expect(message.contains("not installed") && message.contains("sudo apt-get install ffmpeg"))
    }

    @Test func existingOutputIsNotReplacedWithoutBeingAsked() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: clip, seconds: 2)
        let output = directory.file("out.scenophone")
        #expect(try runScenophone(["index", clip.path, "-o", output.path]).status == 0)
        let again = try runScenophone(["index", clip.path, "-o", output.path])
        #expect(again.status != 0 && again.standardError.contains("--overwrite"))
        let notACorpus = directory.file("photos")
        try FileManager.default.createDirectory(at: notACorpus, withIntermediateDirectories: true)
        let refused = try runScenophone(["index", clip.path, "-o", notACorpus.path, "--overwrite"])
        #expect(refused.status != 0 && refused.standardError.contains("not a corpus"))
    }
}
