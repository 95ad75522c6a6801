import Synchronization

/// The statistics a sink's audio thread updates and any thread reads, without locks.
///
/// Only the audio thread writes, so maxima and minima need no compare-and-swap.
final class SinkCounters: Sendable {
    private let underruns = Atomic<Int>(0)
    private let framesRendered = Atomic<Int64>(0)
    private let longestRender = Atomic<Int64>(0)
    private let tightestMargin = Atomic<Int64>(.max)
    private let latestWake = Atomic<Int64>(0)
    private let realtime = Atomic<Bool>(false)
    private let threadID = Atomic<Int32>(0)

    /// Notes one rendered period, how long its render took, and the time left before its deadline.
    @_noLocks
    func recordPeriod(frames: Int, renderNanoseconds: Int64, margin: Int64) {
        framesRendered.wrappingAdd(Int64(frames), ordering: .relaxed)
        if renderNanoseconds > longestRender.load(ordering: .relaxed) {
            longestRender.store(renderNanoseconds, ordering: .relaxed)
        }
        if margin < tightestMargin.load(ordering: .relaxed) {
            tightestMargin.store(margin, ordering: .relaxed)
        }
    }

    /// Notes how late the audio thread woke after a sleep to a deadline, in nanoseconds.
    @_noLocks
    func recordWake(lateness: Int64) {
        if lateness > latestWake.load(ordering: .relaxed) {
            latestWake.store(lateness, ordering: .relaxed)
        }
    }

    /// Notes a period the device needed before it was ready.
    @_noLocks
    func recordUnderrun() {
        underruns.wrappingAdd(1, ordering: .relaxed)
    }

    /// Records the scheduling the audio thread got.
    func setRealtime(_ value: Bool) {
        realtime.store(value, ordering: .relaxed)
    }

    /// Records the audio thread's kernel thread id, so other threads can read its page faults.
    func setThreadID(_ value: Int32) {
        threadID.store(value, ordering: .relaxed)
    }

    /// A consistent-enough copy for reports.
    var snapshot: AudioSinkStatistics {
        AudioSinkStatistics(
            underruns: underruns.load(ordering: .relaxed),
            framesRendered: framesRendered.load(ordering: .relaxed),
            longestRender: longestRender.load(ordering: .relaxed),
            tightestMargin: tightestMargin.load(ordering: .relaxed),
            latestWake: latestWake.load(ordering: .relaxed),
            realtimeScheduling: realtime.load(ordering: .relaxed),
            audioThreadID: threadID.load(ordering: .relaxed))
    }
}
