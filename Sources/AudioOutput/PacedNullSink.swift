/// A sink that discards its audio but keeps a sound card's time, for machines without one.
///
/// Its audio thread renders one period whenever the imaginary device buffer has room, sleeping
/// to absolute deadlines (`clock_nanosleep`), and counts an underrun each time a render finishes
/// after the device needed it (see `DevicePacer`). What it reports is what a real card of the
/// same format would have suffered.
public final class PacedNullSink: AudioSink {
    public let format: AudioFormat
    public let name = "paced null sink"
    private let realtime: Bool
    private let host = AudioThreadHost()
    nonisolated(unsafe) private let buffer: UnsafeMutableBufferPointer<Float>

    /// Makes a paced sink.
    ///
    /// - Parameters:
    ///   - format: rate, channels, period and buffer size of the imaginary device.
    ///   - realtime: ask for SCHED_FIFO for the audio thread (falls back quietly when not allowed).
    /// - Throws: `AudioSinkError.invalidFormat`.
    public init(format: AudioFormat = .standard, realtime: Bool = true) throws(AudioSinkError) {
        try format.validate()
        self.format = format
        self.realtime = realtime
        buffer = .allocate(capacity: format.periodSamples)
        buffer.initialize(repeating: 0)
    }

    deinit {
        host.stop()
        buffer.deallocate()
    }

    public func start(_ render: @escaping AudioRenderCallback) throws(AudioSinkError) {
        nonisolated(unsafe) let render = render
        try host.start(name: "sceno-audio", realtime: realtime) { [self] in run(render) }
    }

    public func stop() { host.stop() }

    public var statistics: AudioSinkStatistics { host.counters.snapshot }

    public var failure: AudioSinkError? { host.failure }

    /// The audio thread: render whenever the device has room, then sleep until it has room again.
    private func run(_ render: AudioRenderCallback) {
        var pacer = DevicePacer(format: format)
        var sampleTime: Int64 = 0
        while host.isRunning {
            let wake = pacer.nextWakeTime()
            if let wake { MonotonicClock.sleep(until: wake) }
            let begin = MonotonicClock.now()
            if let wake { host.counters.recordWake(lateness: begin - wake) }
            silence(buffer)
            render(
                AudioBlock(
                    samples: buffer, frames: format.periodFrames, channels: format.channels,
                    sampleTime: sampleTime, hostTime: begin, outputDelay: pacer.outputDelay(at: begin)))
            let end = MonotonicClock.now()
            sampleTime += Int64(format.periodFrames)
            switch pacer.periodWritten(at: end) {
            case .filling:
                host.counters.recordPeriod(
                    frames: format.periodFrames, renderNanoseconds: end - begin, margin: .max)
            case .onTime(let margin):
                host.counters.recordPeriod(
                    frames: format.periodFrames, renderNanoseconds: end - begin, margin: margin)
            case .underrun(let lateness):
                host.counters.recordUnderrun()
                host.counters.recordPeriod(
                    frames: format.periodFrames, renderNanoseconds: end - begin, margin: -lateness)
            }
        }
    }
}

/// Fills a buffer with zeros.
@_noLocks
func silence(_ buffer: UnsafeMutableBufferPointer<Float>) {
    for index in buffer.indices { buffer[index] = 0 }
}
