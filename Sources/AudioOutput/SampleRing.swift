import Synchronization

/// A lock-free single-producer, single-consumer ring of samples, for handing audio out of the
/// audio thread (to a WAV writer, a network stream).
///
/// The producer never waits: a write that does not fit whole is dropped whole and counted, so a
/// reader of interleaved audio never sees a partial frame. Capacity is fixed at creation; nothing
/// allocates afterwards.
public final class SampleRing: Sendable {
    /// Samples the ring can hold.
    public let capacity: Int
    nonisolated(unsafe) private let storage: UnsafeMutablePointer<Float>
    /// Total samples ever written (producer) and read (consumer); their difference is the fill.
    private let writeCount = Atomic<Int>(0)
    private let readCount = Atomic<Int>(0)
    private let dropCount = Atomic<Int>(0)

    /// Makes an empty ring.
    ///
    /// - Parameter capacity: samples it holds (interleaved frames × channels).
    public init(capacity: Int) {
        precondition(capacity > 0, "a ring needs room for at least one sample")
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
        storage.initialize(repeating: 0, count: capacity)
    }

    deinit { storage.deallocate() }

    /// Appends the samples if they all fit; otherwise drops them all and counts them. Producer side only.
    ///
    /// - Parameter samples: the samples to append.
    /// - Returns: whether they were appended.
    @_noLocks
    @discardableResult
    public func write(_ samples: UnsafeBufferPointer<Float>) -> Bool {
        let written = writeCount.load(ordering: .relaxed)
        let free = capacity - (written - readCount.load(ordering: .acquiring))
        guard samples.count <= free else {
            dropCount.wrappingAdd(samples.count, ordering: .relaxed)
            return false
        }
        var position = written % capacity
        for index in 0..<samples.count {
            storage[position] = samples[index]
            position += 1
            if position == capacity { position = 0 }
        }
        writeCount.store(written + samples.count, ordering: .releasing)
        return true
    }

    /// Moves up to `buffer.count` samples out of the ring. Consumer side only.
    ///
    /// - Parameter buffer: where to put them.
    /// - Returns: how many were read.
    @_noLocks
    public func read(into buffer: UnsafeMutableBufferPointer<Float>) -> Int {
        let read = readCount.load(ordering: .relaxed)
        let count = min(writeCount.load(ordering: .acquiring) - read, buffer.count)
        var position = read % capacity
        for index in 0..<count {
            buffer[index] = storage[position]
            position += 1
            if position == capacity { position = 0 }
        }
        readCount.store(read + count, ordering: .releasing)
        return count
    }

    /// Samples waiting to be read.
    public var available: Int { writeCount.load(ordering: .acquiring) - readCount.load(ordering: .acquiring) }

    /// Samples dropped because the ring was full.
    public var dropped: Int { dropCount.load(ordering: .relaxed) }
}
