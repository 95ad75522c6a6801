#ifndef SCENOPHONE_ALLOCATION_COUNTER_H
#define SCENOPHONE_ALLOCATION_COUNTER_H

/// Heap allocations (malloc, calloc, realloc, memalign, posix_memalign, aligned_alloc) made so far
/// by the calling thread. Linking this target into a test executable replaces those functions with
/// counting wrappers around glibc's own allocator, so it sees Swift's and C's allocations alike.
long allocation_counter_thread_total(void);

#endif
