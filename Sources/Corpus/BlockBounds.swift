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

    /// Prepares the bounds of one measure: a pass over the index (about 60 ms at 10⁶ frames).
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
                    sum += Double(index.basis.pointer[c * d + i]) * Double(index.mean.pointer[i])
                }
            }
            offset.pointer[c] = Float(sum)
        }
        let starts = Self.cut(
            index: index, offset: offset.pointer, scales: scales, blockFrames: blockFrames)
        self.starts = starts
        blockCount = starts.count - 1
        let residual = measure == .cosine ? index.offsetResiduals.pointer : index.residuals.pointer
        squaredInside = AlignedFloats(count: n)
        outside = AlignedFloats(count: n)
        centroids = AlignedFloats(count: blockCount * k)
        centroidNorms = AlignedFloats(count: blockCount)
        radii = AlignedFloats(count: blockCount)
        lows = AlignedFloats(count: blockCount)
        highs = AlignedFloats(count: blockCount)
        var centroid = [Double](repeating: 0, count: k)
        for block in 0..<blockCount {
            let first = starts[block]
            let end = starts[block + 1]
            for c in 0..<k { centroid[c] = 0 }
            var low = Float.infinity
            var high = -Float.infinity
            for frame in first..<end {
                let a = Double(scales[frame])
                let y = index.projected.pointer + frame * k
                var inside = 0.0
                for c in 0..<k {
                    let value = a * (Double(y[c]) + Double(offset.pointer[c]))
                    centroid[c] += value
                    inside += value * value
                }
                squaredInside.pointer[frame] = Float(inside)
                let term = Float(a) * residual[frame]
                outside.pointer[frame] = term
                low = min(low, term)
                high = max(high, term)
            }
            var norm = 0.0
            for c in 0..<k {
                centroid[c] /= Double(end - first)
                centroids.pointer[block * k + c] = Float(centroid[c])
                norm += centroid[c] * centroid[c]
            }
            var radius = 0.0
            for frame in first..<end {
                let a = Double(scales[frame])
                let y = index.projected.pointer + frame * k
                var squared = 0.0
                for c in 0..<k {
                    let difference = a * (Double(y[c]) + Double(offset.pointer[c])) - centroid[c]
                    squared += difference * difference
                }
                radius = max(radius, squared)
            }
            centroidNorms.pointer[block] = Float(norm)
            // Rounded up a little: the radius must not shrink in float.
            radii.pointer[block] = Float(radius.squareRoot() * (1 + 1e-5))
            lows.pointer[block] = low
            highs.pointer[block] = high
        }
    }

    /// The blocks' first frames: a new block where the last is full, or where a frame's `v` is
    /// farther from the previous frame's than 4× the median such step.
    private static func cut(
        index: SearchIndex, offset: UnsafePointer<Float>, scales: UnsafePointer<Float>, blockFrames: Int
    ) -> [Int] {
        let k = index.components
        let n = index.frames
        func step(_ frame: Int) -> Float {
            let a = scales[frame]
            let b = scales[frame - 1]
            let y = index.projected.pointer + frame * k
            let x = index.projected.pointer + (frame - 1) * k
            var sum: Float = 0
            for c in 0..<k {
                let difference = a * (y[c] + offset[c]) - b * (x[c] + offset[c])
                sum += difference * difference
            }
            return sum
        }
        guard n > 1 else { return [0, n] }
        // The median squared step from an evenly spaced sample.
        let sampled = min(n - 1, 65_536)
        var sample = (0..<sampled).map { step(1 + $0 * (n - 1) / sampled) }
        sample.sort()
        // Still frames step by nothing: the upper quartile keeps a corpus of them from cutting at
        // every flicker.
        let jump = 16 * max(sample[sample.count / 2], sample[sample.count * 3 / 4] / 4, 1e-12)
        var starts = [0]
        for frame in 1..<n where frame - starts[starts.count - 1] >= blockFrames || step(frame) > jump {
            starts.append(frame)
        }
        starts.append(n)
        return starts
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
            for i in 0..<d { centred[i] -= index.mean.pointer[i] }
        }
        let projected = workspace.projected.baseAddress!
        RowProducts.multiply(
            index.basis.pointer, rows: components, columns: d, by: centred, scale: 1, into: projected)
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
            // The expanded square carries rounding of order 1e-7 of its terms: take it off the
            // distance so the bound stays below the truth.
            let slack = 1e-3 * (query.inside + centroidNorms.pointer[block]).squareRoot()
            let inside = max(0, squared.squareRoot() - radii.pointer[block] - slack)
            let e = query.outside
            let gap = e < lows.pointer[block] ? lows.pointer[block] - e : max(0, e - highs.pointer[block])
            bounds[block] = inside * inside + gap * gap
        }
        return closest
    }

    /// The squared lower bounds of one block's frames, into `workspace.frameBounds`.
    ///
    /// - Parameters:
    ///   - block: the block.
    ///   - query: the query's terms.
    ///   - scales: per frame its `a`.
    ///   - workspace: the thread's workspace, after ``prepare(_:workspace:)``.
    /// - Returns: the block's first frame and its number of frames.
    @discardableResult
    func boundFrames(
        of block: Int, _ query: Query, scales: UnsafePointer<Float>, workspace: SearchWorkspace
    ) -> (first: Int, count: Int) {
        let first = starts[block]
        let count = starts[block + 1] - first
        let bounds = workspace.frameBounds.baseAddress!
        RowProducts.multiply(
            index.projected.pointer + first * components, rows: count, columns: components,
            by: workspace.projected.baseAddress!, scale: -2, into: bounds)
        for row in 0..<count {
            let frame = first + row
            let a = scales[frame]
            let inside =
                query.inside + a * (bounds[row] - 2 * query.offsetProduct) + squaredInside.pointer[frame]
            let gap = query.outside - outside.pointer[frame]
            bounds[row] = max(0, inside) + gap * gap
        }
        return (first, count)
    }
}
