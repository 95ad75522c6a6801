import Foundation
import MediaIO
import TestSupport
import Testing

@Suite struct MediaProbeTests {
    @Test func describesTheFilmClip() throws {
        let info = try MediaProbe.probe(
            Paths.media.appendingPathComponent("video/tears_of_steel_battle.webm"))
        #expect(abs((info.duration ?? 0) - 70.5) < 0.1)
        let video = try #require(info.video)
        #expect(video.codec == "vp8")
        #expect(video.width == 800 && video.height == 332)
        let audio = try #require(info.audio)
        #expect(audio.codec == "vorbis" && audio.sampleRate == 44_100 && audio.channels == 2)
        #expect(!info.isStillImage)
    }

    @Test func tellsStillImagesAndRecordingsApart() throws {
        let photo = try MediaProbe.probe(Paths.media.appendingPathComponent("images/mate_Storm.jpg"))
        #expect(photo.isStillImage)
        #expect(photo.video?.width == 1280 && photo.video?.height == 854)
        #expect(photo.audio == nil)
        let png = try MediaProbe.probe(Paths.media.appendingPathComponent("images/skimage_coffee.png"))
        #expect(png.isStillImage)
        let recording = try MediaProbe.probe(Paths.media.appendingPathComponent("audio/blanket_rain.ogg"))
        #expect(recording.video == nil)
        #expect(abs((recording.duration ?? 0) - 124.58) < 0.01)
    }

    @Test func missingFileIsNamed() throws {
        let url = URL(fileURLWithPath: "/nonexistent/clip.mp4")
        #expect(throws: MediaIOError.fileNotFound(url)) { try MediaProbe.probe(url) }
        #expect("\(MediaIOError.fileNotFound(url))".contains("/nonexistent/clip.mp4"))
    }

    /// Text named as a video, or as a picture: ffprobe reports a 0×0 png stream for any file named
    /// .png, which must not pass as an empty image.
    @Test(arguments: [("notes.mp4", "Invalid data"), ("notes.png", "not a valid png file")])
    func textRenamedAsMediaIsRefused(name: String, ffmpegSays: String) throws {
        let directory = try TemporaryDirectory()
        let url = directory.file(name)
        try "shopping list: bread, milk\n".write(to: url, atomically: true, encoding: .utf8)
        let error = try #require(throws: MediaIOError.self) { try MediaProbe.probe(url) }
        guard case .unreadable(let named, let reason) = error else {
            Issue.record("expected .unreadable, got \(error)")
            return
        }
        #expect(named == url)
        #expect(reason.contains(ffmpegSays))
        #expect("\(error)".contains(name))
    }

    @Test func emptyFileAndDirectoryAreRefused() throws {
        let directory = try TemporaryDirectory()
        let empty = directory.file("empty.mp4")
        _ = FileManager.default.createFile(atPath: empty.path, contents: Data())
        #expect(throws: MediaIOError.emptyFile(empty)) { try MediaProbe.probe(empty) }
        #expect(throws: MediaIOError.isDirectory(directory.url)) { try MediaProbe.probe(directory.url) }
    }

    @Test func missingFFmpegSaysHowToInstallIt() throws {
        let error = try #require(throws: MediaIOError.self) {
            try FFmpegTool.ffprobe.locate(environment: ["PATH": "/nonexistent"])
        }
        #expect(error == .toolMissing("ffprobe"))
        #expect("\(error)".contains("apt-get install ffmpeg"))
        #expect(try FFmpegTool.ffmpeg.locate().hasSuffix("/ffmpeg"))
    }
}
