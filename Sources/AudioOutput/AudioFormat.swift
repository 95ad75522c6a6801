/// The shape of the audio a sink plays: rate, channels, and how it is cut into periods.
///
/// A sink calls its renderer once per period; the device buffer holds `bufferPeriods` periods, so
/// a render may take up to `bufferPeriods - 1` periods before the device runs dry.
public struct AudioFormat: Sendable, Hashable, CustomStringConvertible {
    /// Frames per second (the corpus audio is 48 kHz).
    public var sampleRate: Int
    /// Interleaved channels per frame.
    public var channels: Int
    /// Frames per render call.
    public var periodFrames: Int
    /// Periods in the device buffer.
    public var bufferPeriods: Int

    /// Describes a format; see the properties for the meaning of each value.
    public init(sampleRate: Int = 48_000, channels: Int = 2, periodFrames: Int = 256, bufferPeriods: Int = 8)
    {
        self.sampleRate = sampleRate
        self.channels = channels
        self.periodFrames = periodFrames
        self.bufferPeriods = bufferPeriods
    }

    /// 48 kHz stereo, 256-frame periods (5.3 ms), eight periods buffered (42.7 ms), about what a
    /// desktop sound server uses. A render may then start up to 37 ms late: on the shared 2-core
    /// virtual machines this was built on, a SCHED_FIFO thread was seen to wake 21 ms late (once in
    /// ten minutes under full load), which four periods (16 ms of slack) did not survive.
    public static let standard = AudioFormat()

    /// Frames the device buffer holds.
    public var bufferFrames: Int {
        @_noLocks get { periodFrames * bufferPeriods }
    }

    /// One period's duration in seconds.
    public var periodSeconds: Double { Double(periodFrames) / Double(sampleRate) }

    /// The device buffer's duration in seconds.
    public var bufferSeconds: Double { Double(bufferFrames) / Double(sampleRate) }

    /// Samples (frames × channels) in one period.
    public var periodSamples: Int {
        @_noLocks get { periodFrames * channels }
    }

    /// Nanoseconds that `frames` frames last, exact for any count (no overflow for centuries of audio).
    @_noLocks
    public func nanoseconds(frames: Int64) -> Int64 {
        let rate = Int64(sampleRate)
        return (frames / rate) * 1_000_000_000 + (frames % rate) * 1_000_000_000 / rate
    }

    /// Checks that every value is in a range a device can play.
    ///
    /// - Throws: `AudioSinkError.invalidFormat` naming the offending value.
    public func validate() throws(AudioSinkError) {
        guard (8_000...384_000).contains(sampleRate) else {
            throw .invalidFormat("sample rate \(sampleRate) Hz is outside 8000...384000")
        }
        guard (1...8).contains(channels) else {
            throw .invalidFormat("\(channels) channels is outside 1...8")
        }
        guard (16...16_384).contains(periodFrames) else {
            throw .invalidFormat("a period of \(periodFrames) frames is outside 16...16384")
        }
        guard (2...64).contains(bufferPeriods) else {
            throw .invalidFormat("a buffer of \(bufferPeriods) periods is outside 2...64")
        }
    }

    public var description: String {
        let periodMs = periodSeconds * 1000
        let bufferMs = bufferSeconds * 1000
        return "\(sampleRate) Hz, \(channels) ch, period \(periodFrames) frames "
            + "(\(periodMs.formatted(decimals: 1)) ms) × \(bufferPeriods) (\(bufferMs.formatted(decimals: 1)) ms)"
    }
}

extension Double {
    /// The value with a fixed number of decimals, without Foundation.
    func formatted(decimals: Int) -> String {
        guard isFinite, abs(self) < 1e15 else { return String(self) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (self * scale).rounded()
        let sign = scaled < 0 ? "-" : ""
        let magnitude = Int(abs(scaled))
        let whole = magnitude / Int(scale)
        guard decimals > 0 else { return sign + String(whole) }
        let fraction = String(magnitude % Int(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fraction.count)
            + fraction
    }
}
