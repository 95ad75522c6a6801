import Synchronization

/// A lock-free single-producer, single-consumer ring of interleaved float audio, from the audio
/// thread to the browser stream.
///
/// The audio thread `write`s each block it renders (no locks, no allocation); the server's streaming
/// task `read`s whatever has accumulated. When the reader falls a whole ring behind, the writer drops
/// the new block and counts it, rather than overwrite audio the reader may be copying.
public final class AudioTap: Sendable {
    /// Interleaved channels per frame.
    public let channels: Int
    /// Frames the ring holds (a power of two).
    public let capacity: Int

    nonisolated(unsafe) private let storage: UnsafeMutablePointer<Float>
    /// Frames written and read since the start; their difference is what is waiting.
    private let written = Atomic<Int>(0)
    private let read = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)

    /// Creates a ring.
    ///
    /// - Parameters:
    ///   - channels: interleaved channels per frame (1 or 2).
    ///   - minimumCapacity: frames it must hold; rounded up to a power of two.
    public init(channels: Int, minimumCapacity: Int) {
        precondition(channels > 0 && minimumCapacity > 0)
        self.channels = channels
        var capacity = 1
        while capacity < minimumCapacity { capacity <<= 1 }
        self.capacity = capacity
        storage = .allocate(capacity: capacity * channels)
        storage.initialize(repeating: 0, count: capacity * channels)
    }

    deinit { storage.deallocate() }

    /// Blocks dropped because the reader was a whole ring behind.
    public var droppedBlocks: Int { dropped.load(ordering: .relaxed) }

    /// Copies one rendered block into the ring; called on the audio thread.
    ///
    /// - Parameter samples: interleaved samples, a whole number of frames.
    @_noLocks
    public func write(_ samples: UnsafeBufferPointer<Float>) {
        let frames = samples.count / channels
        let head = written.load(ordering: .relaxed)
        let tail = read.load(ordering: .acquiring)
        guard head - tail + frames <= capacity else {
            dropped.add(1, ordering: .relaxed)
            return
        }
        let mask = capacity * channels - 1
        var position = (head * channels) & mask
        for index in 0..<(frames * channels) {
            storage[position] = samples[index]
            position = (position + 1) & mask
        }
        written.store(head + frames, ordering: .releasing)
    }

    /// Frames waiting to be read.
    public var available: Int { written.load(ordering: .acquiring) - read.load(ordering: .relaxed) }

    /// Moves up to `maximumFrames` waiting frames into `destination`.
    ///
    /// - Parameters:
    ///   - destination: room for `maximumFrames × channels` samples.
    ///   - maximumFrames: the most to take.
    /// - Returns: frames copied.
    public func read(into destination: UnsafeMutablePointer<Float>, maximumFrames: Int) -> Int {
        let head = written.load(ordering: .acquiring)
        let tail = read.load(ordering: .relaxed)
        let frames = min(head - tail, maximumFrames)
        let mask = capacity * channels - 1
        var position = (tail * channels) & mask
        for index in 0..<(frames * channels) {
            destination[index] = storage[position]
            position = (position + 1) & mask
        }
        read.store(tail + frames, ordering: .releasing)
        return frames
    }
}
