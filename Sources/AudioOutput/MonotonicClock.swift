import Glibc

/// The system's monotonic clock in nanoseconds, and absolute-deadline sleeps on it.
///
/// Absolute deadlines keep a paced loop from drifting: a late wake-up shortens the next sleep
/// instead of pushing every later period back.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point (boot); comparable across threads.
    @_noLocks
    @inline(__always)
    public static func now() -> Int64 {
        var time = timespec()
        // clock_gettime is a vDSO call: no lock, no allocation.
        _unsafePerformance { _ = clock_gettime(CLOCK_MONOTONIC, &time) }
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// Sleeps until `deadline` (a `now()` value); returns at once if it has passed.
    @_noLocks
    public static func sleep(until deadline: Int64) {
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        // A signal interrupts the sleep with EINTR; the deadline is absolute, so sleeping again is exact.
        while _unsafePerformance({ clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &time, nil) }) == EINTR {}
    }
}
