import Foundation
import MediaIO
import TestSupport
import Testing

@Suite struct MuxerTests {
    private func tone(_ url: URL, seconds: Int) throws {
        let writer = try WAVWriter(url: url, sampleRate: 48_000, channels: 2)
        try writer.write((0..<seconds * 48_000 * 2).map { Float(sin(Double($0 / 2) * 0.0576)) * 0.5 })
        try writer.finish()
    }

    @Test(arguments: ["mp4", "mkv", "webm"])
    func newSoundtrackGoesUnderThePicture(container: String) throws {
        let directory = try TemporaryDirectory()
        let picture = directory.file("picture.mp4")
        try MediaFixtures.makeCountingClip(
            at: picture, seconds: 3, videoCodec: ["-c:v", "libx264"], audioCodec: ["-c:a", "aac"])
        let sound = directory.file("sound.wav")
        try tone(sound, seconds: 3)
        let output = directory.file("out.\(container)")
        try Muxer.replaceAudio(picture: picture, audio: sound, output: output)
        let info = try MediaProbe.probe(output)
        #expect(info.video != nil)
        #expect(info.audio?.codec == ["mp4": "aac", "mkv": "flac", "webm": "opus"][container])
        #expect(abs((info.duration ?? 0) - 3) < 0.15)
        // The tone, not the clicks of the original soundtrack.
        let decoded = try AudioDecoder.decode(output)
        let rms = sqrt(decoded.samples.reduce(0) { $0 + $1 * $1 } / Float(decoded.samples.count))
        #expect(abs(rms - 0.5 / sqrt(2)) < 0.05)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
                == ["out.\(container)", "picture.mp4", "sound.wav"])
    }

    @Test func stillImageBecomesAVideo() throws {
        let directory = try TemporaryDirectory()
        let sound = directory.file("sound.wav")
        try tone(sound, seconds: 2)
        let output = directory.file("photo.mp4")
        try Muxer.replaceAudio(
            picture: Paths.media.appendingPathComponent("images/mate_Dune.jpg"), audio: sound, output: output)
        let info = try MediaProbe.probe(output)
        #expect(info.video?.codec == "h264" && !info.isStillImage)
        #expect(abs((info.duration ?? 0) - 2) < 0.2)
    }

    @Test func flacIsLossless() throws {
        let directory = try TemporaryDirectory()
        let wav = directory.file("in.wav")
        let writer = try WAVWriter(url: wav, sampleRate: 48_000, channels: 1, format: .int16)
        try writer.write((0..<48_000).map { Float(sin(Double($0) * 0.03)) * 0.7 })
        try writer.finish()
        let flac = directory.file("out.flac")
        try Muxer.encodeFLAC(wav: wav, output: flac)
        #expect(try MediaProbe.probe(flac).audio?.codec == "flac")
        #expect(try AudioDecoder.decode(flac) == AudioDecoder.decode(wav))
    }

    @Test func unknownContainerIsRefusedByName() throws {
        let directory = try TemporaryDirectory()
        let sound = directory.file("sound.wav")
        try tone(sound, seconds: 1)
        let error = try #require(throws: MediaIOError.self) {
            try Muxer.replaceAudio(
                picture: Paths.media.appendingPathComponent("images/mate_Dune.jpg"), audio: sound,
                output: directory.file("out.avi"))
        }
        #expect("\(error)".contains("out.avi"))
    }
}
