/// The clock of an imaginary sound card: when the next period may be written, when the device will
/// need it, and whether it came too late.
///
/// The device starts once its buffer is full (ALSA's usual start threshold) and then plays one
/// frame every 1/rate seconds from that instant. A period rendered after the moment the device
/// began to need it is an underrun: like ALSA after `snd_pcm_recover`, the device stops, and the
/// stream refills and restarts. Times are `MonotonicClock` nanoseconds.
struct DevicePacer {
    /// What a finished render meant for the device.
    enum Outcome: Equatable {
        /// The device is still filling before it starts.
        case filling
        /// The period arrived before the device needed it, with this many nanoseconds to spare.
        case onTime(margin: Int64)
        /// The device ran dry this many nanoseconds before the period arrived; it restarts.
        case underrun(lateness: Int64)
    }

    let format: AudioFormat
    /// Frames written since the device last (re)started.
    private(set) var written: Int64 = 0
    /// When the device began playing frame 0; nil while it fills.
    private(set) var startTime: Int64? = nil

    init(format: AudioFormat) {
        self.format = format
    }

    /// When a period's worth of space frees in the device buffer; nil while filling (write at once).
    @_noLocks
    func nextWakeTime() -> Int64? {
        guard let startTime else { return nil }
        let frames = written + Int64(format.periodFrames) - Int64(format.bufferFrames)
        return startTime + format.nanoseconds(frames: frames)
    }

    /// When the device will begin playing the next period; nil while filling.
    @_noLocks
    func nextDeadline() -> Int64? {
        guard let startTime else { return nil }
        return startTime + format.nanoseconds(frames: written)
    }

    /// Nanoseconds from `time` until the next period's first frame is heard.
    @_noLocks
    func outputDelay(at time: Int64) -> Int64 {
        guard let deadline = nextDeadline() else { return format.nanoseconds(frames: written) }
        return max(0, deadline - time)
    }

    /// Records that the next period was rendered and written at `time`.
    ///
    /// - Parameter time: when the render finished.
    /// - Returns: whether it was in time; after an underrun the device refills from this period.
    @_noLocks
    mutating func periodWritten(at time: Int64) -> Outcome {
        let period = Int64(format.periodFrames)
        guard let deadline = nextDeadline() else {
            written += period
            if written >= Int64(format.bufferFrames) { startTime = time }
            return .filling
        }
        if time > deadline {
            // The period that came late is the first of the refill.
            written = period
            startTime = nil
            return .underrun(lateness: time - deadline)
        }
        written += period
        return .onTime(margin: deadline - time)
    }
}
