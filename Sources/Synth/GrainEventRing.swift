import Synchronization

/// A single-producer, single-consumer ring of ``GrainEvent``s: the audio thread pushes without
/// locks or allocation, a non-real-time reader drains.
///
/// When the reader falls behind by the whole capacity, new events are dropped (and counted) rather
/// than overwriting ones the reader may be copying. A non-copyable struct so that the audio thread
/// reaches it inside its owner without reference counting.
public struct GrainEventRing: ~Copyable, @unchecked Sendable {
    /// How many events fit; a power of two.
    public let capacity: Int
    private let storage: UnsafeMutablePointer<GrainEvent>
    /// Events ever pushed; written by the producer only.
    private let head = Atomic<Int>(0)
    /// Events ever drained; written by the consumer only.
    private let tail = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    /// Serialises readers so that two UI threads draining at once cannot corrupt the tail.
    private let readerLock = Mutex<Void>(())

    /// Creates an empty ring.
    ///
    /// - Parameter capacity: rounded up to a power of two, at least 2.
    public init(capacity: Int) {
        var size = 2
        while size < capacity { size <<= 1 }
        self.capacity = size
        storage = .allocate(capacity: size)
        storage.initialize(
            repeating: GrainEvent(
                outputFrame: 0, frame: 0, source: 0, sourceFrame: 0, length: 0, rate: 1, gain: 0, pan: 0,
                generation: 0), count: size)
    }

    deinit { storage.deallocate() }

    /// Events dropped because the ring was full.
    public var droppedCount: Int { dropped.load(ordering: .relaxed) }

    /// Pushes an event (audio thread only).
    ///
    /// - Parameter event: the grain that started.
    @_noLocks @_noAllocation
    public func push(_ event: GrainEvent) {
        let position = head.load(ordering: .relaxed)
        guard position - tail.load(ordering: .acquiring) < capacity else {
            dropped.add(1, ordering: .relaxed)
            return
        }
        storage[position & (capacity - 1)] = event
        head.store(position + 1, ordering: .releasing)
    }

    /// Takes every event pushed so far, oldest first.
    ///
    /// - Parameter body: called once per event.
    public func drain(_ body: (GrainEvent) throws -> Void) rethrows {
        try readerLock.withLock { _ in
            let end = head.load(ordering: .acquiring)
            var position = tail.load(ordering: .relaxed)
            while position < end {
                try body(storage[position & (capacity - 1)])
                position += 1
                tail.store(position, ordering: .releasing)
            }
        }
    }
}
