import Synchronization

/// Remembers when the audio thread rendered each recent block, so that a grain's output frame can
/// be turned back into wall-clock time after the fact (for the latency stamps).
///
/// The audio thread writes one entry per block without locks; any thread reads. Entries live in a
/// ring of `capacity` blocks keyed by the block's first frame; a reader that comes too late finds
/// the entry overwritten and gets nil rather than a wrong time.
final class BlockClock: @unchecked Sendable {
    /// When a frame was rendered and when it is heard (`MonotonicClock` ns).
    struct Times: Equatable {
        var rendered: Int64
        var audible: Int64
    }

    let periodFrames: Int
    let sampleRate: Int
    let capacity: Int
    /// Per entry: first frame (−1 while being written), render time, output delay.
    private let slots: UnsafeMutablePointer<Atomic<Int64>>

    /// Makes an empty clock.
    ///
    /// - Parameters:
    ///   - periodFrames: frames per block (every block but none is this long).
    ///   - sampleRate: frames per second.
    ///   - capacity: blocks remembered.
    init(periodFrames: Int, sampleRate: Int, capacity: Int = 4096) {
        self.periodFrames = periodFrames
        self.sampleRate = sampleRate
        self.capacity = capacity
        slots = .allocate(capacity: capacity * 3)
        for index in 0..<capacity * 3 { (slots + index).initialize(to: Atomic(-1)) }
    }

    deinit {
        slots.deinitialize(count: capacity * 3)
        slots.deallocate()
    }

    /// Records a block (audio thread).
    ///
    /// - Parameters:
    ///   - firstFrame: the block's first output frame; a multiple of `periodFrames`.
    ///   - hostTime: when its render started.
    ///   - outputDelay: nanoseconds from `hostTime` until its first frame is heard.
    @_noLocks
    func record(firstFrame: Int64, hostTime: Int64, outputDelay: Int64) {
        let base = Int((firstFrame / Int64(periodFrames)) % Int64(capacity)) * 3
        slots[base].store(-1, ordering: .relaxed)
        // A sequence lock: readers that saw the key before this point re-check it afterwards.
        atomicMemoryFence(ordering: .releasing)
        slots[base + 1].store(hostTime, ordering: .relaxed)
        slots[base + 2].store(outputDelay, ordering: .relaxed)
        slots[base].store(firstFrame, ordering: .releasing)
    }

    /// When `frame` was rendered and heard, if its block is still remembered.
    ///
    /// - Parameter frame: an output frame.
    /// - Returns: the times, or nil when the block is unknown or already overwritten.
    func times(of frame: Int64) -> Times? {
        let offset = frame % Int64(periodFrames)
        let firstFrame = frame - offset
        let base = Int((firstFrame / Int64(periodFrames)) % Int64(capacity)) * 3
        guard slots[base].load(ordering: .acquiring) == firstFrame else { return nil }
        let hostTime = slots[base + 1].load(ordering: .relaxed)
        let outputDelay = slots[base + 2].load(ordering: .relaxed)
        // Re-check: the writer invalidates the key before touching the times.
        atomicMemoryFence(ordering: .acquiring)
        guard slots[base].load(ordering: .relaxed) == firstFrame else { return nil }
        let offsetNanoseconds = offset * 1_000_000_000 / Int64(sampleRate)
        return Times(rendered: hostTime, audible: hostTime + outputDelay + offsetNanoseconds)
    }
}
