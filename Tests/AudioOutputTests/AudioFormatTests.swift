import Testing

@testable import AudioOutput

@Suite struct AudioFormatTests {
    @Test func standardFormatIsTheDesktopDefault() throws {
        let format = AudioFormat.standard
        try format.validate()
        #expect(format.bufferFrames == 2048)
        #expect(format.description == "48000 Hz, 2 ch, period 256 frames (5.3 ms) × 8 (42.7 ms)")
    }

    @Test func nanosecondsAreExactForLongStreams() {
        let format = AudioFormat.standard
        #expect(format.nanoseconds(frames: 48_000) == 1_000_000_000)
        #expect(format.nanoseconds(frames: 1) == 20_833)
        // A century of frames does not overflow.
        let century: Int64 = 48_000 * 3600 * 24 * 365 * 100
        #expect(format.nanoseconds(frames: century) == 3600 * 24 * 365 * 100 * 1_000_000_000)
    }

    @Test(arguments: [
        (AudioFormat(sampleRate: 0), "sample rate 0 Hz"),
        (AudioFormat(channels: 0), "0 channels"),
        (AudioFormat(periodFrames: 4), "a period of 4 frames"),
        (AudioFormat(bufferPeriods: 1), "a buffer of 1 periods"),
    ])
    func invalidFormatsAreNamed(format: AudioFormat, message: String) {
        #expect {
            try format.validate()
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
