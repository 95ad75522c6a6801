import COpenBLAS

/// Search over a corpus's embeddings under a ``SimilarityMeasure``: every distance, the nearest
/// frames, and the pass a vision update needs — exact distances only where they can matter.
///
/// Every measure is a Euclidean distance in a transformed space: the frames are transformed once
/// when the search is made, and a query is transformed the same way (``transform(_:into:)``) before
/// it is searched — or averaged first, as the analyser's evidence does. Everything below works on
/// those transformed vectors, whatever the measure. The methods taking a buffer take a query already
/// in the measure's space; ``nearest(to:count:)`` takes a raw embedding.
///
/// Exact distances use `‖q − x‖² = ‖q‖² − 2 q·x + ‖x‖²`: one matrix-vector product (``RowProducts``)
/// over all frames, with the frames' squared norms computed once. That form loses precision where
/// `q` and `x` nearly coincide (the terms cancel), so distances below √(1/1000 of `‖q‖² + ‖x‖²`)
/// are recomputed directly: a frame queried with its own embedding is at distance 0.
///
/// One full pass reads every embedding (5 kB a frame), so a large corpus is bound by memory
/// bandwidth: 100 000 frames are 512 MB. A vision update does not need every distance, though:
/// the distance → probability map gives likeness 0 to every frame farther than a cutoff (see
/// ``distances(to:cutoff:eligible:workspace:into:nearest:)``), and lower bounds from the embeddings'
/// leading principal components (``ProjectedEmbeddings``, 0.25 kB a frame at 64 components) prove
/// most frames beyond it without reading them.
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
        /// The principal components `.automatic` keeps.
        public static let defaultComponents = 64
    }

    /// The number of frames searched.
    public let frameCount: Int
    /// The length of an embedding.
    public let dimension: Int
    /// The measure: every distance is Euclidean in its space (see ``transform(_:into:)``).
    public let measure: SimilarityMeasure
    /// The principal components behind the lower bounds, or nil when every search is a full pass.
    public var boundComponents: Int? { projection?.dimensions }
    /// The share of the embeddings' variance those components explain (1 without bounds).
    public var explainedVariance: Double { projection?.explainedVariance ?? 1 }

    /// The frames in the measure's space: the corpus's own embeddings for `.euclidean`, else a
    /// transformed copy made once (`transformed` owns it).
    private let embeddings: UnsafePointer<Float>
    private let transformed: AlignedFloats?
    private let squaredNorms: AlignedFloats
    /// The corpus's mean embedding, which `.centredCosine` centres queries on.
    private let centre: [Double]
    /// The mean transformed frame μ̃ (in double for the scale, in float for BLAS) and the mean
    /// squared distance of the transformed frames from it.
    private let mean: [Double]
    private let meanFloats: AlignedFloats
    private let variance: Double
    private let projection: ProjectedEmbeddings?
    private let owner: AnyObject?

    /// Prepares a search over a corpus.
    ///
    /// - Parameters:
    ///   - corpus: the corpus (kept alive by the search); its statistics give the measure's mean.
    ///   - measure: how queries are compared with the frames.
    ///   - strategy: whether to prepare lower bounds (about a second at 100 000 frames).
    public convenience init(
        corpus: Corpus, measure: SimilarityMeasure = .euclidean, strategy: Strategy = .automatic
    ) {
        self.init(
            embeddings: corpus.embeddings, dimension: corpus.embeddingSize, owner: corpus, measure: measure,
            statistics: corpus.statistics, strategy: strategy)
    }

    /// Prepares a search over embeddings in memory.
    ///
    /// Bounds need the principal components: a covariance over at most 8192 frames and an
    /// eigendecomposition, 0.6–1.1 s for 100 000 frames of 1280 floats. Where LAPACK is missing from
    /// OpenBLAS, every search is a full pass. A measure other than `.euclidean` transforms a copy of
    /// the embeddings once (as many bytes again).
    /// - Parameters:
    ///   - embeddings: `count × dimension` floats, row-major.
    ///   - dimension: the length of one embedding.
    ///   - owner: an object keeping `embeddings` alive, retained by the search.
    ///   - measure: how queries are compared with the frames.
    ///   - statistics: the embeddings' statistics, when known (nil computes them: two passes).
    ///   - strategy: whether to prepare lower bounds.
    public init(
        embeddings: UnsafeBufferPointer<Float>, dimension: Int, owner: AnyObject?,
        measure: SimilarityMeasure = .euclidean, statistics: CorpusStatistics? = nil,
        strategy: Strategy = .automatic
    ) {
        precondition(dimension > 0 && embeddings.count % dimension == 0, "embeddings must be whole rows")
        self.dimension = dimension
        self.measure = measure
        frameCount = embeddings.count / dimension
        let frames = frameCount
        let statistics =
            statistics.flatMap { $0.fits(frames: frames, dimension: dimension) ? $0 : nil }
            ?? CorpusStatistics.compute(embeddings: embeddings, dimension: dimension)
        let centre = statistics.mean
        self.centre = centre
        let raw = embeddings.baseAddress ?? UnsafePointer(AlignedFloats(count: 1).pointer)
        var copy: AlignedFloats?
        if measure != .euclidean {
            let rows = AlignedFloats(count: max(1, frames * dimension))
            centre.withUnsafeBufferPointer { centre in
                for frame in 0..<frames {
                    measure.transform(
                        raw + frame * dimension, into: rows.pointer + frame * dimension, count: dimension,
                        centre: centre.baseAddress)
                }
            }
            copy = rows
        }
        transformed = copy
        let base = copy.map { UnsafePointer($0.pointer) } ?? raw
        self.embeddings = base
        self.owner = owner
        let norms = AlignedFloats(count: frameCount)
        for frame in 0..<frameCount {
            let row = base + frame * dimension
            norms.pointer[frame] = Float(cblas_dsdot(Int32(dimension), row, 1, row, 1))
        }
        squaredNorms = norms
        let space = statistics.space(measure)
        let meanStorage = AlignedFloats(count: dimension)
        for i in 0..<dimension { meanStorage.pointer[i] = Float(space.mean[i]) }
        mean = space.mean
        meanFloats = meanStorage
        variance = space.meanSquaredDistance
        let components: Int?
        switch strategy {
        case .exact: components = nil
        case .bounded(let count): components = count
        case .automatic:
            components = frames >= Strategy.boundedMinimumFrames ? Strategy.defaultComponents : nil
        }
        projection = components.flatMap { components in
            components < dimension && frames > 1
                ? ProjectedEmbeddings(
                    embeddings: base, frames: frames, full: dimension, mean: meanStorage.pointer,
                    dimensions: components)
                : nil
        }
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
            frames: projection == nil ? 0 : frameCount, components: projection?.dimensions ?? 0,
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
    /// How: the lower bounds of every frame (a pass over 0.25 kB a frame); the exact distance `d₀` of
    /// the eligible frame with the smallest bound, which bounds `d_min`, hence the cutoff distance
    /// `d_min + cutoff·(s − d_min)`, from above; then exact distances for every frame whose bound
    /// is below that. A full pass is made instead without bounds, with a non-finite cutoff, when no
    /// frame is eligible, when the distances barely spread (`s − d₀ < 10⁻⁶ s`), or when more than a
    /// quarter of the frames would need an exact distance anyway.
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
        if let projection, cutoff >= 0, cutoff.isFinite,
            let found = boundedPass(
                q, scale: scale, cutoff: cutoff, eligible: eligible, projection: projection,
                workspace: workspace, into: out, nearest: nearest, count: k)
        {
            return CutoffPass(scale: scale, exactDistances: found, neighborCount: k, bounded: true)
        }
        exactPass(q, into: out)
        selectNearest(out, query: q, into: nearest, count: k)
        return CutoffPass(scale: scale, exactDistances: frameCount, neighborCount: k, bounded: false)
    }

    /// The bounded pass; nil when a full pass should be made instead (nothing written that matters).
    private func boundedPass(
        _ q: UnsafePointer<Float>, scale: Double, cutoff: Double, eligible: UnsafeBufferPointer<Double>?,
        projection: ProjectedEmbeddings, workspace: SearchWorkspace, into out: UnsafeMutablePointer<Float>,
        nearest results: UnsafeMutableBufferPointer<Neighbor>, count k: Int
    ) -> Int? {
        precondition(workspace.bounds.count == frameCount, "the workspace belongs to another search")
        let bounds = workspace.bounds.baseAddress!
        projection.squaredLowerBounds(
            of: q, into: bounds, projected: workspace.projected.baseAddress!,
            centred: workspace.centred.baseAddress!, frames: frameCount)
        var best = -1
        var bestBound = Float.infinity
        for frame in 0..<frameCount where bounds[frame] < bestBound && (eligible?[frame] ?? 1) > 0 {
            best = frame
            bestBound = bounds[frame]
        }
        guard best >= 0 else { return nil }
        let upper = Double(exactDistance(q, frame: best))
        guard scale - upper >= 1e-6 * scale else { return nil }
        // The cutoff distance c(d) = d + cutoff·(s − d) is linear in d_min ∈ [√bound, d₀]: its
        // largest value is at one end.
        let lower = Double(bestBound).squareRoot()
        let reach = max(lower + cutoff * (scale - lower), upper + cutoff * (scale - upper))
        // A margin for the rounding of the bounds (float sums of terms as large as the bound itself).
        let threshold = Float(reach * reach * (1 + 1e-3) + 1e-6 * scale * scale)
        var needed = 0
        for frame in 0..<frameCount where bounds[frame] <= threshold { needed += 1 }
        guard needed <= frameCount / 4 else { return nil }
        var computed = 0
        for frame in 0..<frameCount {
            if bounds[frame] <= threshold {
                out[frame] = exactDistance(q, frame: frame)
                computed += 1
            } else {
                out[frame] = .infinity
            }
        }
        guard k > 0 else { return computed }
        insertNearest(out, into: results, count: k)
        if !results[k - 1].distance.isFinite {
            // Fewer than k frames within the cutoff: add the k others with the smallest bounds.
            var filled = 0
            for frame in 0..<frameCount where out[frame] == .infinity {
                insert(
                    Neighbor(frame: frame, distance: bounds[frame]), into: results, filled: filled, count: k)
                filled = min(filled + 1, k)
            }
            for i in 0..<filled where out[results[i].frame] == .infinity {
                out[results[i].frame] = exactDistance(q, frame: results[i].frame)
                computed += 1
            }
            insertNearest(out, into: results, count: k)
        }
        // Frames not computed lie beyond their bounds: any whose bound is below the k-th distance
        // could still be nearer, so compute those too (their distances are past the cutoff anyway).
        let kth = results[k - 1].distance
        let refine = kth.isFinite ? kth * kth * (1 + 1e-3) : .infinity
        if refine > threshold {
            for frame in 0..<frameCount where out[frame] == .infinity && bounds[frame] <= refine {
                let distance = exactDistance(q, frame: frame)
                out[frame] = distance
                computed += 1
                insert(Neighbor(frame: frame, distance: distance), into: results, filled: k, count: k)
            }
        }
        return computed
    }

    private func exactPass(_ q: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let queryNorm = Float(cblas_dsdot(Int32(dimension), q, 1, q, 1))
        RowProducts.multiply(embeddings, rows: frameCount, columns: dimension, by: q, scale: -2, into: out)
        let norms = squaredNorms.pointer
        for frame in 0..<frameCount {
            let scale = queryNorm + norms[frame]
            let squared = out[frame] + scale
            out[frame] = squared < 1e-3 * scale ? exactDistance(q, frame: frame) : squared.squareRoot()
        }
    }

    /// Picks the `count` smallest of `distances` into `results`, with direct distances, sorted.
    private func selectNearest(
        _ distances: UnsafeMutablePointer<Float>, query: UnsafePointer<Float>,
        into results: UnsafeMutableBufferPointer<Neighbor>, count k: Int
    ) {
        guard k > 0 else { return }
        insertNearest(distances, into: results, count: k)
        for i in 0..<k { results[i].distance = exactDistance(query, frame: results[i].frame) }
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

    private func exactDistance(_ query: UnsafePointer<Float>, frame: Int) -> Float {
        SquaredDistance.between(query, embeddings + frame * dimension, count: dimension).squareRoot()
    }
}
