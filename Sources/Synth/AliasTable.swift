/// Walker's alias table (Vose's construction): draws an index from a discrete distribution in O(1)
/// with one random number, whatever the number of outcomes.
///
/// Column `i` of `n` keeps outcome `i` with probability `threshold[i] / 2³²` and otherwise yields
/// `alias[i]`. Building takes O(n) and happens on the vision thread, into storage allocated once;
/// sampling on the audio thread is a multiply, a compare and two loads.
public struct AliasTable: ~Copyable {
    /// The most outcomes this table can hold.
    public let capacity: Int
    /// The outcomes of the current distribution; 0 means empty (nothing to draw).
    public private(set) var count = 0
    private let threshold: UnsafeMutablePointer<UInt32>
    private let alias: UnsafeMutablePointer<Int32>
    private let scaled: UnsafeMutablePointer<Double>
    private let worklist: UnsafeMutablePointer<Int32>

    /// Allocates an empty table for up to `capacity` outcomes.
    ///
    /// - Parameter capacity: the largest distribution it will hold, at most `Int32.max`.
    public init(capacity: Int) {
        precondition(capacity >= 0 && capacity <= Int(Int32.max))
        self.capacity = capacity
        threshold = .allocate(capacity: max(capacity, 1))
        alias = .allocate(capacity: max(capacity, 1))
        scaled = .allocate(capacity: max(capacity, 1))
        worklist = .allocate(capacity: max(capacity, 1))
    }

    deinit {
        threshold.deallocate()
        alias.deallocate()
        scaled.deallocate()
        worklist.deallocate()
    }

    /// Replaces the table's distribution.
    ///
    /// - Parameter weights: non-negative weights, one per outcome (they need not sum to 1).
    /// - Returns: `false`, leaving the table empty, when the weights are empty, sum to zero, or
    ///   hold a negative or non-finite value.
    @discardableResult
    public mutating func build(from weights: UnsafeBufferPointer<Double>) -> Bool {
        precondition(weights.count <= capacity)
        let n = weights.count
        var total = 0.0
        for weight in weights {
            guard weight >= 0, weight.isFinite else {
                count = 0
                return false
            }
            total += weight
        }
        guard n > 0, total > 0, total.isFinite else {
            count = 0
            return false
        }
        // Columns below the mean ("small") fill from the front of the worklist, the others from the back.
        let scale = Double(n) / total
        var smallEnd = 0
        var largeStart = n
        for index in 0..<n {
            scaled[index] = weights[index] * scale
            if scaled[index] < 1 {
                worklist[smallEnd] = Int32(index)
                smallEnd += 1
            } else {
                largeStart -= 1
                worklist[largeStart] = Int32(index)
            }
        }
        // Each step settles one small column, topping it up from a large one that may turn small.
        // Settled small columns are popped from the end of the small run, so the large run never meets it.
        while smallEnd > 0, largeStart < n {
            smallEnd -= 1
            let small = Int(worklist[smallEnd])
            let large = Int(worklist[largeStart])
            threshold[small] = Self.fixedPoint(scaled[small])
            alias[small] = Int32(large)
            scaled[large] = (scaled[large] + scaled[small]) - 1
            if scaled[large] < 1 {
                largeStart += 1
                worklist[smallEnd] = Int32(large)
                smallEnd += 1
            }
        }
        // What is left is full up to rounding: keep the outcome itself.
        for slot in 0..<smallEnd { settleFull(Int(worklist[slot])) }
        for slot in largeStart..<n { settleFull(Int(worklist[slot])) }
        count = n
        return true
    }

    /// Draws an outcome.
    ///
    /// - Parameter bits: 64 uniformly random bits (the high 32 choose the column, the low 32 the side).
    /// - Returns: an outcome index in `0..<count`; `count` must be > 0.
    @_noLocks @_noAllocation
    @inline(__always)
    public func sample(_ bits: UInt64) -> Int {
        let column = Int(((bits &>> 32) &* UInt64(count)) &>> 32)
        return UInt32(truncatingIfNeeded: bits) < threshold[column] ? column : Int(alias[column])
    }

    /// The probability of each outcome that this table actually draws with: for checking exactness.
    ///
    /// - Returns: `count` probabilities summing to 1.
    public func impliedProbabilities() -> [Double] {
        var result = [Double](repeating: 0, count: count)
        let share = 1 / Double(count)
        for column in 0..<count {
            let keep = Double(threshold[column]) * 0x1p-32
            result[column] += keep * share
            result[Int(alias[column])] += (1 - keep) * share
        }
        return result
    }

    /// Marks a column as keeping its own outcome always.
    private func settleFull(_ column: Int) {
        threshold[column] = UInt32.max
        alias[column] = Int32(column)
    }

    /// A probability in [0, 1] as a 32-bit threshold.
    private static func fixedPoint(_ probability: Double) -> UInt32 {
        UInt32(max(0, min(probability * 0x1p32, Double(UInt32.max))).rounded())
    }
}
