#ifndef SCENOPHONE_CALSA_SHIM_H
#define SCENOPHONE_CALSA_SHIM_H

#include <alsa/asoundlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <malloc.h>
#include <sys/syscall.h>
#include <unistd.h>

// ALSA reports the details of a failure (e.g. "Unknown PCM default") through a variadic error
// handler that prints to stderr by default. Swift cannot define a variadic C function, so this shim
// keeps the last message of the calling thread instead, for Swift to put into its own error.

/// The calling thread's message buffer. (A function-local static: Swift's importer emits the
/// bodies of the inline functions it uses, but not a header's file-scope variables.)
static inline char *scenophone_alsa_message_buffer(void)
{
    static __thread char message[512];
    return message;
}

static void scenophone_alsa_record_error(
    const char *file, int line, const char *function, int err, const char *fmt, ...)
{
    (void)file;
    (void)line;
    (void)function;
    (void)err;
    va_list args;
    va_start(args, fmt);
    vsnprintf(scenophone_alsa_message_buffer(), 512, fmt, args);
    va_end(args);
}

/// Routes ALSA's library messages into a per-thread buffer instead of stderr.
static inline void scenophone_alsa_capture_errors(void)
{
    snd_lib_error_set_handler(scenophone_alsa_record_error);
}

/// Forgets the calling thread's last ALSA message.
static inline void scenophone_alsa_clear_last_error(void)
{
    scenophone_alsa_message_buffer()[0] = 0;
}

/// The calling thread's last ALSA message since it was cleared ("" when none).
static inline const char *scenophone_alsa_last_error(void)
{
    return scenophone_alsa_message_buffer();
}

/// Names the calling thread as `top` and debuggers show it (the kernel keeps 15 bytes).
static inline void scenophone_set_thread_name(const char *name)
{
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

/// The calling thread's kernel id (`gettid`, which glibc declares only under _GNU_SOURCE): where
/// /proc/self/task/ID/stat keeps its page-fault counts.
static inline int scenophone_thread_id(void)
{
    return (int)syscall(SYS_gettid);
}

/// Returns the heap memory glibc keeps after frees to the system.
static inline void scenophone_release_freed_memory(void)
{
    malloc_trim(0);
}

/// Bytes glibc's allocator has handed out and not had back: in its arenas plus in mapped chunks.
static inline size_t scenophone_heap_bytes_in_use(void)
{
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

#endif
