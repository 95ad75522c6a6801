import COpenBLAS

/// Search over a corpus's embeddings under a ``SimilarityMeasure``: every distance, the nearest
/// frames, and the pass a vision update needs — exact distances only where they can matter.
///
/// Every measure is a Euclidean distance in a transformed space `x̃ = a·(x − b)`: `a = 1, b = 0`
/// for `.euclidean`, `a = 1/‖x‖, b = 0` for `.cosine`, `a = 1/‖x − μ‖, b = μ` for
/// `.centredCosine`. A query is transformed the same way (``transform(_:into:)``) before it is
/// searched — or averaged first, as the analyser's evidence does. The frames are never transformed
/// or copied: with each frame's `a` and `‖x − b‖` (from the ``SearchIndex``), an exact distance is
/// `‖q̃‖² − 2a·(q̃·x − q̃·b) + a²‖x − b‖²`, one dot product with the frame's own embedding, which
/// may stay on disk (mapped: a million frames are 5 GB). That form loses precision where `q̃` and
/// `x̃` nearly coincide (the terms cancel), so distances below √(1/1000 of `‖q̃‖² + ‖x̃‖²`) are
/// recomputed directly: a frame queried with its own embedding is at distance 0.
///
/// One full pass reads every embedding (5 kB a frame), so a large corpus is bound by memory
/// bandwidth: 100 000 frames are 512 MB. A vision update does not need every distance, though:
/// the distance → probability map gives likeness 0 to every frame farther than a cutoff (see
/// ``distances(to:cutoff:eligible:workspace:into:nearest:)``), and lower bounds from the embeddings'
/// leading principal components (the ``SearchIndex``, 0.25 kB a frame at 64 components) prove
/// most frames beyond it without reading them. Frames are bounded in blocks of up to ``blockFrames``
/// consecutive frames, cut at jumps, first (a block's projections lie in a small ball: neighbours in time are
/// neighbours in space), so a pass reads the projections of the few blocks near the query only.
///
/// Thread-safe: any number of threads may search at once, each with its own ``SearchWorkspace``;
/// searching allocates nothing.
public final class NearestFrameSearch: @unchecked Sendable {
    /// Whether searches may skip frames their lower bounds prove far.
    public enum Strategy: Sendable, Equatable {
        /// Always the full pass over every embedding.
        case exact
        /// Lower bounds from this many principal components (prepared when the search is made).
        case bounded(components: Int)
        /// `bounded(components: defaultComponents)` from `boundedMinimumFrames` frames on, `exact`
        /// below (where the full pass takes under 2 ms and preparing the bounds would not pay).
        case automatic

        /// The corpus size from which `.automatic` prepares lower bounds.
        public static let boundedMinimumFrames = 10_000
        /// The principal components `.automatic` keeps, and a corpus's stored index holds.
        ///
        /// 128, not 64: a frame's bound leaves out the cross term of the parts outside the
        /// components, so where those parts are large (a third of the variance at 64 on video-like
        /// embeddings) the bounds rule out few frames of a query far from the corpus. Measured at
        /// 10⁶ frames (`bench corpus`, docs/search.md): from 64 to 128 components the third slowest
        /// of 200 updates went from 6 088 exact distances to 100, and a scene the corpus has not
        /// seen from 10⁶ (a full pass) to 42 000.
        public static let defaultComponents = 128

        /// The components an index of embeddings of this length keeps: the default, or one fewer
        /// than the length (a basis of every direction leaves no residual to bound).
        public static func components(forDimension dimension: Int) -> Int {
            max(0, min(defaultComponents, dimension - 1))
        }
    }

    /// The embedding bytes above which a full pass hands the mapped rows back as it goes.
    static let residentRowsLimit = 1 << 30

    /// Frames per block of the bounded pass: consecutive frames, bounded together first.
    public static let blockFrames = 32

    /// The number of frames searched.
    public let frameCount: Int
    /// The length of an embedding.
    public let dimension: Int
    /// The measure: every distance is Euclidean in its space (see ``transform(_:into:)``).
    public let measure: SimilarityMeasure
    /// The principal components behind the lower bounds, or nil when every search is a full pass.
    public var boundComponents: Int? { blocks == nil ? nil : index.components }
    /// The share of the embeddings' variance those components explain (1 without bounds).
    public var explainedVariance: Double { blocks == nil ? 1 : index.explainedVariance }
    /// Whether the index came from the corpus (false: computed when the search was made).
    public let usesStoredIndex: Bool

    /// The frames' own embeddings, never transformed.
    private let rows: EmbeddingRows
    private let index: SearchIndex
    /// The corpus's mean embedding, which `.centredCosine` centres queries on.
    private let centre: [Double]
    /// Per frame `a` and `a²‖x − b‖²` in the measure's space.
    private let scales: AlignedFloats
    private let squaredLengths: AlignedFloats
    /// The mean transformed frame μ̃ and the mean squared distance of the transformed frames from it.
    private let mean: [Double]
    private let variance: Double
    private let blocks: BlockBounds?

    /// Prepares a search over a corpus, with the search index it stores (or one computed now).
    ///
    /// - Parameters:
    ///   - corpus: the corpus (kept alive by the search); its statistics give the measure's mean.
    ///   - measure: how queries are compared with the frames.
    ///   - strategy: whether to use lower bounds (a corpus without a stored index computes them
    ///     now: about a second at 100 000 frames).
    public convenience init(
        corpus: Corpus, measure: SimilarityMeasure = .euclidean, strategy: Strategy = .automatic
    ) {
        self.init(
            rows: corpus.rows.owned(by: corpus), measure: measure, statistics: corpus.statistics,
            strategy: strategy,
            stored: corpus.searchIndex)
    }

    /// Prepares a search over embeddings in memory.
    ///
    /// Bounds need the principal components: a covariance over at most 8192 frames and an
    /// eigendecomposition, 0.6–1.1 s for 100 000 frames of 1280 floats. Where LAPACK is missing from
    /// OpenBLAS, every search is a full pass.
    /// - Parameters:
    ///   - embeddings: `count × dimension` floats, row-major.
    ///   - dimension: the length of one embedding.
    ///   - owner: an object keeping `embeddings` alive, retained by the search.
    ///   - measure: how queries are compared with the frames.
    ///   - statistics: the embeddings' statistics, when known (nil computes them: two passes).
    ///   - strategy: whether to prepare lower bounds.
    public convenience init(
        embeddings: UnsafeBufferPointer<Float>, dimension: Int, owner: AnyObject?,
        measure: SimilarityMeasure = .euclidean, statistics: CorpusStatistics? = nil,
        strategy: Strategy = .automatic
    ) {
        self.init(
            rows: EmbeddingRows(contiguous: embeddings, dimension: dimension, owner: owner), measure: measure,
            statistics: statistics, strategy: strategy, stored: nil)
    }

    /// Prepares a search over rows of embeddings, computing the search index now.
    ///
    /// - Parameters:
    ///   - rows: the embeddings (kept alive by the search).
    ///   - measure: how queries are compared with the frames.
    ///   - statistics: the embeddings' statistics, when known (nil computes them: two passes).
    ///   - strategy: whether to prepare lower bounds.
    public convenience init(
        rows: EmbeddingRows, measure: SimilarityMeasure = .euclidean, statistics: CorpusStatistics? = nil,
        strategy: Strategy = .automatic
    ) {
        self.init(rows: rows, measure: measure, statistics: statistics, strategy: strategy, stored: nil)
    }

    /// Prepares a search over rows of embeddings.
    ///
    /// - Parameters:
    ///   - rows: the embeddings (kept alive by the search).
    ///   - measure: how queries are compared with the frames.
    ///   - statistics: the embeddings' statistics, when known (nil computes them: two passes).
    ///   - strategy: whether to use lower bounds.
    ///   - stored: a search index of these rows already computed (used when it has the components
    ///     the strategy asks for).
    init(
        rows: EmbeddingRows, measure: SimilarityMeasure, statistics: CorpusStatistics?, strategy: Strategy,
        stored: SearchIndex?
    ) {
        let dimension = rows.dimension
        let frames = rows.frameCount
        self.rows = rows
        self.dimension = dimension
        self.measure = measure
        frameCount = frames
        let statistics =
            statistics.flatMap { $0.fits(frames: frames, dimension: dimension) ? $0 : nil }
            ?? CorpusStatistics.compute(rows: rows)
        centre = statistics.mean
        let wanted: Int
        switch strategy {
        case .exact: wanted = 0
        case .bounded(let count): wanted = count
        case .automatic:
            wanted =
                frames >= Strategy.boundedMinimumFrames
                ? (stored?.components ?? Strategy.components(forDimension: dimension)) : 0
        }
        // A stored index serves an exact search (its norms) or a bounded one with its components.
        let usable = stored.flatMap {
            $0.frames == frames && $0.dimension == dimension && (wanted == 0 || $0.components == wanted)
                ? $0 : nil
        }
        usesStoredIndex = usable != nil
        let index =
            usable
            ?? SearchIndex.build(rows: rows, mean: statistics.mean, components: min(wanted, dimension - 1))
        self.index = index
        let space = statistics.space(measure)
        mean = space.mean
        variance = space.meanSquaredDistance
        scales = AlignedFloats(count: frames)
        squaredLengths = AlignedFloats(count: frames)
        for frame in 0..<frames {
            let length =
                measure == .centredCosine ? index.centredNorms[frame] : index.norms[frame]
            switch measure {
            case .euclidean:
                scales.pointer[frame] = 1
                squaredLengths.pointer[frame] = length * length
            case .cosine, .centredCosine:
                scales.pointer[frame] = length > 0 ? 1 / length : 0
                squaredLengths.pointer[frame] = length > 0 ? 1 : 0
            }
        }
        blocks =
            wanted > 0 && index.components > 0 && frames > 1
            ? BlockBounds(
                index: index, measure: measure, scales: scales.pointer, blockFrames: Self.blockFrames)
            : nil
    }

    /// Maps a picture's embedding into the measure's space, where every search takes its query.
    ///
    /// - Parameters:
    ///   - embedding: `dimension` floats from the corpus's model.
    ///   - output: receives `dimension` floats (may be `embedding`'s memory).
    public func transform(
        _ embedding: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(embedding.count == dimension && output.count == dimension, "wrong lengths")
        centre.withUnsafeBufferPointer { centre in
            measure.transform(
                embedding.baseAddress!, into: output.baseAddress!, count: dimension,
                centre: centre.baseAddress)
        }
    }

    /// Makes the scratch space one thread needs for ``distances(to:cutoff:eligible:workspace:into:nearest:)``.
    ///
    /// - Returns: a workspace for this search, to reuse for every query of one thread.
    public func makeWorkspace() -> SearchWorkspace {
        SearchWorkspace(
            blocks: blocks?.blockCount ?? 0, blockFrames: blocks?.blockFrames ?? 0,
            candidates: blocks == nil ? 0 : frameCount / 4, components: blocks?.components ?? 0,
            dimension: dimension)
    }

    /// The root-mean-square distance from a query to every frame of the corpus, in O(dimension).
    ///
    /// `√(mean ‖q − x‖²) = √(‖q − μ‖² + mean ‖x − μ‖²)` with the mean embedding μ and the frames'
    /// mean squared distance from it computed once: no frame is read.
    /// - Parameter query: `dimension` floats in the measure's space.
    /// - Returns: the distance (0 for an empty corpus).
    public func rootMeanSquareDistance(to query: UnsafeBufferPointer<Float>) -> Double {
        precondition(query.count == dimension, "the query has the wrong length")
        guard frameCount > 0, let q = query.baseAddress else { return 0 }
        var offset = 0.0
        for i in 0..<dimension {
            let difference = Double(q[i]) - mean[i]
            offset += difference * difference
        }
        return (offset + variance).squareRoot()
    }

    /// Computes the distance from a query to every frame, allocating nothing.
    ///
    /// - Parameters:
    ///   - query: `dimension` floats in the measure's space.
    ///   - distances: `frameCount` floats; `distances[i]` receives the Euclidean distance to frame `i`.
    public func distances(
        to query: UnsafeBufferPointer<Float>, into distances: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(query.count == dimension, "the query has the wrong length")
        precondition(distances.count == frameCount, "the distance buffer has the wrong length")
        guard frameCount > 0, let q = query.baseAddress, let out = distances.baseAddress else { return }
        exactPass(q, into: out)
    }

    /// Finds the nearest frames with one full pass, allocating nothing.
    ///
    /// - Parameters:
    ///   - query: `dimension` floats in the measure's space.
    ///   - scratch: `frameCount` floats, left holding every distance (as `distances(to:into:)`).
    ///   - results: receives up to `results.count` neighbours, nearest first (ties by frame index).
    /// - Returns: how many neighbours were written: `min(results.count, frameCount)`.
    @discardableResult
    public func nearest(
        to query: UnsafeBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<Float>,
        into results: UnsafeMutableBufferPointer<Neighbor>
    ) -> Int {
        precondition(query.count == dimension && scratch.count == frameCount, "wrong buffer lengths")
        let k = min(results.count, frameCount)
        guard k > 0, let q = query.baseAddress, let out = scratch.baseAddress else { return 0 }
        exactPass(q, into: out)
        selectNearest(out, query: q, into: results, count: k)
        return k
    }

    /// Finds the nearest frames to an embedding (transformed into the measure's space first).
    ///
    /// - Parameters:
    ///   - embedding: `dimension` floats: a raw embedding from the corpus's model.
    ///   - count: how many neighbours.
    /// - Returns: up to `count` neighbours, nearest first.
    public func nearest(to embedding: [Float], count: Int) -> [Neighbor] {
        var query = embedding
        embedding.withUnsafeBufferPointer { raw in
            query.withUnsafeMutableBufferPointer { transform(raw, into: $0) }
        }
        var scratch = [Float](repeating: 0, count: frameCount)
        var results = [Neighbor](repeating: Neighbor(frame: 0, distance: 0), count: min(count, frameCount))
        let found = query.withUnsafeBufferPointer { q in
            scratch.withUnsafeMutableBufferPointer { s in
                results.withUnsafeMutableBufferPointer { r in nearest(to: q, scratch: s, into: r) }
            }
        }
        return Array(results.prefix(found))
    }

    /// The distances a distance → probability map needs, exact wherever they can matter, and the
    /// nearest frames; allocating nothing.
    ///
    /// With `s` the root-mean-square distance (``rootMeanSquareDistance(to:)``) and `d_min` the
    /// distance to the nearest eligible frame, a frame's normalised distance is
    /// `z = (d − d_min) / (s − d_min)`. Every frame with `z ≤ cutoff` gets its exact distance; a frame
    /// proven beyond the cutoff (by its lower bound) gets `+∞` instead. A map that gives likeness 0
    /// beyond `cutoff` therefore yields the same p(t) as from all exact distances.
    ///
    /// How: the lower bound of every block of ``blockFrames`` frames (``BlockBounds``); the exact
    /// distances of the eligible frames of the block with the smallest bound, whose least, `d₀`,
    /// bounds `d_min`, hence the cutoff distance `d_min + cutoff·(s − d_min)`, from above; then, in
    /// every block whose bound is below that, the frames' own bounds, and exact distances for the
    /// frames whose bound is below it. A full pass is made instead without bounds, with a non-finite
    /// cutoff, when the best blocks hold no eligible frame, when the distances barely spread
    /// (`s − d₀ < 10⁻⁶ s`), or when the blocks left hold more than a quarter of the frames.
    /// - Parameters:
    ///   - query: `dimension` floats in the measure's space.
    ///   - cutoff: the normalised distance beyond which likeness is 0 (≥ 0; infinite for all exact).
    ///   - eligible: per frame a weight; frames with weight > 0 define `d_min` (nil: all frames).
    ///   - workspace: this thread's workspace, from ``makeWorkspace()``.
    ///   - distances: `frameCount` floats: exact distances, `+∞` for frames proven beyond the cutoff.
    ///   - nearest: receives up to `nearest.count` neighbours among all frames, nearest first, exact.
    /// - Returns: what the pass did: the scale `s`, how many exact distances it computed, how many
    ///   neighbours it wrote.
    @discardableResult
    public func distances(
        to query: UnsafeBufferPointer<Float>, cutoff: Double, eligible: UnsafeBufferPointer<Double>?,
        workspace: SearchWorkspace, into distances: UnsafeMutableBufferPointer<Float>,
        nearest: UnsafeMutableBufferPointer<Neighbor>
    ) -> CutoffPass {
        precondition(query.count == dimension, "the query has the wrong length")
        precondition(distances.count == frameCount, "the distance buffer has the wrong length")
        precondition(eligible.map { $0.count == frameCount } ?? true, "the eligibility has the wrong length")
        let scale = rootMeanSquareDistance(to: query)
        let k = min(nearest.count, frameCount)
        guard frameCount > 0, let q = query.baseAddress, let out = distances.baseAddress else {
            return CutoffPass(scale: scale, exactDistances: 0, neighborCount: 0, bounded: false)
        }
        var work = (blocks: 0, frames: 0)
        if let blocks, cutoff >= 0, cutoff.isFinite,
            let found = boundedPass(
                q, scale: scale, cutoff: cutoff, eligible: eligible, blocks: blocks, workspace: workspace,
                into: out, nearest: nearest, count: k, work: &work)
        {
            return CutoffPass(
                scale: scale, exactDistances: found, neighborCount: k, bounded: true,
                survivingBlocks: work.blocks,
                boundedFrames: work.frames)
        }
        exactPass(q, into: out)
        selectNearest(out, query: q, into: nearest, count: k)
        return CutoffPass(
            scale: scale, exactDistances: frameCount, neighborCount: k, bounded: false,
            survivingBlocks: work.blocks, boundedFrames: work.frames)
    }

    /// The bounded pass; nil when a full pass should be made instead (nothing written that matters).
    private func boundedPass(
        _ q: UnsafePointer<Float>, scale: Double, cutoff: Double, eligible: UnsafeBufferPointer<Double>?,
        blocks: BlockBounds, workspace: SearchWorkspace, into out: UnsafeMutablePointer<Float>,
        nearest results: UnsafeMutableBufferPointer<Neighbor>, count k: Int,
        work: inout (blocks: Int, frames: Int)
    ) -> Int? {
        precondition(
            workspace.blockBounds.count >= blocks.blockCount, "the workspace belongs to another search")
        let query = blocks.prepare(q, workspace: workspace)
        let closest = blocks.boundBlocks(query, workspace: workspace)
        let blockBounds = workspace.blockBounds.baseAddress!
        let frameBounds = workspace.frameBounds.baseAddress!
        let scales = self.scales.pointer
        var lowest = Float.infinity
        for block in 0..<blocks.blockCount { lowest = min(lowest, blockBounds[block]) }
        // d₀: the nearest eligible frame of the block whose centroid is nearest the query (every
        // frame's distance is at least the smallest block bound, so d_min ∈ [√lowest, d₀]).
        var upper = Float.infinity
        let (first, count, _) = blocks.boundFrames(of: closest, query, scales: scales, workspace: workspace)
        for frame in first..<first + count where (eligible?[frame] ?? 1) > 0 {
            upper = min(upper, directDistance(q, frame: frame))
        }
        // The cutoff distance c(d) = d + cutoff·(s − d) is linear in d_min ∈ [√lowest, d₀]: its
        // largest value is at one end.
        let lower = Double(lowest).squareRoot()
        func threshold(upper: Float) -> Float {
            let upper = Double(upper)
            let reach = max(lower + cutoff * (scale - lower), upper + cutoff * (scale - upper))
            // A margin for the rounding of the bounds (float sums of terms as large as the bound itself).
            return Float(reach * reach * (1 + 1e-3) + 1e-6 * scale * scale)
        }
        // The frames whose bound is at most `listedBelow`, in frame order, with their bounds: every
        // threshold after the first is lower, so the surviving blocks' frames are bounded once, not
        // once per round and again for the exact distances (-1: no list, it would not fit).
        let listFrames = workspace.candidateFrames.baseAddress!
        let listBounds = workspace.candidateBounds.baseAddress!
        let capacity = workspace.candidateFrames.count
        var listed = 0
        var listedBelow: Float = -1
        var counted = false
        // The frames a threshold leaves, and the eligible one with the smallest bound among them.
        func candidates(below threshold: Float) -> (count: Int, best: Int, bound: Float) {
            var needed = 0
            var best = -1
            var bestBound = Float.infinity
            if threshold <= listedBelow {
                for slot in 0..<listed where listBounds[slot] <= threshold {
                    needed += 1
                    let frame = Int(listFrames[slot])
                    if listBounds[slot] < bestBound && (eligible?[frame] ?? 1) > 0 {
                        best = frame
                        bestBound = listBounds[slot]
                    }
                }
                return (needed, best, bestBound)
            }
            var fits = true
            listed = 0
            for block in 0..<blocks.blockCount where blockBounds[block] <= threshold {
                let (first, count, bounded) = blocks.boundFrames(
                    of: block, query, scales: scales, workspace: workspace, below: threshold)
                if !counted { work.blocks += 1 }
                work.frames += bounded
                for row in 0..<count where frameBounds[row] <= threshold {
                    needed += 1
                    if frameBounds[row] < bestBound && (eligible?[first + row] ?? 1) > 0 {
                        best = first + row
                        bestBound = frameBounds[row]
                    }
                    if fits && listed < capacity {
                        listFrames[listed] = Int32(first + row)
                        listBounds[listed] = frameBounds[row]
                        listed += 1
                    } else {
                        fits = false
                    }
                }
            }
            listedBelow = fits ? threshold : -1
            counted = true
            return (needed, best, bestBound)
        }
        // A frame with a smaller bound than d₀² may be nearer: its distance tightens the cutoff (and
        // when the closest block holds no eligible frame, gives d₀). A few rounds at most: on
        // embeddings without temporal order the closest centroid says little.
        var limit = upper.isFinite ? threshold(upper: upper) : .infinity
        var found = candidates(below: limit)
        for _ in 0..<3 where found.best >= 0 && found.bound < upper * upper {
            let distance = directDistance(q, frame: found.best)
            guard distance < upper else { break }
            upper = distance
            limit = threshold(upper: upper)
            found = candidates(below: limit)
        }
        guard upper.isFinite, scale - Double(upper) >= 1e-6 * scale, found.count <= frameCount / 4 else {
            return nil
        }
        let threshold = limit
        out.update(repeating: .infinity, count: frameCount)
        var computed = 0
        var filled = 0
        // The exact distance of a frame not yet computed, kept among the k nearest.
        func measure(_ frame: Int) {
            guard out[frame] == .infinity else { return }
            let distance = directDistance(q, frame: frame)
            out[frame] = distance
            computed += 1
            if k > 0 {
                insert(Neighbor(frame: frame, distance: distance), into: results, filled: filled, count: k)
                filled = min(filled + 1, k)
            }
        }
        // Exact distances for the frames not yet computed whose bound is at most `limit`.
        func visit(below limit: Float, above previous: Float) {
            if limit <= listedBelow {
                func wanted(_ slot: Int) -> Bool {
                    listBounds[slot] <= limit && !(listBounds[slot] <= previous)
                }
                rows.readAhead(listFrames, count: listed, where: wanted)
                var read = 0
                for slot in 0..<listed where wanted(slot) {
                    measure(Int(listFrames[slot]))
                    read += 1
                }
                // A scene far from the corpus reads tens of thousands of rows: hand them back, so
                // that a long session does not keep every row it ever read resident.
                if read * dimension * 4 > Self.residentRowsLimit / 16 {
                    rows.release(listFrames, count: listed, where: wanted)
                }
                return
            }
            for block in 0..<blocks.blockCount where blockBounds[block] <= limit {
                let (first, count, bounded) = blocks.boundFrames(
                    of: block, query, scales: scales, workspace: workspace, below: limit)
                work.frames += bounded
                for row in 0..<count where frameBounds[row] <= limit && !(frameBounds[row] <= previous) {
                    measure(first + row)
                }
            }
        }
        visit(below: threshold, above: -1)
        guard k > 0 else { return computed }
        // Fewer than k frames within the cutoff: widen until k are found.
        var reached = threshold
        while filled < k && reached.isFinite {
            // In small steps: every frame whose bound the step passes gets an exact distance.
            let wider = max(reached * 1.2, 1e-6 * Float(scale * scale))
            visit(below: wider, above: reached)
            reached = wider
            if reached > Float(4 * scale * scale) * 1e3 { reached = .infinity }
        }
        if filled < k { visit(below: .infinity, above: -1) }
        // Frames not computed lie beyond their bounds: any whose bound is below the k-th distance
        // could still be nearer, so compute those too (their distances are past the cutoff anyway).
        let kth = results[k - 1].distance
        let refine = kth * kth * (1 + 1e-3) + 1e-6 * Float(scale * scale)
        if refine > reached { visit(below: refine, above: reached) }
        // The k nearest with direct distances, as the full pass reports them.
        for i in 0..<k { results[i].distance = directDistance(q, frame: results[i].frame) }
        var nearest = UnsafeMutableBufferPointer(rebasing: results[0..<k])
        nearest.sort { Self.precedes($0, $1) }
        return computed
    }

    /// What every exact distance from one query needs: `‖q̃‖²` and `q̃·b`.
    private struct QueryTerms {
        var squaredNorm: Float
        var centreProduct: Float

        init(query: UnsafePointer<Float>, search: NearestFrameSearch) {
            var norm = 0.0
            var product = 0.0
            for i in 0..<search.dimension {
                norm += Double(query[i]) * Double(query[i])
                if search.measure == .centredCosine { product += Double(query[i]) * search.centre[i] }
            }
            squaredNorm = Float(norm)
            centreProduct = Float(product)
        }
    }

    private func exactPass(_ q: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let terms = QueryTerms(query: q, search: self)
        // A large corpus's rows go back to the page cache as the pass leaves them: a full pass must
        // not leave 5 GB resident.
        let release = frameCount * dimension * 4 > Self.residentRowsLimit
        for (index, run) in rows.runs.enumerated() {
            RowProducts.multiply(
                run.base, rows: run.count, columns: dimension, by: q, scale: -2, into: out + run.first)
            if release { rows.release(run: index) }
        }
        for frame in 0..<frameCount {
            out[frame] = distance(fromProduct: out[frame], frame: frame, query: q, terms: terms)
        }
    }

    /// The distance from `−2 q̃·x`, or directly where the expanded form cancels.
    @inline(__always)
    private func distance(
        fromProduct product: Float, frame: Int, query: UnsafePointer<Float>, terms: QueryTerms
    )
        -> Float
    {
        let a = scales.pointer[frame]
        let size = terms.squaredNorm + squaredLengths.pointer[frame]
        let squared = size + a * (product + 2 * terms.centreProduct)
        return squared < 1e-3 * size ? directDistance(query, frame: frame) : squared.squareRoot()
    }

    /// Picks the `count` smallest of `distances` into `results`, with direct distances, sorted.
    private func selectNearest(
        _ distances: UnsafeMutablePointer<Float>, query: UnsafePointer<Float>,
        into results: UnsafeMutableBufferPointer<Neighbor>, count k: Int
    ) {
        guard k > 0 else { return }
        insertNearest(distances, into: results, count: k)
        for i in 0..<k { results[i].distance = directDistance(query, frame: results[i].frame) }
        // Recomputed distances may reorder near-ties.
        var nearest = UnsafeMutableBufferPointer(rebasing: results[0..<k])
        nearest.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.frame < $1.frame) }
    }

    /// The `count` smallest of `distances`, sorted, by insertion: a new frame rarely beats the
    /// current k-th for small k.
    private func insertNearest(
        _ distances: UnsafeMutablePointer<Float>, into results: UnsafeMutableBufferPointer<Neighbor>,
        count k: Int
    ) {
        var filled = 0
        for frame in 0..<frameCount {
            if filled == k && distances[frame] >= results[k - 1].distance { continue }
            insert(
                Neighbor(frame: frame, distance: distances[frame]), into: results, filled: filled, count: k)
            if filled < k { filled += 1 }
        }
    }

    /// Inserts a neighbour into a sorted prefix of `filled` entries, keeping at most `count`
    /// (frames inserted in increasing order win ties).
    private func insert(
        _ neighbor: Neighbor, into results: UnsafeMutableBufferPointer<Neighbor>, filled: Int, count k: Int
    ) {
        if filled == k && !Self.precedes(neighbor, results[k - 1]) { return }
        var slot = filled < k ? filled : k - 1
        while slot > 0 && Self.precedes(neighbor, results[slot - 1]) {
            results[slot] = results[slot - 1]
            slot -= 1
        }
        results[slot] = neighbor
    }

    private static func precedes(_ a: Neighbor, _ b: Neighbor) -> Bool {
        a.distance < b.distance || (a.distance == b.distance && a.frame < b.frame)
    }

    /// One frame's distance from the query computed from their difference: exact to rounding, 0
    /// for the frame's own transformed embedding.
    private func directDistance(_ query: UnsafePointer<Float>, frame: Int) -> Float {
        let x = UnsafeRawPointer(rows.row(frame))
        let q = UnsafeRawPointer(query)
        let a = SIMD8<Float>(repeating: scales.pointer[frame])
        // `b` is μ for the centred cosine (in float: the rounding is far below a distance's), else 0.
        let b = measure == .centredCosine ? UnsafeRawPointer(index.mean) : nil
        var s0 = SIMD8<Float>()
        var s1 = SIMD8<Float>()
        var i = 0
        while i &+ 16 <= dimension {
            let offset = i &* 4
            var x0 = x.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            var x1 = x.loadUnaligned(fromByteOffset: offset &+ 32, as: SIMD8<Float>.self)
            if let b {
                x0 -= b.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                x1 -= b.loadUnaligned(fromByteOffset: offset &+ 32, as: SIMD8<Float>.self)
            }
            let d0 = a * x0 - q.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            let d1 = a * x1 - q.loadUnaligned(fromByteOffset: offset &+ 32, as: SIMD8<Float>.self)
            s0 = d0 * d0 + s0
            s1 = d1 * d1 + s1
            i &+= 16
        }
        var sum = (s0 + s1).sum()
        let rowFloats = rows.row(frame)
        let centre = index.mean
        while i < dimension {
            let difference = scales.pointer[frame] * (rowFloats[i] - (b == nil ? 0 : centre[i])) - query[i]
            sum += difference * difference
            i &+= 1
        }
        return sum.squareRoot()
    }
}
