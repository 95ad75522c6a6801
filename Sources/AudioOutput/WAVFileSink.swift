import Foundation
import MediaIO

/// A sink that renders into a WAV file as fast as the CPU allows, for a given length or until
/// stopped: the live engine's output without a device, e.g. to check it sample by sample.
///
/// The file is written through MediaIO's `WAVWriter`, so it appears only once complete (on
/// reaching the length or on `stop()`); a failed write leaves nothing behind and is reported by
/// `failure`. It never underruns: nothing waits for it.
public final class WAVFileSink: AudioSink {
    public let format: AudioFormat
    public let name: String
    /// The file being written.
    public let url: URL
    /// Frames to render before stopping by itself; nil renders until `stop()`.
    public let frameLimit: Int64?
    private let host = AudioThreadHost()
    nonisolated(unsafe) private let writer: WAVWriter
    nonisolated(unsafe) private let buffer: UnsafeMutableBufferPointer<Float>
    private let done = DispatchSemaphore(value: 0)

    /// Creates the file (under a temporary name until it is complete).
    ///
    /// - Parameters:
    ///   - url: the WAV file to write.
    ///   - format: rate, channels and block size of the render calls.
    ///   - duration: seconds to render before stopping by itself; nil for until `stop()`.
    ///   - sampleFormat: 32-bit float or 16-bit integer samples.
    /// - Throws: `AudioSinkError.file` when the file cannot be created, `.invalidFormat`.
    public init(
        url: URL, format: AudioFormat = .standard, duration: Double? = nil,
        sampleFormat: WAVWriter.SampleFormat = .float32
    ) throws(AudioSinkError) {
        try format.validate()
        if let duration, !(duration >= 0) { throw .invalidFormat("duration \(duration) s must be ≥ 0") }
        self.format = format
        self.url = url
        name = "WAV file \(url.path)"
        frameLimit = duration.map { Int64(($0 * Double(format.sampleRate)).rounded()) }
        do {
            writer = try WAVWriter(
                url: url, sampleRate: format.sampleRate, channels: format.channels, format: sampleFormat)
        } catch {
            throw .file(path: url.path, "\(error)")
        }
        buffer = .allocate(capacity: format.periodSamples)
        buffer.initialize(repeating: 0)
    }

    deinit {
        host.stop()
        buffer.deallocate()
    }

    public func start(_ render: @escaping AudioRenderCallback) throws(AudioSinkError) {
        nonisolated(unsafe) let render = render
        try host.start(name: "sceno-wav", realtime: false) { [self] in
            run(render)
            done.signal()
        }
    }

    /// Stops rendering, completes the file and waits until it is in place.
    public func stop() { host.stop() }

    /// Waits until the sink has rendered `duration` and completed the file (or failed).
    ///
    /// - Parameter timeout: seconds to wait at most.
    /// - Returns: false on timeout.
    @discardableResult
    public func waitUntilFinished(timeout: Double) -> Bool {
        guard done.wait(timeout: .now() + timeout) == .success else { return false }
        done.signal()
        return true
    }

    public var statistics: AudioSinkStatistics { host.counters.snapshot }

    public var failure: AudioSinkError? { host.failure }

    private func run(_ render: AudioRenderCallback) {
        var sampleTime: Int64 = 0
        do {
            while host.isRunning && sampleTime < (frameLimit ?? .max) {
                let begin = MonotonicClock.now()
                silence(buffer)
                render(
                    AudioBlock(
                        samples: buffer, frames: format.periodFrames, channels: format.channels,
                        sampleTime: sampleTime, hostTime: begin, outputDelay: 0))
                let end = MonotonicClock.now()
                let frames = Int(min(Int64(format.periodFrames), (frameLimit ?? .max) - sampleTime))
                try writer.write(UnsafeBufferPointer(rebasing: buffer[0..<(frames * format.channels)]))
                sampleTime += Int64(frames)
                host.counters.recordPeriod(frames: frames, renderNanoseconds: end - begin, margin: .max)
            }
            try writer.finish()
        } catch {
            writer.abandon()
            host.fail(.file(path: url.path, "\(error)"))
        }
    }
}
