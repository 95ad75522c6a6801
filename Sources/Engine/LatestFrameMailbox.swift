import Foundation

/// Hands the newest submitted frame to the vision thread. A frame that has not been taken when a
/// newer one arrives is replaced: the vision loop always works on the present, never on a queue.
final class LatestFrameMailbox: @unchecked Sendable {
    /// A frame with what the engine stamped on it at arrival.
    struct Delivery: Sendable {
        var frame: LiveFrame
        /// Sequential id, from 1.
        var id: UInt64
        /// `MonotonicClock` time of arrival, in nanoseconds.
        var arrival: Int64
    }

    /// What `take` found.
    enum Outcome: Sendable {
        case frame(Delivery)
        case timedOut
        /// `poke()` was called: something besides a frame needs the vision thread.
        case woken
        case closed
    }

    private let condition = NSCondition()
    private var pending: Delivery?
    private var isClosed = false
    private var isPoked = false
    private var nextID: UInt64 = 1
    private var replacedCount = 0

    /// Leaves a frame for the vision thread, replacing one it has not taken yet.
    ///
    /// - Parameters:
    ///   - frame: the picture.
    ///   - arrival: when it arrived (`MonotonicClock` ns).
    /// - Returns: the id given to the frame.
    func put(_ frame: LiveFrame, arrival: Int64) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        let id = nextID
        nextID += 1
        if pending != nil { replacedCount += 1 }
        pending = Delivery(frame: frame, id: id, arrival: arrival)
        condition.signal()
        return id
    }

    /// Waits for a frame, up to `timeout` seconds.
    func take(timeout: Double) -> Outcome {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while pending == nil && !isClosed && !isPoked {
            if !condition.wait(until: deadline) { break }
        }
        if isClosed { return .closed }
        if isPoked && pending == nil {
            isPoked = false
            return .woken
        }
        isPoked = false
        guard let delivery = pending else { return .timedOut }
        pending = nil
        return .frame(delivery)
    }

    /// Wakes the vision thread once, frame or not.
    func poke() {
        condition.lock()
        isPoked = true
        condition.signal()
        condition.unlock()
    }

    /// Whether a frame is waiting for the vision thread.
    var hasPending: Bool {
        condition.lock()
        defer { condition.unlock() }
        return pending != nil
    }

    /// Wakes the vision thread for good.
    func close() {
        condition.lock()
        isClosed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Frames submitted so far, and how many of them were replaced before the vision thread saw them.
    var counts: (submitted: UInt64, replaced: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (nextID - 1, replacedCount)
    }
}
