// Counting wrappers for glibc's allocator, for the real-time tests: a function defined in the
// executable takes precedence over libc's for every library in the process, and the __libc_*
// entry points reach the real allocator underneath. free needs no wrapper. The counter is an
// initial-exec thread-local, so reading or bumping it never allocates.

#include "AllocationCounter.h"

#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static __thread long thread_allocations;

long allocation_counter_thread_total(void) { return thread_allocations; }

void *malloc(size_t size)
{
    thread_allocations++;
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
    thread_allocations++;
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size)
{
    thread_allocations++;
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size)
{
    thread_allocations++;
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size)
{
    thread_allocations++;
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size)
{
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    thread_allocations++;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}
