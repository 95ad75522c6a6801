import Corpus
import Synth

/// Adds up a distribution over corpus frames by the category of each frame's source: the share of
/// the grains a category would get, exactly (no grain is drawn).
struct CategoryTally {
    /// The label of the column holding the sources without a category.
    static let uncategorised = "(none)"

    /// The corpus's categories in name order, then ``uncategorised`` if any source has none.
    let columns: [String]
    /// Per column, its share of the playable audio: the time weights p(t) is a density over (span
    /// length × source weight, muted sources 0). A p(t) that ignored the picture would give each
    /// category exactly this share, so it is the agreement of chance.
    let baseline: [Double]
    /// Per corpus frame, the column its mass counts towards.
    private let columnOfFrame: [Int]

    /// Prepares the tally for a corpus.
    ///
    /// - Parameters:
    ///   - corpus: the corpus; at least one of its sources must have a category.
    ///   - bank: the synthesizer's bank made from it (for the frames' time weights).
    /// - Throws: ``EvaluateCommand/Failure`` when no source has a category or no audio is playable.
    init(corpus: Corpus, bank: SoundBank) throws {
        let categories = Set(corpus.sources.compactMap(\.category)).sorted()
        guard !categories.isEmpty else {
            throw EvaluateCommand.Failure(
                "\(corpus.url.path): no source has a category; give them one with "
                    + "`scenophone sources set CORPUS SOURCE --category NAME` or index them as PICTURE[+SOUND]@CATEGORY"
            )
        }
        let hasUncategorised = corpus.sources.contains { $0.category == nil }
        columns = categories + (hasUncategorised ? [Self.uncategorised] : [])
        let columnOfCategory = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })
        let sourceColumns = corpus.sources.map { source in
            source.category.flatMap { columnOfCategory[$0] } ?? categories.count
        }
        columnOfFrame = corpus.frames.map { sourceColumns[$0.source] }
        var time = [Double](repeating: 0, count: columns.count)
        for (frame, weight) in bank.frameTimeWeights().enumerated() { time[columnOfFrame[frame]] += weight }
        let total = time.reduce(0, +)
        guard total > 0 else {
            throw EvaluateCommand.Failure(
                "\(corpus.url.path): every source is muted or weighted 0: nothing plays")
        }
        baseline = time.map { $0 / total }
    }

    /// The column of a category, or nil when no source has it.
    func column(of category: String) -> Int? {
        category == Self.uncategorised ? nil : columns.firstIndex(of: category)
    }

    /// Adds each frame's probability to its category's column.
    ///
    /// - Parameters:
    ///   - distribution: one probability per corpus frame.
    ///   - masses: one value per column, added to.
    func add(_ distribution: UnsafeBufferPointer<Double>, to masses: inout [Double]) {
        for (frame, column) in columnOfFrame.enumerated() { masses[column] += distribution[frame] }
    }
}
