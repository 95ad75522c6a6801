import CALSA

/// Gives the heap memory glibc keeps after frees back to the system (`malloc_trim`), so that a
/// measurement of resident memory sees what is in use rather than what the allocator holds.
public func releaseFreedMemory() {
    scenophone_release_freed_memory()
}

/// The bytes the C allocator has handed out and not had back (`mallinfo2`): what the program holds,
/// whatever the allocator keeps cached. A leak grows it; fragmentation grows resident memory alone.
///
/// - Returns: the bytes in use.
public func heapBytesInUse() -> Int {
    Int(scenophone_heap_bytes_in_use())
}
