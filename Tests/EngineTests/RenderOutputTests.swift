import Engine
import Foundation
import TestSupport
import Testing

@Suite struct RenderOutputTests {
    @Test func extensionsPickTheFormat() throws {
        let directory = try TemporaryDirectory()
        #expect(try RenderOutput(directory.file("a.wav"), overwrite: false).format == .wav)
        #expect(try RenderOutput(directory.file("a.FLAC"), overwrite: false).format == .flac)
        for ext in ["mp4", "mkv", "webm", "mov", "m4v"] {
            #expect(try RenderOutput(directory.file("a.\(ext)"), overwrite: false).format == .video)
        }
        #expect(throws: EngineError.self) { try RenderOutput(directory.file("a.ogg"), overwrite: false) }
        #expect(throws: EngineError.self) { try RenderOutput(directory.file("a"), overwrite: false) }
    }

    @Test func existingFilesAndMissingFoldersAreRefused() throws {
        let directory = try TemporaryDirectory()
        let existing = directory.file("old.wav")
        try Data("x".utf8).write(to: existing)
        #expect(throws: EngineError.self) { try RenderOutput(existing, overwrite: false) }
        #expect(try RenderOutput(existing, overwrite: true).url == existing)
        #expect(throws: EngineError.self) {
            try RenderOutput(directory.file("no/such/out.wav"), overwrite: true)
        }
        #expect(throws: EngineError.self) { try RenderOutput(directory.url, overwrite: true) }
        #expect(throws: EngineError.self) { try RenderOutput.checkWritable(existing, overwrite: false) }
    }

    @Test func aVideoOutputNeedsOnePicture() throws {
        let directory = try TemporaryDirectory()
        let output = try RenderOutput(directory.file("out.mp4"), overwrite: false)
        let photo = Paths.media.appendingPathComponent("images/mate_Dune.jpg")
        try output.check(for: .stills([photo], duration: 2))
        #expect(throws: EngineError.self) { try output.check(for: .stills([photo, photo], duration: 2)) }
        try RenderOutput(directory.file("out.wav"), overwrite: false).check(
            for: .stills([photo, photo], duration: 2))
    }
}
