/// Which part of a list of sources a shard corpus holds (`scenophone index --shard K/N`), recorded
/// in its manifest so that `scenophone merge` can tell a complete set of shards of one list from an
/// incomplete or mixed one.
///
/// Shard K of N (K counted from 0, as Slurm array tasks and Kubernetes completion indexes are)
/// holds a contiguous block of the list: inputs `K·M/N ..< (K+1)·M/N` of M, in integer division.
/// Blocks differ in size by at most one input, and the shards concatenated in order are the list
/// in order, so a merge restores the order one process indexing the whole list would have made.
public struct CorpusShard: Codable, Equatable, Sendable {
    /// K: which shard, from 0.
    public var index: Int
    /// N: how many shards the list is cut into.
    public var count: Int
    /// The list's ``SourceList/sha256``.
    public var listSHA256: String
    /// M: how many sources the whole list holds.
    public var listCount: Int
    /// The position in the list of the shard's first source.
    public var firstInput: Int
    /// How many sources the shard holds.
    public var inputCount: Int

    /// The shard K of N of a list.
    ///
    /// - Parameters:
    ///   - index: K, from 0.
    ///   - count: N.
    ///   - list: the whole list.
    public init(index: Int, of count: Int, list: SourceList) {
        precondition(count > 0 && (0..<count).contains(index), "shard \(index)/\(count) does not exist")
        let range = Self.inputs(ofShard: index, of: count, listCount: list.entries.count)
        self.index = index
        self.count = count
        listSHA256 = list.sha256
        listCount = list.entries.count
        firstInput = range.lowerBound
        inputCount = range.count
    }

    /// The positions in the list of shard K's sources.
    ///
    /// - Parameters:
    ///   - index: K, from 0.
    ///   - count: N.
    ///   - listCount: M, the sources in the list.
    /// - Returns: `K·M/N ..< (K+1)·M/N`.
    public static func inputs(ofShard index: Int, of count: Int, listCount: Int) -> Range<Int> {
        index * listCount / count..<(index + 1) * listCount / count
    }

    /// The positions in the list of this shard's sources.
    public var inputs: Range<Int> { firstInput..<firstInput + inputCount }

    /// Parses `K/N` as the command line writes it.
    ///
    /// - Parameter text: e.g. `0/4` (the first of four shards).
    /// - Returns: K and N, with `0 ≤ K < N`.
    /// - Throws: `CorpusError.invalidInput` explaining the form.
    public static func parse(_ text: String) throws -> (index: Int, count: Int) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 0,
            (0..<count).contains(index)
        else {
            throw CorpusError.invalidInput(
                "--shard \(text)",
                reason: "a shard is K/N: N shards, K from 0 to N−1 (e.g. 0/4 is the first of four)")
        }
        return (index, count)
    }
}
