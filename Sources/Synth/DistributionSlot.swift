/// One of the three places a distribution over corpus frames lives while it is handed from the
/// vision thread to the audio thread: the alias table and what it came from.
struct DistributionSlot: ~Copyable {
    var table: AliasTable
    /// The publisher's number for this distribution, reported with every grain drawn from it.
    var generation: UInt64 = 0
    /// When the frame it came from arrived, in the publisher's seconds.
    var frameTime: Double = 0

    init(capacity: Int) {
        table = AliasTable(capacity: capacity)
    }
}
