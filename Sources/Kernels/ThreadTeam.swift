import Foundation
import Synchronization

/// A fixed team of threads that run one piece of work together: `run` calls `body(i)` once for
/// every share `i` in `0..<count`, share 0 on the caller's own thread, and returns when all are done.
///
/// A share is claimed before it runs. When the caller has finished its own share it claims any share
/// whose helper has not started yet (a busy machine may not have scheduled it) and runs it itself,
/// so a descheduled helper costs speed, never a stall. Helpers spin for a short while after each
/// piece (the next layer usually follows within microseconds) and then sleep, so a network between
/// frames leaves the other cores alone. `run` allocates nothing; a team of one runs `body(0)` inline.
public final class ThreadTeam: @unchecked Sendable {
    /// The number of members, the calling thread included.
    public let count: Int
    /// How long a helper spins for the next piece before it sleeps.
    static let spinNanoseconds: UInt64 = 200_000

    private let generation = Atomic<Int>(0)
    /// Shares 1… finished in the current generation, by their helpers or by the caller.
    private let finished = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let helpers: [Helper]
    private let exited = DispatchSemaphore(value: 0)
    /// The piece being run; written before `generation` is bumped, read only by a member that has
    /// claimed a share of that generation.
    private nonisolated(unsafe) var body: ((Int) -> Void)?

    /// Starts `count − 1` helper threads.
    ///
    /// - Parameter count: members, at least 1 (the caller is one of them).
    public init(count: Int) {
        precondition(count >= 1, "a thread team needs at least one member")
        self.count = count
        helpers = (0..<count).map { _ in Helper() }
        for member in 1..<max(count, 1) {
            let thread = Thread { [unowned self] in self.serve(member) }
            thread.name = "scenophone-vision-\(member)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit {
        stopping.store(true, ordering: .releasing)
        generation.add(1, ordering: .releasing)
        for member in 1..<max(count, 1) { helpers[member].wake() }
        for _ in 1..<max(count, 1) { exited.wait() }
    }

    /// Runs `body(share)` for every share and waits for all of them.
    ///
    /// - Parameter body: the work of one share; shares must not write the same memory.
    public func run(_ body: (Int) -> Void) {
        guard count > 1 else { return body(0) }
        withoutActuallyEscaping(body) { escapable in
            self.body = escapable
            finished.store(0, ordering: .relaxed)
            let current = generation.add(1, ordering: .releasing).newValue
            for member in 1..<count { helpers[member].wake() }
            escapable(0)
            for member in 1..<count where helpers[member].claim(current) {
                escapable(member)
                finished.add(1, ordering: .relaxed)
            }
            // A descheduled helper would leave us spinning a whole time slice; after a short spin,
            // give the core away between looks.
            var spins = 0
            while finished.load(ordering: .acquiring) < count - 1 {
                spins += 1
                if spins > 2_000 { sched_yield() }
            }
            self.body = nil
        }
    }

    /// Member `member`'s share of `range` when `count` members split it as evenly as possible.
    ///
    /// - Parameters:
    ///   - range: the work.
    ///   - member: which share, `0..<count`.
    ///   - count: how many shares.
    /// - Returns: a contiguous part of `range`; the shares tile it in order.
    public static func share(_ range: Range<Int>, _ member: Int, of count: Int) -> Range<Int> {
        let size = range.count / count
        let extra = range.count % count
        let start = range.lowerBound + member * size + min(member, extra)
        return start..<(start + size + (member < extra ? 1 : 0))
    }

    private func serve(_ member: Int) {
        var seen = 0
        while true {
            seen = awaitGeneration(after: seen, member: member)
            if stopping.load(ordering: .acquiring) { break }
            if helpers[member].claim(seen) {
                perform(member)
                finished.add(1, ordering: .releasing)
            }
        }
        exited.signal()
    }

    /// Runs the published piece. Out of line, so this thread's reference to the closure is gone
    /// before it reports back (`run` checks that the closure did not escape).
    @inline(never)
    private func perform(_ member: Int) {
        body?(member)
    }

    /// Spins, then sleeps, until the generation moves past `seen`; returns the new generation.
    private func awaitGeneration(after seen: Int, member: Int) -> Int {
        let deadline = DispatchTime.now().uptimeNanoseconds + Self.spinNanoseconds
        var spins = 0
        while true {
            let now = generation.load(ordering: .acquiring)
            if now != seen { return now }
            spins += 1
            if spins > 2_000 { sched_yield() }
            if spins & 255 == 0 && DispatchTime.now().uptimeNanoseconds > deadline { break }
        }
        // Announce the nap, then look once more so a piece published meanwhile is not missed.
        let helper = helpers[member]
        helper.sleeping.store(true, ordering: .releasing)
        let now = generation.load(ordering: .acquiring)
        if now != seen {
            // Whoever cleared the flag first owes or consumed the wake-up; keep the count balanced.
            if !helper.sleeping.exchange(false, ordering: .acquiringAndReleasing) { helper.wakeUp.wait() }
            return now
        }
        helper.wakeUp.wait()
        return generation.load(ordering: .acquiring)
    }

    /// A helper's share claim and nap state.
    private final class Helper: Sendable {
        /// The last generation whose share was claimed (by the helper or by the caller).
        let claimed = Atomic<Int>(0)
        /// Set by the helper before it sleeps; whoever clears it owns the wake-up.
        let sleeping = Atomic<Bool>(false)
        let wakeUp = DispatchSemaphore(value: 0)

        /// Claims the share of `generation`; true for exactly one claimant per generation.
        func claim(_ generation: Int) -> Bool {
            claimed.compareExchange(
                expected: generation - 1, desired: generation, ordering: .acquiringAndReleasing
            ).exchanged
        }

        /// Wakes the helper if it is asleep (or about to be).
        func wake() {
            if sleeping.exchange(false, ordering: .acquiringAndReleasing) { wakeUp.signal() }
        }
    }
}
