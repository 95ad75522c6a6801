import Synchronization

/// Starts, stops and reports on one sink's audio thread; the parts every sink shares.
final class AudioThreadHost: Sendable {
    /// Statistics the audio thread writes.
    let counters = SinkCounters()
    private let running = Atomic<Bool>(false)
    private let thread = Mutex<RealtimeThread?>(nil)
    private let stopReason = Mutex<AudioSinkError?>(nil)

    /// Whether the audio thread should keep going; polled once per period.
    var isRunning: Bool {
        @_noLocks get { running.load(ordering: .acquiring) }
    }

    /// Starts the audio thread running `loop` until `stop()` or until `loop` returns.
    ///
    /// - Parameters:
    ///   - name: the thread name.
    ///   - realtime: whether to ask for SCHED_FIFO.
    ///   - loop: the sink's period loop; it should return soon after `isRunning` turns false.
    /// - Throws: `AudioSinkError.alreadyStarted`, or `.threadCreation`.
    func start(name: String, realtime: Bool, loop: @escaping @Sendable () -> Void) throws(AudioSinkError) {
        try thread.withLock { (thread: inout RealtimeThread?) throws(AudioSinkError) in
            guard thread == nil else { throw .alreadyStarted }
            running.store(true, ordering: .releasing)
            do throws(AudioSinkError) {
                let counters = self.counters
                thread = try RealtimeThread(name: name, realtime: realtime) {
                    counters.setThreadID(currentKernelThreadID())
                    loop()
                }
            } catch {
                running.store(false, ordering: .releasing)
                throw error
            }
            counters.setRealtime(thread!.isRealtime)
        }
    }

    /// Asks the loop to end and waits for the thread. Safe to call more than once.
    func stop() {
        running.store(false, ordering: .releasing)
        let finished = thread.withLock { (thread: inout RealtimeThread?) -> RealtimeThread? in
            defer { thread = nil }
            return thread
        }
        finished?.join()
    }

    /// Called by the audio thread when the device fails; the loop then returns.
    func fail(_ error: AudioSinkError) {
        stopReason.withLock { $0 = error }
        running.store(false, ordering: .releasing)
    }

    /// The failure that ended the loop, if any.
    var failure: AudioSinkError? { stopReason.withLock { $0 } }
}
