import CALSA

/// The calling thread's kernel thread id, as `/proc/self/task/ID` names it.
///
/// - Returns: the id (`gettid`).
public func currentKernelThreadID() -> Int32 {
    scenophone_thread_id()
}
