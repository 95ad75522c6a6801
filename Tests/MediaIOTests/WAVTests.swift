import Foundation
import MediaIO
import TestSupport
import Testing

@Suite struct WAVTests {
    private func ramp(frames: Int, channels: Int) -> [Float] {
        (0..<frames * channels).map { Float(sin(Double($0) * 0.01)) * 0.9 }
    }

    @Test(arguments: [(WAVWriter.SampleFormat.float32, "pcm_f32le"), (.int16, "pcm_s16le")])
    func writtenFilesReadBackAndFFprobeAgrees(format: WAVWriter.SampleFormat, codec: String) throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("out.wav")
        let samples = ramp(frames: 48_000, channels: 2)
        let writer = try WAVWriter(url: url, sampleRate: 48_000, channels: 2, format: format)
        // Several writes of odd sizes, as a renderer would make them.
        try writer.write(Array(samples[0..<2_000]))
        try writer.write(Array(samples[2_000..<90_002]))
        try writer.write(Array(samples[90_002...]))
        #expect(!FileManager.default.fileExists(atPath: url.path), "nothing appears before finish")
        try writer.finish()
        let clip = try WAVReader.read(url)
        #expect(clip.sampleRate == 48_000 && clip.channels == 2 && clip.frameCount == 48_000)
        let tolerance: Float = format == .float32 ? 0 : 1.0 / 65_536
        #expect(zip(clip.samples, samples).allSatisfy { abs($0 - $1) <= tolerance })
        let probe = try run(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels,duration",
                "-of", "default=nw=1", url.path,
            ])
        #expect(probe.standardOutput.contains("codec_name=\(codec)"))
        #expect(probe.standardOutput.contains("sample_rate=48000"))
        #expect(probe.standardOutput.contains("channels=2"))
        #expect(probe.standardOutput.contains("duration=1.000000"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["out.wav"])
    }

    @Test(arguments: [WAVWriter.SampleFormat.float32, .int16])
    func writesOfEverySizeKeepTheirOrder(format: WAVWriter.SampleFormat) throws {
        // Small writes gathered in the writer's block, large ones written from the caller's buffer,
        // and more than a block (1 MiB) in all, so every path and the block's refills are crossed.
        let directory = try TemporaryDirectory()
        let url = directory.file("pieces.wav")
        let samples = ramp(frames: 400_000, channels: 2)
        let writer = try WAVWriter(url: url, sampleRate: 48_000, channels: 2, format: format)
        var start = 0
        for frames in [1, 0, 9_000, 40_000, 3, 262_144, 17, 16_384] {
            try writer.write(Array(samples[start..<(start + 2 * frames)]))
            start += 2 * frames
        }
        try writer.write(Array(samples[start...]))
        try writer.finish()
        let clip = try WAVReader.read(url)
        #expect(clip.frameCount == 400_000)
        let tolerance: Float = format == .float32 ? 0 : 1.0 / 65_536
        #expect(zip(clip.samples, samples).allSatisfy { abs($0 - $1) <= tolerance })
    }

    @Test func surroundUsesTheExtensibleHeader() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("six.wav")
        let writer = try WAVWriter(url: url, sampleRate: 44_100, channels: 6)
        try writer.write(ramp(frames: 100, channels: 6))
        try writer.finish()
        let clip = try WAVReader.read(url)
        #expect(clip.channels == 6 && clip.frameCount == 100 && clip.sampleRate == 44_100)
        let decoded = try AudioDecoder.decode(url, sampleRate: 44_100, maxChannels: 8)
        #expect(decoded.channels == 6)
    }

    @Test func abandonedWriterLeavesNothing() throws {
        let directory = try TemporaryDirectory()
        do {
            let writer = try WAVWriter(url: directory.file("gone.wav"), sampleRate: 48_000, channels: 1)
            try writer.write([0.5, 0.25])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }

    @Test func readsTheSharedRecordings() throws {
        let url = Paths.media.appendingPathComponent("audio/max_typing.wav")
        let clip = try WAVReader.read(url)
        let probed = try MediaProbe.probe(url)
        #expect(clip.sampleRate == probed.audio?.sampleRate)
        #expect(abs(clip.duration - (probed.duration ?? 0)) < 0.01)
        let decoded = try AudioDecoder.decode(url, sampleRate: clip.sampleRate, maxChannels: 8)
        #expect(decoded.frameCount == clip.frameCount)
        #expect(zip(decoded.samples, clip.samples).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func garbageIsNotAWAV() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("fake.wav")
        try Data("RIFF....WAVEjunk".utf8).write(to: url)
        let error = try #require(throws: MediaIOError.self) { try WAVReader.read(url) }
        #expect("\(error)".contains("fake.wav"))
    }
}
