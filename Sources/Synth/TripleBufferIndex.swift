import Synchronization

/// The lock-free hand-over at the heart of a triple buffer: which of three slots the writer fills,
/// which one waits, and which one the reader uses, with the latest value always winning.
///
/// The writer fills its slot, then swaps it with the waiting one (marking it fresh); the reader, when
/// it sees a fresh waiting slot, swaps it with its own. The three indices are always distinct, so
/// neither side ever touches a slot the other is using, nobody waits, and nothing is allocated.
/// One writer and one reader at a time.
///
/// A non-copyable struct rather than a class: the audio thread reaches it inside its owner without
/// the reference counting that a separate object would cost (and that `@_noLocks` rejects).
public struct TripleBufferIndex: ~Copyable, Sendable {
    private static let fresh = 4
    /// The waiting slot's index, plus ``fresh`` when the writer has published into it since the
    /// reader last took it.
    private let waiting = Atomic<Int>(1)

    /// Creates the hand-over with the writer on slot 0, slot 1 waiting (not fresh) and the reader on 2.
    public init() {}

    /// Publishes the writer's slot.
    ///
    /// - Parameter slot: the slot the writer just filled.
    /// - Returns: the slot the writer fills next.
    public func publish(_ slot: Int) -> Int {
        waiting.exchange(slot | Self.fresh, ordering: .acquiringAndReleasing) & 3
    }

    /// Takes the latest published slot, if there is one the reader has not seen.
    ///
    /// - Parameter slot: the slot the reader uses now.
    /// - Returns: the slot the reader uses from now on (`slot` itself if nothing new was published).
    @_noLocks @_noAllocation
    @inline(__always)
    public func acquire(_ slot: Int) -> Int {
        guard waiting.load(ordering: .relaxed) & Self.fresh != 0 else { return slot }
        return waiting.exchange(slot, ordering: .acquiringAndReleasing) & 3
    }
}
