import Foundation
import MediaIO
import TestSupport
import Testing

@Suite struct AudioDecoderTests {
    @Test func clicksLandOnWholeSecondsAfterResampling() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: url, seconds: 4, sampleRate: 44_100, channels: 2)
        let clip = try AudioDecoder.decode(url)
        #expect(clip.sampleRate == 48_000 && clip.channels == 2)
        #expect(abs(clip.frameCount - 4 * 48_000) <= 2)
        let left = MediaFixtures.onsets(clip.samples, channels: 2, channel: 0)
        let right = MediaFixtures.onsets(
            clip.samples, channels: 2, channel: 1, threshold: -0.4, falling: true)
        for onsets in [left, right] {
            #expect(onsets.count == 4)
            for (second, onset) in onsets.enumerated() { #expect(abs(onset - second * 48_000) <= 2) }
        }
    }

    @Test func lateStartingSoundIsPrecededBySilence() throws {
        let directory = try TemporaryDirectory()
        let source = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: source, seconds: 3, sampleRate: 48_000, channels: 1)
        // Same clip with the sound moved 0.5 s later in the container.
        let late = directory.file("late.mkv")
        let result = try run(
            "ffmpeg",
            [
                "-v", "error", "-i", source.path, "-itsoffset", "0.5", "-i", source.path,
                "-map", "0:v", "-map", "1:a", "-c", "copy", late.path,
            ])
        try #require(result.status == 0, "\(result.standardError)")
        let clip = try AudioDecoder.decode(late)
        #expect(clip.channels == 1)
        let onsets = MediaFixtures.onsets(clip.samples, channels: 1)
        #expect(onsets.count == 3)
        for (second, onset) in onsets.enumerated() { #expect(abs(onset - (second * 48_000 + 24_000)) <= 2) }
    }

    @Test func surroundIsMixedDownToStereoAndMonoStaysMono() throws {
        let directory = try TemporaryDirectory()
        let surround = directory.file("surround.wav")
        let made = try run(
            "ffmpeg",
            ["-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=1:r=48000", "-ac", "6", surround.path])
        try #require(made.status == 0)
        #expect(try AudioDecoder.decode(surround).channels == 2)
        #expect(try AudioDecoder.decode(surround, maxChannels: 1).channels == 1)
        let mono = try AudioDecoder.decode(Paths.media.appendingPathComponent("audio/max_rain.wav"))
        let info = try MediaProbe.probe(Paths.media.appendingPathComponent("audio/max_rain.wav"))
        #expect(mono.channels == min(2, info.audio?.channels ?? 0))
    }

    @Test func realRecordingHasItsProbedLength() throws {
        let url = Paths.media.appendingPathComponent("audio/blanket_train.ogg")
        let clip = try AudioDecoder.decode(url)
        let duration = try #require(try MediaProbe.probe(url).duration)
        #expect(abs(clip.duration - duration) < 0.005)
        #expect(clip.samples.contains { abs($0) > 0.05 })
    }

    @Test func videoWithoutSoundIsNamed() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("silent.mkv")
        try MediaFixtures.makeCountingClip(at: url, seconds: 1, sampleRate: nil)
        #expect(throws: MediaIOError.noAudioStream(url)) { try AudioDecoder.decode(url) }
    }
}
