import Foundation

/// A corpus's embeddings as consecutive runs of rows: one run per frames blob, each mapped from
/// its file, so a million frames (5 GB) need not be read into memory to be searched.
///
/// Frame `i` is row `i − run.first` of the run that holds it; runs follow each other in frame
/// order without gaps. Immutable; the memory stays valid while `owner` lives.
public struct EmbeddingRows: @unchecked Sendable {
    /// One contiguous run of rows.
    public struct Run: @unchecked Sendable {
        /// The first frame of the run.
        public var first: Int
        /// The number of frames.
        public var count: Int
        /// `count × dimension` floats, row-major.
        public var base: UnsafePointer<Float>
    }

    /// The length of a row.
    public let dimension: Int
    /// The runs, in frame order.
    public let runs: [Run]
    /// The number of frames (rows).
    public let frameCount: Int
    /// Keeps the memory alive.
    let owner: AnyObject?
    /// Whether the runs are mapped from files (whose pages can be dropped and read again).
    let isMapped: Bool

    /// Makes rows from runs.
    ///
    /// - Parameters:
    ///   - dimension: the length of a row.
    ///   - runs: `(count, base)` per run, in frame order (empty runs are dropped).
    ///   - owner: an object keeping every run's memory alive.
    ///   - isMapped: whether the runs are read-only mappings of files.
    public init(
        dimension: Int, runs: [(count: Int, base: UnsafePointer<Float>)], owner: AnyObject?,
        isMapped: Bool = false
    ) {
        var first = 0
        var kept: [Run] = []
        for run in runs where run.count > 0 {
            kept.append(Run(first: first, count: run.count, base: run.base))
            first += run.count
        }
        self.dimension = dimension
        self.runs = kept
        frameCount = first
        self.owner = owner
        self.isMapped = isMapped
    }

    /// Rows in one contiguous buffer.
    ///
    /// - Parameters:
    ///   - embeddings: `frames × dimension` floats, row-major.
    ///   - dimension: the length of a row.
    ///   - owner: an object keeping `embeddings` alive.
    public init(contiguous embeddings: UnsafeBufferPointer<Float>, dimension: Int, owner: AnyObject?) {
        precondition(dimension > 0 && embeddings.count % dimension == 0, "embeddings must be whole rows")
        let count = embeddings.count / dimension
        self.init(
            dimension: dimension,
            runs: count > 0 ? [(count, embeddings.baseAddress!)] : [], owner: owner)
    }

    /// The same rows, kept alive by another object as well.
    ///
    /// - Parameter owner: an object that keeps the rows' memory alive.
    /// - Returns: rows retaining `owner`.
    public func owned(by owner: AnyObject) -> EmbeddingRows {
        EmbeddingRows(
            dimension: dimension, runs: runs.map { ($0.count, $0.base) }, owner: owner, isMapped: isMapped)
    }

    /// One frame's row.
    ///
    /// - Parameter frame: `0..<frameCount`.
    /// - Returns: its `dimension` floats.
    @inline(__always)
    public func row(_ frame: Int) -> UnsafePointer<Float> {
        // Few runs (one per source): a binary search costs less than the row's first cache miss.
        var low = 0
        var high = runs.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if runs[middle].first <= frame { low = middle } else { high = middle - 1 }
        }
        let run = runs[low]
        return run.base + (frame - run.first) * dimension
    }

    /// Takes a mapped run's pages out of this process's memory (the page cache keeps them; the next
    /// read maps them in again): after a pass over every row of a large corpus, so that 5 GB of
    /// embeddings do not stay resident. Does nothing to rows in memory.
    ///
    /// - Parameter run: the run's index in `runs`.
    func release(run: Int) {
        guard isMapped else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = Int(bitPattern: runs[run].base)
        let end = start + runs[run].count * dimension * 4
        let first = (start + page - 1) / page * page
        let last = end / page * page
        guard last > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { return }
        madvise(address, last - first, MADV_DONTNEED)
    }

    /// Asks the kernel to read mapped rows in ahead of use and map them, one request per stretch of
    /// consecutive rows: pages of a large corpus leave the page cache (reclaimed while cold), and a
    /// search that faults them in one after another waits for the disk once per row. Every stretch
    /// is first announced (`MADV_WILLNEED`: the reads start together and overlap), then mapped
    /// (`MADV_POPULATE_READ`, Linux 5.14: one call instead of a page fault per page; ignored by older
    /// kernels). Does nothing to rows in memory.
    ///
    /// - Parameters:
    ///   - frames: frames in increasing order.
    ///   - count: how many of `frames` to look at.
    ///   - wanted: whether the frame in that slot will be read.
    func readAhead(_ frames: UnsafePointer<Int32>, count: Int, where wanted: (Int) -> Bool) {
        advise(MADV_WILLNEED, frames, count: count, where: wanted)
        advise(MADV_POPULATE_READ, frames, count: count, where: wanted)
    }

    /// Takes mapped rows out of this process's memory (`MADV_DONTNEED`: the page cache keeps them),
    /// after a search read so many that they would otherwise stay resident.
    ///
    /// - Parameters:
    ///   - frames: frames in increasing order.
    ///   - count: how many of `frames` to look at.
    ///   - wanted: whether the frame in that slot was read.
    func release(_ frames: UnsafePointer<Int32>, count: Int, where wanted: (Int) -> Bool) {
        advise(MADV_DONTNEED, frames, count: count, where: wanted)
    }

    /// One `madvise` per stretch of consecutive wanted rows (widened to whole pages).
    private func advise(
        _ advice: Int32, _ frames: UnsafePointer<Int32>, count: Int, where wanted: (Int) -> Bool
    ) {
        guard isMapped else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let bytes = dimension * 4
        var start = 0
        var end = 0
        func flush() {
            let first = start / page * page
            guard end > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { return }
            madvise(address, end - first, advice)
        }
        for slot in 0..<count where wanted(slot) {
            let row = Int(bitPattern: row(Int(frames[slot])))
            if row == end {
                end += bytes
                continue
            }
            flush()
            start = row
            end = row + bytes
        }
        flush()
    }

    /// Calls `body` with every run of rows, in frame order.
    ///
    /// - Parameter body: receives the first frame, the number of frames and their rows.
    public func forEachRun(_ body: (_ first: Int, _ count: Int, _ rows: UnsafePointer<Float>) throws -> Void)
        rethrows
    {
        for run in runs { try body(run.first, run.count, run.base) }
    }
}
