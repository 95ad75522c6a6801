/// Matches each published p(t) with the first grain drawn from it and keeps the resulting stamps.
///
/// Not thread-safe: the engine calls it under its collector's lock.
struct LatencyTracker {
    /// A publication still waiting for its first grain.
    private struct Pending {
        var generation: UInt64
        var frameID: UInt64
        var arrival: Int64
        var analysisStart: Int64
        var published: Int64
    }

    /// How many finished stamps are kept for `take()`; older ones are dropped. Bounded because a
    /// server never takes them: at the former 100 000 a 10-minute soak's heap grew by 1.7 MiB of
    /// stamps nobody read (and would have to 4.8 MB); 10 000 are about four minutes at 40 frames/s,
    /// more than a `bench latency` round or a `live` summary needs.
    let capacity: Int
    private var pending: [Pending] = []
    private(set) var stamps: [LatencyStamp] = []
    /// Publications replaced by a newer one before any grain came from them.
    private(set) var superseded = 0

    init(capacity: Int = 10_000) {
        self.capacity = capacity
        stamps.reserveCapacity(capacity)
    }

    /// Notes that a frame's p(t) was published under `generation`.
    mutating func published(
        generation: UInt64, frameID: UInt64, arrival: Int64, analysisStart: Int64, at time: Int64
    ) {
        pending.append(
            Pending(
                generation: generation, frameID: frameID, arrival: arrival, analysisStart: analysisStart,
                published: time))
    }

    /// Notes a grain the audio thread started.
    ///
    /// - Parameters:
    ///   - generation: the generation of the p(t) it was drawn from.
    ///   - times: when it was rendered and heard, or nil when that is no longer known.
    mutating func grainStarted(generation: UInt64, times: BlockClock.Times?) {
        guard let first = pending.first, generation >= first.generation else { return }
        // Grains arrive in order: every older publication without a grain never got one.
        while let oldest = pending.first, oldest.generation < generation {
            pending.removeFirst()
            superseded += 1
        }
        guard let match = pending.first, match.generation == generation else { return }
        pending.removeFirst()
        guard let times else { return }
        if stamps.count == capacity { stamps.removeFirst(capacity / 10) }
        stamps.append(
            LatencyStamp(
                frameID: match.frameID, arrival: match.arrival, analysisStart: match.analysisStart,
                published: match.published, firstGrainRendered: times.rendered,
                firstGrainAudible: times.audible))
    }

    /// Hands over the stamps collected so far and forgets them.
    mutating func take() -> [LatencyStamp] {
        defer { stamps.removeAll(keepingCapacity: true) }
        return stamps
    }
}
