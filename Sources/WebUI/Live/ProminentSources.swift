/// Which sources the inside view draws as rows: the few that hold the most p(t) mass now.
///
/// A corpus of a few sources shows all of them, in corpus order. A larger one shows `capacity`
/// rows, and keeps them in place: a source enters only when it outweighs the lightest one shown by
/// `margin`, and takes that one's row. So rows neither swap places nor flicker between two sources
/// of nearly equal mass from one state to the next.
public struct ProminentSources: Sendable {
    /// Rows drawn when no other number is asked for: eight lanes and the summary fit a laptop's
    /// screen beside the nearest frames.
    public static let defaultCapacity = 8

    /// Rows drawn for the sources that hold the mass.
    let capacity: Int
    /// How many times heavier than the lightest row a source must be to take its place.
    let margin: Float
    /// The sources shown, row by row.
    private(set) var rows: [Int]
    private let sourceCount: Int

    /// Starts with the first sources of the corpus (before any frame every mass is 0).
    ///
    /// - Parameters:
    ///   - sourceCount: sources in the corpus.
    ///   - capacity: rows to fill.
    ///   - margin: the hysteresis factor, above 1.
    init(sourceCount: Int, capacity: Int = defaultCapacity, margin: Float = 1.25) {
        precondition(capacity > 0 && margin >= 1)
        self.capacity = capacity
        self.margin = margin
        self.sourceCount = sourceCount
        rows = Array(0..<min(capacity, sourceCount))
    }

    /// Takes in the masses of a new state and returns the rows to show.
    ///
    /// - Parameter masses: p(t) mass per source, `sourceCount` of them.
    /// - Returns: the sources shown, row by row.
    mutating func update(masses: [Float]) -> [Int] {
        guard sourceCount > capacity, masses.count == sourceCount else { return rows }
        // The heaviest sources, heaviest first: a short sorted list, as `capacity` is small.
        var heaviest: [Int] = []
        heaviest.reserveCapacity(capacity + 1)
        for source in masses.indices where masses[source] > 0 {
            let mass = masses[source]
            if heaviest.count == capacity, let last = heaviest.last, masses[last] >= mass { continue }
            let position = heaviest.firstIndex { masses[$0] < mass } ?? heaviest.count
            heaviest.insert(source, at: position)
            if heaviest.count > capacity { heaviest.removeLast() }
        }
        for candidate in heaviest where !rows.contains(candidate) {
            let lightest = rows.indices.min { masses[rows[$0]] < masses[rows[$1]] }!
            // Candidates come heaviest first and the lightest row only gets heavier: once one
            // fails, the rest fail too.
            guard masses[candidate] > margin * masses[rows[lightest]] else { break }
            rows[lightest] = candidate
        }
        return rows
    }
}
