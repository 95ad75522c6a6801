import CALSA

/// The calling thread's kernel thread id, as `/proc/self/task/ID` names it.
///
/// - Returns: the id (`gettid`).
public func currentKernelThreadID() -> Int32 {
    scenophone_thread_id()
}

/// Gives the heap memory glibc keeps after frees back to the system (`malloc_trim`), so that a
/// measurement of resident memory sees what is in use rather than what the allocator holds.
public func releaseFreedMemory() {
    scenophone_release_freed_memory()
}
