/// One of the three places a distribution over corpus frames lives while it is handed from the
/// vision thread to the audio thread: its alias tables and what they came from.
///
/// A draw first picks a column of ``table``: one per frame with a mass of its own, plus one for the
/// background, which then draws from ``background`` in proportion to time weight. The background
/// table depends only on the time weights, so it is rebuilt only when they change (a source muted
/// or reweighted): a publication costs the frames with mass, not the corpus.
struct DistributionSlot: ~Copyable {
    /// The frames with mass of their own, then the background's column.
    var table: AliasTable
    /// The corpus frame of each of `table`'s columns.
    let frames: UnsafeMutableBufferPointer<Int32>
    /// The column that stands for the background, or -1 when it has no share.
    var backgroundColumn = -1
    /// Every playable frame in proportion to its time weight.
    var background: AliasTable
    /// The time weights `background` was built from, nil before the first build.
    var backgroundVersion: UInt64?
    /// The publisher's number for this distribution, reported with every grain drawn from it.
    var generation: UInt64 = 0
    /// When the frame it came from arrived, in the publisher's seconds.
    var frameTime: Double = 0

    init(capacity: Int) {
        table = AliasTable(capacity: capacity + 1)
        frames = .allocate(capacity: capacity + 1)
        frames.initialize(repeating: 0)
        background = AliasTable(capacity: capacity)
    }

    deinit { frames.deallocate() }

    /// Whether there is nothing to draw (silence).
    var isEmpty: Bool {
        @_noLocks @_noAllocation @inline(__always) get { table.count == 0 }
    }

    /// Draws a corpus frame; the slot must not be empty.
    ///
    /// - Parameter random: the audio thread's generator (one draw, two for the background).
    /// - Returns: a corpus frame index.
    @_noLocks @_noAllocation
    @inline(__always)
    func draw(_ random: inout Xoshiro256) -> Int {
        let column = table.sample(random.next())
        return column == backgroundColumn ? background.sample(random.next()) : Int(frames[column])
    }
}
