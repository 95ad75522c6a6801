import Engine
import Foundation
import MediaIO
import TestSupport
import Testing

@Suite struct RenderInputTests {
    @Test func foldersListTheirImagesInNameOrder() throws {
        let directory = try TemporaryDirectory()
        let photo = Paths.media.appendingPathComponent("images/mate_Dune.jpg")
        for name in ["b10.jpg", "b9.png", "a.JPG", ".hidden.jpg", "notes.txt"] {
            try FileManager.default.copyItem(at: photo, to: directory.file(name))
        }
        guard
            case .stills(let images, let duration) = try RenderInput.resolve(
                directory.url, imageDuration: 2.5)
        else {
            Issue.record("a folder is a sequence of stills")
            return
        }
        #expect(images.map(\.lastPathComponent) == ["a.JPG", "b9.png", "b10.jpg"])
        #expect(duration == 2.5)
        #expect(try RenderInput.resolve(directory.url, imageDuration: 2.5).duration == 7.5)
        #expect(try RenderInput.resolve(directory.url, imageDuration: 2.5).picture == nil)
    }

    @Test func filesAreStillsOrVideos() throws {
        let photo = Paths.media.appendingPathComponent("images/skimage_coffee.png")
        let still = try RenderInput.resolve(photo, imageDuration: 4)
        #expect(still.duration == 4 && still.picture == photo)
        let film = Paths.media.appendingPathComponent("video/tears_of_steel_battle.webm")
        guard case .video(let url, let duration) = try RenderInput.resolve(film, imageDuration: 4) else {
            Issue.record("a film is a video")
            return
        }
        #expect(url == film && abs(duration - 70.54) < 0.05)
    }

    @Test func unusableInputsAreNamed() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: EngineError.self) { try RenderInput.resolve(directory.url, imageDuration: 1) }
        #expect(throws: MediaIOError.self) {
            try RenderInput.resolve(directory.file("missing.mp4"), imageDuration: 1)
        }
        let sound = Paths.media.appendingPathComponent("audio/max_rain.wav")
        #expect(throws: MediaIOError.noVideoStream(sound)) {
            try RenderInput.resolve(sound, imageDuration: 1)
        }
        let photo = Paths.media.appendingPathComponent("images/mate_Dune.jpg")
        #expect(throws: EngineError.self) { try RenderInput.resolve(photo, imageDuration: 0) }
    }
}
