import Synchronization

/// What an OSC receiver has seen, for the status line, the final report and tests.
public final class OSCCounters: Sendable {
    private let values = Mutex(OSCStatistics())

    /// Creates zeroed counters.
    public init() {}

    /// The counts so far.
    public var statistics: OSCStatistics { values.withLock { $0 } }

    func count(_ update: (inout OSCStatistics) -> Void) { values.withLock { update(&$0) } }
}

/// Counts of OSC packets and messages received.
public struct OSCStatistics: Sendable, Equatable, Codable {
    /// Datagrams received.
    public var packets = 0
    /// Messages that changed something.
    public var applied = 0
    /// Well-formed messages refused (unknown address, value out of range); each logged.
    public var refused = 0
    /// Datagrams dropped as malformed or truncated OSC.
    public var malformed = 0
    /// Datagrams dropped for being larger than ``OSCReceiver/maximumPacketSize``.
    public var oversized = 0
}
