import AudioOutput
import Foundation
import MediaIO
import TestSupport
import Testing

@Suite struct WAVFileSinkTests {
    @Test func rendersExactlyTheRequestedLengthIntoACompleteFile() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("out.wav")
        // 0.1 s at 48 kHz is 4800 frames: 18.75 periods, so the last block is cut short.
        let sink = try WAVFileSink(url: url, duration: 0.1)
        var next: Float = 0
        try sink.start { block in
            for frame in 0..<block.frames {
                for channel in 0..<block.channels { block.samples[frame * block.channels + channel] = next }
                next += 1 / 8192
            }
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
        #expect(sink.waitUntilFinished(timeout: 30))
        sink.stop()
        #expect(sink.failure == nil)
        let clip = try WAVReader.read(url)
        #expect(clip.sampleRate == 48_000 && clip.channels == 2)
        #expect(clip.samples.count == 4800 * 2)
        #expect(clip.samples[2 * 4799] == Float(4799) / 8192)
        #expect(sink.statistics.framesRendered == 4800)
    }

    @Test func anUnwritablePlaceIsAClearError() {
        #expect {
            _ = try WAVFileSink(url: URL(fileURLWithPath: "/nonexistent-dir/out.wav"))
        } throws: { error in
            "\(error)".contains("/nonexistent-dir/out.wav")
        }
    }
}
