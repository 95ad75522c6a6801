import Foundation
import MediaIO
import TestSupport
import Testing

/// `scenophone live` end to end: a video played in real time into the paced null sink.
/// One at a time, like the engine tests: each session runs a vision and a real-time audio thread.
@Suite(.serialized) struct LiveCommandTests {
    let film = Paths.media.appendingPathComponent("video/tears_of_steel_battle.webm")

    @Test func playsAVideoIntoThePacedSinkAndRecordsIt() throws {
        let corpus = try SoundscapeCorpus.shared()
        let directory = try TemporaryDirectory()
        let recording = directory.file("session.wav")
        let result = try runScenophone([
            "live", "--corpus", corpus.url.path, "--input", film.path, "--sink", "null", "--duration", "3",
            "--record", recording.path, "--json",
        ])
        try #require(result.status == 0, "\(result.standardError)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(report["underruns"] as? Int == 0)
        #expect((report["framesAnalysed"] as? Int ?? 0) > 0)
        let played = report["outputSeconds"] as? Double ?? 0
        #expect(played > 2.5 && played < 4, "played \(played) s")
        let clip = try WAVReader.read(recording)
        #expect(clip.channels == 2 && clip.sampleRate == 48_000)
        let seconds = Double(clip.samples.count / 2) / 48_000
        // The recording also holds the fade-out after the report's figure (50 ms plus the device buffer).
        #expect(seconds >= played && seconds < played + 0.3, "recorded \(seconds) s of \(played) s")
    }

    @Test func printsTheUnderrunCountLastInText() throws {
        let corpus = try SoundscapeCorpus.shared()
        let result = try runScenophone([
            "live", "--corpus", corpus.url.path, "--input", film.path, "--sink", "null", "--duration", "1",
        ])
        try #require(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n").last == "underruns: 0")
    }

    @Test func aMissingSoundCardIsAOneLineErrorWithAWayOut() throws {
        let corpus = try SoundscapeCorpus.shared()
        let result = try runScenophone([
            "live", "--corpus", corpus.url.path, "--input", film.path, "--device",
            "scenophone_no_such_device",
        ])
        #expect(result.status != 0)
        #expect(
            result.standardError.contains("cannot use ALSA device 'scenophone_no_such_device': open failed"))
        #expect(result.standardError.contains("--sink null"))
        #expect(!result.standardError.contains("Fatal error"))
    }

    @Test(arguments: [
        (["--sink", "null"], "give exactly one of --camera DEVICE or --input FILE"),
        (["--input", "/nonexistent/clip.mp4", "--sink", "null"], "/nonexistent/clip.mp4"),
        (["--camera", "/dev/scenophone_no_camera", "--sink", "null"], "/dev/scenophone_no_camera"),
        (["--input", "x.mp4", "--record", "out.mp3"], "ending in .wav"),
        (["--input", "x.mp4", "--period", "3"], "a period of 3 frames"),
    ])
    func badArgumentsAreClearErrors(arguments: [String], message: String) throws {
        let corpus = try SoundscapeCorpus.shared()
        let result = try runScenophone(["live", "--corpus", corpus.url.path] + arguments)
        #expect(result.status != 0)
        #expect(result.standardError.contains(message), "\(result.standardError)")
        #expect(!result.standardError.contains("Fatal error"))
    }

    @Test func aMissingCorpusIsNamed() throws {
        let result = try runScenophone([
            "live", "--corpus", "/nonexistent/c.scenophone", "--input", film.path, "--sink", "null",
        ])
        #expect(result.status != 0 && result.standardError.contains("/nonexistent/c.scenophone"))
    }
}
