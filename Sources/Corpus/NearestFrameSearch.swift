import COpenBLAS
import Synchronization

/// Brute-force Euclidean search over a corpus's embeddings, through OpenBLAS.
///
/// Exact distances use `‖q − x‖² = ‖q‖² − 2 q·x + ‖x‖²`: one matrix-vector product (`cblas_sgemv`)
/// over all frames, with the frames' squared norms computed once. That form loses precision where
/// `q` and `x` nearly coincide (the terms cancel), so distances below √(1/1000 of `‖q‖² + ‖x‖²`)
/// are recomputed directly in double precision: a frame queried with its own embedding is at
/// distance 0.
///
/// One pass reads every embedding (5 kB a frame), so a large corpus is bound by memory bandwidth:
/// 100 000 frames are 512 MB. With `.projected` precision the pass reads the embeddings projected
/// onto their leading principal components instead (0.5 kB a frame at 128 components); each
/// distance is then estimated (see `ProjectedEmbeddings`), and the frames nearest by a provable
/// lower bound are recomputed exactly. `nearest(to:)` stays exact: when the bounds do not prove
/// its answer it makes the exact pass too. Distances concentrate in 1280 dimensions, so the bounds
/// rarely prove ten neighbours (`bench corpus` counts it), which is why `.exact` is the default.
/// Thread-safe: any number of threads may search at once; searching allocates nothing.
public final class NearestFrameSearch: @unchecked Sendable {
    /// How distances are computed.
    public enum Precision: Sendable, Equatable {
        /// Every distance exact: one pass over the full embeddings.
        case exact
        /// A first pass over `dimensions` principal components; the nearest candidates exact.
        case projected(dimensions: Int)
    }

    /// The number of frames searched.
    public let frameCount: Int
    /// The length of an embedding.
    public let dimension: Int
    /// The components kept by a projected search, or nil for an exact one.
    public var projectedDimensions: Int? { projection?.dimensions }
    /// The share of the embeddings' variance the kept components explain (1 for an exact search).
    public var explainedVariance: Double { projection?.explainedVariance ?? 1 }

    /// Frames whose distance a projected `distances(to:into:)` recomputes exactly.
    public static let exactCandidates = 32

    /// `nearest` calls of a projected search whose answer the lower bounds proved, and those that
    /// needed the exact pass; counted without locks, for benchmarks.
    public var projectedNearestCounts: (proven: Int, fellBack: Int) {
        (provenCount.load(ordering: .relaxed), fallbackCount.load(ordering: .relaxed))
    }
    private let provenCount = Atomic<Int>(0)
    private let fallbackCount = Atomic<Int>(0)

    private let embeddings: UnsafePointer<Float>
    private let squaredNorms: AlignedFloats
    private let projection: ProjectedEmbeddings?
    private let owner: AnyObject?

    /// Prepares a search over a corpus.
    ///
    /// - Parameters:
    ///   - corpus: the corpus (kept alive by the search).
    ///   - precision: exact, or projected for speed on large corpora.
    public convenience init(corpus: Corpus, precision: Precision = .exact) {
        self.init(
            embeddings: corpus.embeddings, dimension: corpus.embeddingSize, owner: corpus,
            precision: precision)
    }

    /// Prepares a search over embeddings in memory.
    ///
    /// A projected search computes its components here (a covariance over at most 8192 frames and
    /// an eigendecomposition, about a second for 100 000 frames of 1280 floats). Where LAPACK is
    /// missing from OpenBLAS, the search is exact.
    /// - Parameters:
    ///   - embeddings: `count × dimension` floats, row-major.
    ///   - dimension: the length of one embedding.
    ///   - owner: an object keeping `embeddings` alive, retained by the search.
    ///   - precision: exact, or projected for speed on large corpora.
    public init(
        embeddings: UnsafeBufferPointer<Float>, dimension: Int, owner: AnyObject?,
        precision: Precision = .exact
    ) {
        precondition(dimension > 0 && embeddings.count % dimension == 0, "embeddings must be whole rows")
        self.dimension = dimension
        frameCount = embeddings.count / dimension
        let base = embeddings.baseAddress ?? UnsafePointer(AlignedFloats(count: 1).pointer)
        self.embeddings = base
        self.owner = owner
        let norms = AlignedFloats(count: frameCount)
        for frame in 0..<frameCount {
            let row = base + frame * dimension
            norms.pointer[frame] = Float(cblas_dsdot(Int32(dimension), row, 1, row, 1))
        }
        squaredNorms = norms
        let components: Int?
        switch precision {
        case .exact: components = nil
        case .projected(let dimensions): components = dimensions
        }
        let frames = frameCount
        projection = components.flatMap { components in
            components < dimension && frames > 2 * Self.exactCandidates
                ? ProjectedEmbeddings(
                    embeddings: base, frames: frames, full: dimension, squaredNorms: norms.pointer,
                    dimensions: components)
                : nil
        }
    }

    /// Computes the distance from a query to every frame, allocating nothing.
    ///
    /// - Parameters:
    ///   - query: `dimension` floats.
    ///   - distances: `frameCount` floats; `distances[i]` receives the Euclidean distance to frame
    ///     `i` (estimated beyond the nearest candidates in a projected search).
    public func distances(
        to query: UnsafeBufferPointer<Float>, into distances: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(query.count == dimension, "the query has the wrong length")
        precondition(distances.count == frameCount, "the distance buffer has the wrong length")
        guard frameCount > 0, let q = query.baseAddress, let out = distances.baseAddress else { return }
        if projection != nil {
            withUnsafeTemporaryAllocation(of: Candidate.self, capacity: Self.exactCandidates) { candidates in
                _ = projectedPass(q, into: out, candidates: candidates)
            }
        } else {
            exactPass(q, into: out)
        }
    }

    /// Finds the nearest frames, allocating nothing.
    ///
    /// - Parameters:
    ///   - query: `dimension` floats.
    ///   - scratch: `frameCount` floats of working space (left holding every distance, as
    ///     `distances(to:into:)` gives them).
    ///   - results: receives up to `results.count` neighbours, nearest first (ties by frame index),
    ///     with exact distances.
    /// - Returns: how many neighbours were written: `min(results.count, frameCount)`.
    @discardableResult
    public func nearest(
        to query: UnsafeBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<Float>,
        into results: UnsafeMutableBufferPointer<Neighbor>
    ) -> Int {
        precondition(query.count == dimension && scratch.count == frameCount, "wrong buffer lengths")
        let k = min(results.count, frameCount)
        guard k > 0, let q = query.baseAddress, let out = scratch.baseAddress else { return 0 }
        if projection != nil {
            let proven = withUnsafeTemporaryAllocation(
                of: Candidate.self, capacity: max(Self.exactCandidates, 2 * k)
            ) {
                candidates -> Bool in
                let (count, bound) = projectedPass(q, into: out, candidates: candidates)
                var found = UnsafeMutableBufferPointer(rebasing: candidates[0..<count])
                found.sort { Self.precedes($0.exact, $0.frame, $1.exact, $1.frame) }
                for i in 0..<k { results[i] = Neighbor(frame: found[i].frame, distance: found[i].exact) }
                // Every other frame's lower bound is at least `bound`: beyond the k-th, nothing is
                // missed (with a margin for the rounding of the bound itself).
                return count == frameCount || results[k - 1].distance <= bound * 0.999
            }
            if proven {
                provenCount.add(1, ordering: .relaxed)
                return k
            }
            fallbackCount.add(1, ordering: .relaxed)
            exactPass(q, into: out)
        } else {
            exactPass(q, into: out)
        }
        selectNearest(out, query: q, into: results, count: k)
        return k
    }

    /// Finds the nearest frames.
    ///
    /// - Parameters:
    ///   - query: `dimension` floats.
    ///   - count: how many neighbours.
    /// - Returns: up to `count` neighbours, nearest first.
    public func nearest(to query: [Float], count: Int) -> [Neighbor] {
        var scratch = [Float](repeating: 0, count: frameCount)
        var results = [Neighbor](repeating: Neighbor(frame: 0, distance: 0), count: min(count, frameCount))
        let found = query.withUnsafeBufferPointer { q in
            scratch.withUnsafeMutableBufferPointer { s in
                results.withUnsafeMutableBufferPointer { r in nearest(to: q, scratch: s, into: r) }
            }
        }
        return Array(results.prefix(found))
    }

    /// A frame considered for exact recomputation.
    private struct Candidate {
        var frame: Int
        var bound: Float  // lower bound of the squared distance
        var exact: Float
    }

    private func exactPass(_ q: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let queryNorm = Float(cblas_dsdot(Int32(dimension), q, 1, q, 1))
        cblas_sgemv(
            CblasRowMajor, CblasNoTrans, Int32(frameCount), Int32(dimension), -2, embeddings,
            Int32(dimension), q, 1,
            0, out, 1)
        let norms = squaredNorms.pointer
        for frame in 0..<frameCount {
            let scale = queryNorm + norms[frame]
            let squared = out[frame] + scale
            out[frame] = squared < 1e-3 * scale ? exactDistance(q, frame: frame) : squared.squareRoot()
        }
    }

    /// Estimated distances for every frame, exact ones for the `candidates.count` frames with the
    /// smallest lower bounds. Returns how many candidates there are and the smallest lower bound
    /// (as a distance) among the frames not recomputed.
    private func projectedPass(
        _ q: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
        candidates: UnsafeMutableBufferPointer<Candidate>
    ) -> (count: Int, bound: Float) {
        let projection = projection!
        let k = projection.dimensions
        let (queryNorm, queryResidual) = withUnsafeTemporaryAllocation(
            of: Float.self, capacity: dimension + k
        ) {
            scratch -> (Float, Float) in
            let (norm, residual) = projection.project(
                q, into: scratch.baseAddress! + dimension, centred: scratch.baseAddress!)
            cblas_sgemv(
                CblasRowMajor, CblasNoTrans, Int32(frameCount), Int32(k), -2, projection.projected.pointer,
                Int32(k),
                scratch.baseAddress! + dimension, 1, 0, out, 1)
            return (norm, residual)
        }
        let norms = projection.projectedNorms.pointer
        let residuals = projection.residuals.pointer
        let capacity = min(candidates.count, frameCount)
        var filled = 0
        var excluded = Float.infinity
        for frame in 0..<frameCount {
            let shared = max(0, out[frame] + norms[frame] + queryNorm)
            let r = residuals[frame]
            let gap = queryResidual - r
            let bound = shared + gap * gap
            out[frame] = (shared + queryResidual * queryResidual + r * r).squareRoot()
            if filled == capacity && bound >= candidates[capacity - 1].bound {
                excluded = min(excluded, bound)
                continue
            }
            if filled == capacity { excluded = min(excluded, candidates[capacity - 1].bound) }
            var slot = filled < capacity ? filled : capacity - 1
            while slot > 0 && candidates[slot - 1].bound > bound {
                candidates[slot] = candidates[slot - 1]
                slot -= 1
            }
            candidates[slot] = Candidate(frame: frame, bound: bound, exact: 0)
            if filled < capacity { filled += 1 }
        }
        for i in 0..<filled {
            let exact = exactDistance(q, frame: candidates[i].frame)
            candidates[i].exact = exact
            out[candidates[i].frame] = exact
        }
        return (filled, excluded.squareRoot())
    }

    /// Picks the `count` smallest of `distances` into `results`, with exact distances, sorted.
    private func selectNearest(
        _ distances: UnsafeMutablePointer<Float>, query: UnsafePointer<Float>,
        into results: UnsafeMutableBufferPointer<Neighbor>, count k: Int
    ) {
        // Insertion into a sorted prefix: a new frame rarely beats the current k-th for small k.
        var filled = 0
        for frame in 0..<frameCount {
            let distance = distances[frame]
            if filled == k && distance >= results[k - 1].distance { continue }
            var slot = filled < k ? filled : k - 1
            while slot > 0 && results[slot - 1].distance > distance {
                results[slot] = results[slot - 1]
                slot -= 1
            }
            results[slot] = Neighbor(frame: frame, distance: distance)
            if filled < k { filled += 1 }
        }
        for i in 0..<k { results[i].distance = exactDistance(query, frame: results[i].frame) }
        // Recomputed distances may reorder near-ties.
        var nearest = UnsafeMutableBufferPointer(rebasing: results[0..<k])
        nearest.sort { Self.precedes($0.distance, $0.frame, $1.distance, $1.frame) }
    }

    private static func precedes(_ a: Float, _ aFrame: Int, _ b: Float, _ bFrame: Int) -> Bool {
        a < b || (a == b && aFrame < bFrame)
    }

    private func exactDistance(_ query: UnsafePointer<Float>, frame: Int) -> Float {
        let row = embeddings + frame * dimension
        var sum = 0.0
        for i in 0..<dimension {
            let difference = Double(query[i]) - Double(row[i])
            sum += difference * difference
        }
        return Float(sum.squareRoot())
    }
}
