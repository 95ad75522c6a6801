import AllocationCounter
import AudioOutput
import Synchronization

/// A sink that plays through another and counts the heap allocations made on its audio thread.
///
/// It reads the audio thread's allocation counter at each render call, so the count covers
/// everything the thread did between calls: the sink's own loop and device writes, and the render.
/// The first `warmUpPeriods` periods are not counted (first-touch work such as thread naming).
public final class AllocationCountingSink: AudioSink {
    /// The sink that really plays.
    public let inner: any AudioSink
    /// Periods left uncounted at the start.
    public let warmUpPeriods: Int
    private let allocations = Atomic<Int>(0)
    private let counted = Atomic<Int>(0)

    /// Wraps a sink.
    ///
    /// - Parameters:
    ///   - inner: the sink to play through.
    ///   - warmUpPeriods: periods to skip before counting.
    public init(wrapping inner: any AudioSink, warmUpPeriods: Int = 16) {
        self.inner = inner
        self.warmUpPeriods = warmUpPeriods
    }

    public var format: AudioFormat { inner.format }
    public var name: String { inner.name + " (counting allocations)" }
    public var statistics: AudioSinkStatistics { inner.statistics }
    public var failure: AudioSinkError? { inner.failure }
    public func stop() { inner.stop() }

    public func start(_ render: @escaping AudioRenderCallback) throws(AudioSinkError) {
        let state = AudioThreadState()
        let warmUp = warmUpPeriods
        try inner.start { [self] block in
            let total = allocation_counter_thread_total()
            state.calls += 1
            if state.calls > warmUp {
                allocations.wrappingAdd(total - state.previousTotal, ordering: .relaxed)
                counted.wrappingAdd(1, ordering: .relaxed)
            }
            state.previousTotal = total
            render(block)
        }
    }

    /// Heap allocations the audio thread made after the warm-up.
    public var allocationsOnAudioThread: Int { allocations.load(ordering: .relaxed) }

    /// Periods whose allocations were counted (each covers the time since the previous call).
    public var periodsCounted: Int { counted.load(ordering: .relaxed) }
}

/// Touched only by the audio thread.
private final class AudioThreadState: @unchecked Sendable {
    var calls = 0
    var previousTotal = 0
}
