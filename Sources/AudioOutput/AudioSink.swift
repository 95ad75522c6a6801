/// One period handed to the renderer on the audio thread.
///
/// `samples` holds `frames × channels` interleaved floats, silent on entry; the renderer writes
/// (or adds) its output there before returning. The pointer is only valid during the call.
public struct AudioBlock {
    /// Interleaved samples, zeroed before the call.
    public let samples: UnsafeMutableBufferPointer<Float>
    /// Frames in this block.
    public let frames: Int
    /// Channels per frame.
    public let channels: Int
    /// Frames this sink rendered before this block since it started: the output sample clock.
    public let sampleTime: Int64
    /// `MonotonicClock` time (ns) when the sink asked for this block.
    public let hostTime: Int64
    /// Nanoseconds from `hostTime` until the block's first frame reaches the output (the audio
    /// already queued in the device), when the sink knows it.
    public let outputDelay: Int64
}

/// The function a sink calls on its audio thread for every period.
///
/// It must not allocate, lock, wait, or touch Foundation: mark what it calls `@_noLocks`.
public typealias AudioRenderCallback = (AudioBlock) -> Void

/// What a sink has seen since it started; read at any time from any thread.
public struct AudioSinkStatistics: Sendable, Hashable, CustomStringConvertible {
    /// Periods the device needed before they were ready (each one an audible gap).
    public var underruns: Int
    /// Frames rendered since the start.
    public var framesRendered: Int64
    /// The longest single render call, in nanoseconds.
    public var longestRender: Int64
    /// The smallest time left before a period's deadline when its render finished, in nanoseconds
    /// (negative after an underrun); `Int64.max` before the first deadline or on unpaced sinks.
    public var tightestMargin: Int64
    /// The latest the audio thread woke after sleeping to a deadline, in nanoseconds: time the
    /// system (scheduler, hypervisor) kept it from running. 0 on sinks that block in the device.
    public var latestWake: Int64
    /// Whether the audio thread got real-time (SCHED_FIFO) scheduling.
    public var realtimeScheduling: Bool
    /// The audio thread's kernel thread id (0 before it started): where to read its page faults
    /// (`/proc/self/task/ID/stat`).
    public var audioThreadID: Int32

    public init(
        underruns: Int = 0, framesRendered: Int64 = 0, longestRender: Int64 = 0,
        tightestMargin: Int64 = .max, latestWake: Int64 = 0, realtimeScheduling: Bool = false,
        audioThreadID: Int32 = 0
    ) {
        self.underruns = underruns
        self.framesRendered = framesRendered
        self.longestRender = longestRender
        self.tightestMargin = tightestMargin
        self.latestWake = latestWake
        self.realtimeScheduling = realtimeScheduling
        self.audioThreadID = audioThreadID
    }

    public var description: String {
        var text = "\(underruns) underruns, \(framesRendered) frames rendered, longest render "
        text += (Double(longestRender) / 1e6).formatted(decimals: 2) + " ms"
        if tightestMargin != .max {
            text += ", tightest margin " + (Double(tightestMargin) / 1e6).formatted(decimals: 2) + " ms"
        }
        if latestWake > 0 {
            text += ", latest wake-up " + (Double(latestWake) / 1e6).formatted(decimals: 2) + " ms"
        }
        text += realtimeScheduling ? ", SCHED_FIFO" : ", normal scheduling"
        return text
    }
}

/// Somewhere audio goes: a sound card, a paced stand-in for one, or a file.
///
/// A sink owns an audio thread that calls the render callback once per period, at the pace of its
/// device, until `stop()`. The callback runs on that thread and must be real-time safe.
public protocol AudioSink: AnyObject, Sendable {
    /// The format the sink plays (after negotiation with the device).
    var format: AudioFormat { get }
    /// A short human name, e.g. "ALSA 'default'" or "paced null sink".
    var name: String { get }
    /// Starts the audio thread.
    ///
    /// - Parameter render: called on the audio thread for each period.
    /// - Throws: `AudioSinkError` if the device or the thread cannot start.
    func start(_ render: @escaping AudioRenderCallback) throws(AudioSinkError)
    /// Stops the audio thread and waits for it; the render callback is not called afterwards.
    func stop()
    /// Underruns, frames and timing so far.
    var statistics: AudioSinkStatistics { get }
    /// A failure that stopped the audio thread early, if any.
    var failure: AudioSinkError? { get }
}

extension AudioSink {
    /// Periods the device needed before they were ready.
    public var underruns: Int { statistics.underruns }
}
