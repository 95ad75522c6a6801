import CALSA
import Glibc

/// Plays through an ALSA PCM device from a real-time thread.
///
/// The device is opened and configured when the sink is made, so a missing sound card is reported
/// before anything starts. It plays 32-bit float when the device takes it, else signed 32- or
/// 16-bit integers converted on the audio thread. Underruns (`-EPIPE`) are counted and recovered
/// with `snd_pcm_recover`, as is a suspend (`-ESTRPIPE`); any other write error stops the sink and
/// is reported by `failure`.
///
/// ALSA's `null` device accepts data without pacing, so a sink on it renders as fast as the CPU
/// allows; use `PacedNullSink` to imitate a card.
public final class ALSASink: AudioSink {
    public let format: AudioFormat
    public let name: String
    /// The device name given to `snd_pcm_open`.
    public let device: String
    /// The sample format the device accepted.
    public let sampleFormat: SampleFormat
    private let realtime: Bool
    nonisolated(unsafe) private let pcm: OpaquePointer
    private let host = AudioThreadHost()
    nonisolated(unsafe) private let buffer: UnsafeMutableBufferPointer<Float>
    nonisolated(unsafe) private let converted: UnsafeMutableRawBufferPointer

    /// The sample formats this sink can write, in order of preference.
    public enum SampleFormat: String, Sendable, CaseIterable {
        case float32 = "FLOAT_LE"
        case int32 = "S32_LE"
        case int16 = "S16_LE"

        var alsa: snd_pcm_format_t {
            switch self {
            case .float32: SND_PCM_FORMAT_FLOAT_LE
            case .int32: SND_PCM_FORMAT_S32_LE
            case .int16: SND_PCM_FORMAT_S16_LE
            }
        }

        var bytes: Int { self == .int16 ? 2 : 4 }
    }

    /// Opens and configures an ALSA playback device.
    ///
    /// - Parameters:
    ///   - device: an ALSA PCM name: `default`, `hw:0`, `plughw:1,0`, `null`…
    ///   - format: the wanted format; the period and buffer sizes are what the device grants nearest to it.
    ///   - realtime: ask for SCHED_FIFO for the audio thread (not for `null`, which never blocks).
    /// - Throws: `AudioSinkError.alsa` naming the device, the step and ALSA's message (e.g. no sound
    ///   card), or `.unsupportedFormat`.
    public init(device: String = "default", format wanted: AudioFormat = .standard, realtime: Bool = true)
        throws(AudioSinkError)
    {
        try wanted.validate()
        scenophone_alsa_capture_errors()
        self.device = device
        self.name = "ALSA '\(device)'"
        self.realtime = realtime && device != "null"

        var handle: OpaquePointer?
        scenophone_alsa_clear_last_error()
        let status = snd_pcm_open(&handle, device, SND_PCM_STREAM_PLAYBACK, 0)
        guard status >= 0, let handle else { throw Self.error(device, "open", status) }
        do {
            let (granted, sampleFormat) = try Self.configure(handle, device: device, wanted: wanted)
            format = granted
            self.sampleFormat = sampleFormat
        } catch {
            snd_pcm_close(handle)
            throw error
        }
        pcm = handle
        buffer = .allocate(capacity: format.periodSamples)
        buffer.initialize(repeating: 0)
        converted = .allocate(byteCount: format.periodSamples * sampleFormat.bytes, alignment: 16)
    }

    deinit {
        host.stop()
        snd_pcm_close(pcm)
        buffer.deallocate()
        converted.deallocate()
    }

    public func start(_ render: @escaping AudioRenderCallback) throws(AudioSinkError) {
        nonisolated(unsafe) let render = render
        try host.start(name: "sceno-alsa", realtime: realtime) { [self] in run(render) }
    }

    public func stop() { host.stop() }

    public var statistics: AudioSinkStatistics { host.counters.snapshot }

    public var failure: AudioSinkError? { host.failure }

    /// The audio thread: render a period, write it (blocking until the device has room), recover xruns.
    private func run(_ render: AudioRenderCallback) {
        var sampleTime: Int64 = 0
        while host.isRunning {
            var delayFrames = snd_pcm_sframes_t(0)
            if snd_pcm_delay(pcm, &delayFrames) < 0 { delayFrames = 0 }
            let begin = MonotonicClock.now()
            silence(buffer)
            render(
                AudioBlock(
                    samples: buffer, frames: format.periodFrames, channels: format.channels,
                    sampleTime: sampleTime, hostTime: begin,
                    outputDelay: format.nanoseconds(frames: Int64(max(0, delayFrames)))))
            let end = MonotonicClock.now()
            sampleTime += Int64(format.periodFrames)
            host.counters.recordPeriod(
                frames: format.periodFrames, renderNanoseconds: end - begin, margin: .max)
            let bytes = convert(buffer, to: sampleFormat, into: converted)
            if let error = write(bytes) {
                host.fail(error)
                break
            }
        }
        snd_pcm_drop(pcm)
    }

    /// Writes one period, retrying partial writes and recovering underruns.
    ///
    /// - Returns: nil when the period was written, or the error that ends playback.
    private func write(_ bytes: UnsafeRawPointer) -> AudioSinkError? {
        var offset = 0
        let frameBytes = format.channels * sampleFormat.bytes
        while offset < format.periodFrames && host.isRunning {
            let count = snd_pcm_writei(
                pcm, bytes + offset * frameBytes, snd_pcm_uframes_t(format.periodFrames - offset))
            if count >= 0 {
                offset += count
                continue
            }
            if count == -Int(EPIPE) { host.counters.recordUnderrun() }
            if count == -Int(EAGAIN) { continue }
            let recovered = snd_pcm_recover(pcm, Int32(count), 1)
            if recovered < 0 { return Self.error(device, "write", recovered) }
        }
        return nil
    }

    /// Negotiates access, sample format, channels, rate, period and buffer with the device.
    private static func configure(_ pcm: OpaquePointer, device: String, wanted: AudioFormat)
        throws(AudioSinkError)
        -> (AudioFormat, SampleFormat)
    {
        var hardware: OpaquePointer?
        guard snd_pcm_hw_params_malloc(&hardware) == 0, let hardware else {
            throw .alsa(device: device, step: "hardware parameters", error: "out of memory", detail: "")
        }
        defer { snd_pcm_hw_params_free(hardware) }
        try check(snd_pcm_hw_params_any(pcm, hardware), device, "read the hardware parameters")
        try check(
            snd_pcm_hw_params_set_access(pcm, hardware, SND_PCM_ACCESS_RW_INTERLEAVED), device,
            "set interleaved access")
        guard
            let sampleFormat = SampleFormat.allCases.first(where: {
                snd_pcm_hw_params_test_format(pcm, hardware, $0.alsa) == 0
            })
        else {
            throw .unsupportedFormat(device: device, "any of the sample formats FLOAT_LE, S32_LE, S16_LE")
        }
        try check(
            snd_pcm_hw_params_set_format(pcm, hardware, sampleFormat.alsa), device, "set the sample format")
        guard snd_pcm_hw_params_set_channels(pcm, hardware, UInt32(wanted.channels)) == 0 else {
            throw .unsupportedFormat(device: device, "\(wanted.channels) channels")
        }
        _ = snd_pcm_hw_params_set_rate_resample(pcm, hardware, 1)
        guard snd_pcm_hw_params_set_rate(pcm, hardware, UInt32(wanted.sampleRate), 0) == 0 else {
            throw .unsupportedFormat(device: device, "\(wanted.sampleRate) Hz")
        }
        var period = snd_pcm_uframes_t(wanted.periodFrames)
        var direction: Int32 = 0
        try check(
            snd_pcm_hw_params_set_period_size_near(pcm, hardware, &period, &direction), device,
            "set the period size")
        var bufferSize = period * snd_pcm_uframes_t(wanted.bufferPeriods)
        try check(
            snd_pcm_hw_params_set_buffer_size_near(pcm, hardware, &bufferSize), device, "set the buffer size")
        try check(snd_pcm_hw_params(pcm, hardware), device, "apply the hardware parameters")
        snd_pcm_hw_params_get_period_size(hardware, &period, &direction)
        snd_pcm_hw_params_get_buffer_size(hardware, &bufferSize)

        var software: OpaquePointer?
        guard snd_pcm_sw_params_malloc(&software) == 0, let software else {
            throw .alsa(device: device, step: "software parameters", error: "out of memory", detail: "")
        }
        defer { snd_pcm_sw_params_free(software) }
        try check(snd_pcm_sw_params_current(pcm, software), device, "read the software parameters")
        // Start once the buffer is full and wake the writer whenever a period is free.
        try check(
            snd_pcm_sw_params_set_start_threshold(pcm, software, bufferSize), device,
            "set the start threshold")
        try check(snd_pcm_sw_params_set_avail_min(pcm, software, period), device, "set the wake-up size")
        try check(snd_pcm_sw_params(pcm, software), device, "apply the software parameters")

        var granted = wanted
        granted.periodFrames = Int(period)
        granted.bufferPeriods = max(2, Int(bufferSize / max(period, 1)))
        return (granted, sampleFormat)
    }

    private static func check(_ status: Int32, _ device: String, _ step: String) throws(AudioSinkError) {
        if status < 0 { throw error(device, step, status) }
    }

    private static func error(_ device: String, _ step: String, _ status: some BinaryInteger)
        -> AudioSinkError
    {
        .alsa(
            device: device, step: step, error: String(cString: snd_strerror(Int32(status))),
            detail: String(cString: scenophone_alsa_last_error()))
    }
}

/// Converts a period of floats into the device's sample format, clamping to full scale.
///
/// - Returns: the bytes to write: `samples` itself for float devices, else `output`.
@_noLocks
func convert(
    _ samples: UnsafeMutableBufferPointer<Float>, to format: ALSASink.SampleFormat,
    into output: UnsafeMutableRawBufferPointer
) -> UnsafeRawPointer {
    switch format {
    case .float32:
        return UnsafeRawPointer(samples.baseAddress!)
    case .int32:
        let target = output.baseAddress!.assumingMemoryBound(to: Int32.self)
        // 2^31 - 128 is the largest float below 2^31, so full scale cannot overflow.
        for index in samples.indices {
            target[index] = Int32(min(max(samples[index], -1), 1) * 2_147_483_520)
        }
    case .int16:
        let target = output.baseAddress!.assumingMemoryBound(to: Int16.self)
        for index in samples.indices { target[index] = Int16(min(max(samples[index], -1), 1) * 32_767) }
    }
    return UnsafeRawPointer(output.baseAddress!)
}
