/// Lower bounds of the distances from a query to every frame, in one measure's space, from the
/// ``SearchIndex``: per frame, and per block of consecutive frames.
///
/// In the measure's space a frame is `x̃ = a·(x − b)`. Split along the index's components `P`:
/// `x̃ = a·(P·y_b + e_b)` with `y_b = Pᵀ(x − b)` and `e_b` orthogonal to them, and the query
/// likewise, `q̃ − c = P·y_q + e_q` (`c = μ` for `.euclidean`, whose distances do not change with a
/// shift, else 0). Then `‖q̃ − x̃‖² = ‖y_q − a·y_b‖² + ‖e_q − a·e_b‖² ≥ ‖y_q − a·y_b‖² + (‖e_q‖ − a‖e_b‖)²`,
/// tight when the components hold most of the spread. `y_b` is the stored `y` plus `Pᵀμ` when
/// `b = 0` (`.cosine`), and `‖e_b‖` the stored `r₀` (else `r`).
///
/// A block's frames `v = a·y_b` lie within `radius` of their centroid `c_B`, and their
/// `a‖e_b‖` within `[low, high]`: for every frame of the block the bound is at least
/// `max(0, ‖y_q − c_B‖ − radius)² + (distance from ‖e_q‖ to [low, high])²`, from one product per
/// block. Blocks are runs of at most `blockFrames` consecutive frames, cut where one frame's `v`
/// jumps from the last by more than 4× the median step (a shot cut, or the start of another
/// source): a block straddling a cut would have a large radius and bound nothing, and its frames
/// would all need their own bounds (measured at 10⁶ frames with fixed blocks: a third of them).
/// Inside a block that survives, its sub-blocks of ``subBlockFrames`` frames are bounded the same
/// way before their frames: the slow queries at 10⁶ frames bounded 2.5–3× fewer frames.
final class BlockBounds: @unchecked Sendable {
    let components: Int
    let frames: Int
    let blockFrames: Int
    let blockCount: Int
    /// Each block's first frame, and `frames` last.
    private let starts: [Int]
    private let index: SearchIndex
    /// `Pᵀμ` when `b = 0`, else zero; subtracted from nothing, added to every `y`.
    private let offset: AlignedFloats
    /// Whether the query is centred on μ first (`.euclidean`).
    private let centresQuery: Bool
    /// Per frame `a²‖y_b‖²` and `a‖e_b‖`.
    private let squaredInside: AlignedFloats
    private let outside: AlignedFloats
    /// Per block the centroid (`blockCount × components`), its squared norm, the radius, and the
    /// range of `a‖e_b‖`.
    private let centroids: AlignedFloats
    private let centroidNorms: AlignedFloats
    private let radii: AlignedFloats
    private let lows: AlignedFloats
    private let highs: AlignedFloats
    /// Sub-blocks per block: a block's runs of up to ``subBlockFrames`` frames, bounded like the
    /// blocks (centroid, squared norm, radius, range of `a‖e_b‖`; an absent sub-block gets an empty
    /// range, hence an infinite bound) before their frames, only in the blocks that survive.
    let subBlocks: Int
    private let subCentroids: AlignedFloats
    private let subCentroidNorms: AlignedFloats
    private let subRadii: AlignedFloats
    private let subLows: AlignedFloats
    private let subHighs: AlignedFloats

    /// Frames per sub-block.
    static let subBlockFrames = 8

    /// Prepares the bounds of one measure: one pass over the index's projections (0.2–0.5 s at 10⁶
    /// frames on the shared 2-core machines, most of it paging in the 256 MB mapped).
    ///
    /// - Parameters:
    ///   - index: the index, with components.
    ///   - measure: the measure.
    ///   - scales: per frame its `a` in the measure's space.
    ///   - blockFrames: frames per block.
    init(index: SearchIndex, measure: SimilarityMeasure, scales: UnsafePointer<Float>, blockFrames: Int) {
        let k = index.components
        let n = index.frames
        let d = index.dimension
        self.index = index
        components = k
        frames = n
        self.blockFrames = blockFrames
        centresQuery = measure == .euclidean
        offset = AlignedFloats(count: k)
        for c in 0..<k {
            var sum = 0.0
            if measure == .cosine {
                for i in 0..<d {
                    sum += Double(index.basis[c * d + i]) * Double(index.mean[i])
                }
            }
            offset.pointer[c] = Float(sum)
        }
        let residual = measure == .cosine ? index.offsetResiduals : index.residuals
        squaredInside = AlignedFloats(count: n)
        outside = AlignedFloats(count: n)
        // One pass over the projections (256 MB at 10⁶ frames, the most this costs): each frame's
        // `v` is computed once, in float, into the current block's rows, which stay in cache for
        // its centroid and radius. Float is enough: the bounds already allow 10⁻³ of the norms
        // for rounding, and the radius is rounded up.
        let jump = n > 1 ? Self.jumpThreshold(index: index, offset: offset.pointer, scales: scales) : 0
        let rows = UnsafeMutablePointer<Float>.allocate(capacity: max(1, blockFrames * k))
        let centroid = UnsafeMutablePointer<Float>.allocate(capacity: max(1, k))
        let zero = UnsafeMutablePointer<Float>.allocate(capacity: max(1, k))
        let next = UnsafeMutablePointer<Float>.allocate(capacity: max(1, k))
        defer {
            rows.deallocate()
            centroid.deallocate()
            zero.deallocate()
            next.deallocate()
        }
        zero.initialize(repeating: 0, count: max(1, k))
        var starts = [0]
        var blockCentroids: [Float] = []
        var blockNorms: [Float] = []
        var blockRadii: [Float] = []
        var blockLows: [Float] = []
        var blockHighs: [Float] = []
        let expected = n / max(1, blockFrames) * 2 + 1
        starts.reserveCapacity(expected)
        blockCentroids.reserveCapacity(expected * k)
        blockNorms.reserveCapacity(expected)
        blockRadii.reserveCapacity(expected)
        blockLows.reserveCapacity(expected)
        blockHighs.reserveCapacity(expected)
        let subBlocks = (blockFrames + Self.subBlockFrames - 1) / Self.subBlockFrames
        self.subBlocks = subBlocks
        var subCentroidValues: [Float] = []
        var subValues: [[Float]] = [[], [], [], []]
        subCentroidValues.reserveCapacity(expected * subBlocks * k)
        for i in subValues.indices { subValues[i].reserveCapacity(expected * subBlocks) }
        let terms = UnsafeMutablePointer<Float>.allocate(capacity: max(1, blockFrames))
        defer { terms.deallocate() }
        var filled = 0
        var low = Float.infinity
        var high = -Float.infinity
        // The centroid of rows `range` of the block (into `centroid`), and the rounded-up radius.
        func ball(_ range: Range<Int>) -> Float {
            for c in 0..<k { centroid[c] = 0 }
            for row in range {
                let v = rows + row * k
                for c in 0..<k { centroid[c] += v[c] }
            }
            let count = Float(range.count)
            for c in 0..<k { centroid[c] /= count }
            var radius: Float = 0
            for row in range {
                radius = max(radius, SquaredDistance.between(rows + row * k, centroid, count: k))
            }
            // Rounded up a little: the radius must not shrink in float.
            return radius.squareRoot() * (1 + 1e-5)
        }
        func close() {
            for sub in 0..<subBlocks {
                let range =
                    min(filled, sub * Self.subBlockFrames)..<min(filled, (sub + 1) * Self.subBlockFrames)
                guard !range.isEmpty else {
                    subCentroidValues.append(contentsOf: repeatElement(0, count: k))
                    subValues[0].append(0)
                    subValues[1].append(0)
                    subValues[2].append(.infinity)
                    subValues[3].append(-.infinity)
                    continue
                }
                let radius = ball(range)
                subCentroidValues.append(contentsOf: UnsafeBufferPointer(start: centroid, count: k))
                subValues[0].append(SquaredDistance.between(centroid, zero, count: k))
                subValues[1].append(radius)
                var subLow = Float.infinity
                var subHigh = -Float.infinity
                for row in range {
                    subLow = min(subLow, terms[row])
                    subHigh = max(subHigh, terms[row])
                }
                subValues[2].append(subLow)
                subValues[3].append(subHigh)
            }
            let radius = ball(0..<filled)
            blockCentroids.append(contentsOf: UnsafeBufferPointer(start: centroid, count: k))
            blockNorms.append(SquaredDistance.between(centroid, zero, count: k))
            blockRadii.append(radius)
            blockLows.append(low)
            blockHighs.append(high)
            filled = 0
            low = .infinity
            high = -.infinity
        }
        for frame in 0..<n {
            let a = scales[frame]
            let y = index.projected + frame * k
            for c in 0..<k { next[c] = a * (y[c] + offset.pointer[c]) }
            // A new block where the last is full, or where `v` jumps from the previous frame's.
            if filled == blockFrames
                || (filled > 0 && SquaredDistance.between(next, rows + (filled - 1) * k, count: k) > jump)
            {
                close()
                starts.append(frame)
            }
            (rows + filled * k).update(from: next, count: k)
            squaredInside.pointer[frame] = SquaredDistance.between(next, zero, count: k)
            let term = a * residual[frame]
            outside.pointer[frame] = term
            terms[filled] = term
            low = min(low, term)
            high = max(high, term)
            filled += 1
        }
        if n > 0 { close() }
        starts.append(n)
        self.starts = starts
        blockCount = starts.count - 1
        func stored(_ values: [Float]) -> AlignedFloats {
            let array = AlignedFloats(count: values.count)
            values.withUnsafeBufferPointer {
                array.pointer.update(from: $0.baseAddress!, count: values.count)
            }
            return array
        }
        centroids = stored(blockCentroids)
        centroidNorms = stored(blockNorms)
        radii = stored(blockRadii)
        lows = stored(blockLows)
        highs = stored(blockHighs)
        subCentroids = stored(subCentroidValues)
        subCentroidNorms = stored(subValues[0])
        subRadii = stored(subValues[1])
        subLows = stored(subValues[2])
        subHighs = stored(subValues[3])
    }

    /// The squared step between consecutive frames' `v` past which a new block starts: 16× the
    /// median squared step (4× the step) from an evenly spaced sample.
    private static func jumpThreshold(
        index: SearchIndex, offset: UnsafePointer<Float>, scales: UnsafePointer<Float>
    ) -> Float {
        let k = index.components
        let n = index.frames
        func step(_ frame: Int) -> Float {
            let a = scales[frame]
            let b = scales[frame - 1]
            let y = index.projected + frame * k
            let x = index.projected + (frame - 1) * k
            var sum: Float = 0
            for c in 0..<k {
                let difference = a * (y[c] + offset[c]) - b * (x[c] + offset[c])
                sum += difference * difference
            }
            return sum
        }
        let sampled = min(n - 1, 65_536)
        var sample = (0..<sampled).map { step(1 + $0 * (n - 1) / sampled) }
        sample.sort()
        // Still frames step by nothing: the upper quartile keeps a corpus of them from cutting at
        // every flicker.
        return 16 * max(sample[sample.count / 2], sample[sample.count * 3 / 4] / 4, 1e-12)
    }

    /// The query's terms, computed once per query by ``prepare(_:workspace:)``.
    struct Query {
        /// `‖y_q‖²`.
        var inside: Float
        /// `‖e_q‖`.
        var outside: Float
        /// `y_q · Pᵀμ` (0 unless `b = 0`).
        var offsetProduct: Float
    }

    /// Projects a query (into `workspace.projected`).
    ///
    /// - Parameters:
    ///   - query: `dimension` floats in the measure's space.
    ///   - workspace: the thread's workspace.
    /// - Returns: the query's terms.
    func prepare(_ query: UnsafePointer<Float>, workspace: SearchWorkspace) -> Query {
        let d = index.dimension
        let centred = workspace.centred.baseAddress!
        centred.update(from: query, count: d)
        if centresQuery {
            for i in 0..<d { centred[i] -= index.mean[i] }
        }
        let projected = workspace.projected.baseAddress!
        RowProducts.multiply(
            index.basis, rows: components, columns: d, by: centred, scale: 1, into: projected)
        var all = 0.0
        for i in 0..<d { all += Double(centred[i]) * Double(centred[i]) }
        var inside = 0.0
        var offsetProduct = 0.0
        for c in 0..<components {
            inside += Double(projected[c]) * Double(projected[c])
            offsetProduct += Double(projected[c]) * Double(offset.pointer[c])
        }
        return Query(
            inside: Float(inside), outside: Float(max(0, all - inside).squareRoot()),
            offsetProduct: Float(offsetProduct))
    }

    /// Every block's squared lower bound, into `workspace.blockBounds`.
    ///
    /// - Parameters:
    ///   - query: the query's terms.
    ///   - workspace: the thread's workspace, after ``prepare(_:workspace:)``.
    /// - Returns: the block whose centroid is nearest the query (likely to hold the nearest frames,
    ///   whatever the radii).
    func boundBlocks(_ query: Query, workspace: SearchWorkspace) -> Int {
        let bounds = workspace.blockBounds.baseAddress!
        RowProducts.multiply(
            centroids.pointer, rows: blockCount, columns: components, by: workspace.projected.baseAddress!,
            scale: -2, into: bounds)
        var closest = 0
        var closestSquared = Float.infinity
        for block in 0..<blockCount {
            let squared = max(0, bounds[block] + query.inside + centroidNorms.pointer[block])
            if squared < closestSquared {
                closest = block
                closestSquared = squared
            }
            bounds[block] = Self.bound(
                squared: squared, query, norm: centroidNorms.pointer[block], radius: radii.pointer[block],
                low: lows.pointer[block], high: highs.pointer[block])
        }
        return closest
    }

    /// A ball's squared lower bound from the query's squared distance to its centroid.
    @inline(__always)
    private static func bound(
        squared: Float, _ query: Query, norm: Float, radius: Float, low: Float, high: Float
    )
        -> Float
    {
        // The expanded square carries rounding of order 1e-7 of its terms: take it off the
        // distance so the bound stays below the truth.
        let slack = 1e-3 * (query.inside + norm).squareRoot()
        let inside = max(0, squared.squareRoot() - radius - slack)
        let e = query.outside
        let gap = e < low ? low - e : max(0, e - high)
        return inside * inside + gap * gap
    }

    /// The squared lower bounds of one block's frames, into `workspace.frameBounds`.
    ///
    /// - Parameters:
    ///   - block: the block.
    ///   - query: the query's terms.
    ///   - scales: per frame its `a`.
    ///   - workspace: the thread's workspace, after ``prepare(_:workspace:)``.
    ///   - threshold: frames of sub-blocks whose bound exceeds it get `+∞` instead of their own bound.
    /// - Returns: the block's first frame, its number of frames, and how many got their own bound.
    @discardableResult
    func boundFrames(
        of block: Int, _ query: Query, scales: UnsafePointer<Float>, workspace: SearchWorkspace,
        below threshold: Float = .infinity
    ) -> (first: Int, count: Int, bounded: Int) {
        let first = starts[block]
        let count = starts[block + 1] - first
        let bounds = workspace.frameBounds.baseAddress!
        let projected = workspace.projected.baseAddress!
        let sub = workspace.subBounds.baseAddress!
        let k = components
        RowProducts.multiply(
            subCentroids.pointer + block * subBlocks * k, rows: subBlocks, columns: k, by: projected,
            scale: -2,
            into: sub)
        var bounded = 0
        for part in 0..<subBlocks {
            let slot = block * subBlocks + part
            let squared = max(0, sub[part] + query.inside + subCentroidNorms.pointer[slot])
            let rows = min(count, part * Self.subBlockFrames)..<min(count, (part + 1) * Self.subBlockFrames)
            guard !rows.isEmpty else { continue }
            let bound = Self.bound(
                squared: squared, query, norm: subCentroidNorms.pointer[slot], radius: subRadii.pointer[slot],
                low: subLows.pointer[slot], high: subHighs.pointer[slot])
            if bound <= threshold {
                bounded += rows.count
                RowProducts.multiply(
                    index.projected + (first + rows.lowerBound) * k, rows: rows.count, columns: k,
                    by: projected,
                    scale: -2, into: bounds + rows.lowerBound)
            } else {
                for row in rows { bounds[row] = .nan }
            }
        }
        for row in 0..<count where !bounds[row].isNaN {
            let frame = first + row
            let a = scales[frame]
            let inside =
                query.inside + a * (bounds[row] - 2 * query.offsetProduct) + squaredInside.pointer[frame]
            let gap = query.outside - outside.pointer[frame]
            bounds[row] = max(0, inside) + gap * gap
        }
        for row in 0..<count where bounds[row].isNaN { bounds[row] = .infinity }
        return (first, count, bounded)
    }
}
