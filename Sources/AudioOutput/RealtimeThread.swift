import CALSA
import Glibc

/// A joinable POSIX thread for audio, with real-time (SCHED_FIFO) scheduling when the system allows it.
///
/// Without the privilege (no CAP_SYS_NICE, RLIMIT_RTPRIO 0) it quietly runs at normal priority;
/// `isRealtime` tells which one it got.
final class RealtimeThread: @unchecked Sendable {
    /// The SCHED_FIFO priority asked for: above ordinary threads, below the kernel's own.
    static let fifoPriority: Int32 = 60

    private let handle: pthread_t
    /// Whether the thread runs under SCHED_FIFO.
    let isRealtime: Bool

    /// Starts a thread running `body`.
    ///
    /// - Parameters:
    ///   - name: the thread's name as tools show it (at most 15 bytes are kept).
    ///   - realtime: whether to ask for SCHED_FIFO.
    ///   - body: what the thread runs; it returns when the thread should end.
    /// - Throws: `AudioSinkError.threadCreation` when no thread can be created at all.
    init(name: String, realtime: Bool, body: @escaping () -> Void) throws(AudioSinkError) {
        let context = Unmanaged.passRetained(ThreadContext(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        var gotRealtime = false
        var status: Int32 = -1
        if realtime {
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setinheritsched(&attributes, Int32(PTHREAD_EXPLICIT_SCHED))
            pthread_attr_setschedpolicy(&attributes, SCHED_FIFO)
            var parameters = sched_param(sched_priority: Self.fifoPriority)
            pthread_attr_setschedparam(&attributes, &parameters)
            status = pthread_create(&thread, &attributes, realtimeThreadEntry, context)
            pthread_attr_destroy(&attributes)
            gotRealtime = status == 0
        }
        if status != 0 {
            // EPERM: not allowed to use SCHED_FIFO; run at normal priority instead.
            status = pthread_create(&thread, nil, realtimeThreadEntry, context)
        }
        guard status == 0 else {
            Unmanaged<ThreadContext>.fromOpaque(context).release()
            throw .threadCreation(status)
        }
        handle = thread
        isRealtime = gotRealtime
    }

    /// Waits for the thread's body to return.
    func join() {
        pthread_join(handle, nil)
    }
}

/// What the new thread needs, handed over as one retained pointer.
private final class ThreadContext {
    let name: String
    let body: () -> Void
    init(name: String, body: @escaping () -> Void) {
        self.name = name
        self.body = body
    }
}

/// The thread entry point: a plain C function, so no actor isolation follows it onto the thread.
private func realtimeThreadEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let context = Unmanaged<ThreadContext>.fromOpaque(raw!).takeRetainedValue()
    scenophone_set_thread_name(context.name)
    context.body()
    return nil
}
