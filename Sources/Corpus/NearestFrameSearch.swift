import COpenBLAS

/// Brute-force Euclidean search over a corpus's embeddings, through OpenBLAS.
///
/// Distances use `‖q − x‖² = ‖q‖² − 2 q·x + ‖x‖²`: one matrix-vector product (`cblas_sgemv`) over
/// all frames, with the frames' squared norms computed once here. That form loses precision when
/// `q` and `x` nearly coincide (the terms cancel), so those few distances, below 1/1000 of
/// `‖q‖² + ‖x‖²`, are recomputed directly in double precision: a frame queried with its own
/// embedding is at distance 0. Thread-safe: any number of threads may search at once.
public final class NearestFrameSearch: @unchecked Sendable {
    /// The number of frames searched.
    public let frameCount: Int
    /// The length of an embedding.
    public let dimension: Int

    private let embeddings: UnsafePointer<Float>
    private let squaredNorms: AlignedFloats
    private let owner: AnyObject?

    /// Prepares a search over a corpus.
    ///
    /// - Parameter corpus: the corpus (kept alive by the search).
    public convenience init(corpus: Corpus) {
        self.init(embeddings: corpus.embeddings, dimension: corpus.embeddingSize, owner: corpus)
    }

    /// Prepares a search over embeddings in memory.
    ///
    /// - Parameters:
    ///   - embeddings: `count × dimension` floats, row-major.
    ///   - dimension: the length of one embedding.
    ///   - owner: an object keeping `embeddings` alive, retained by the search.
    public init(embeddings: UnsafeBufferPointer<Float>, dimension: Int, owner: AnyObject?) {
        precondition(dimension > 0 && embeddings.count % dimension == 0, "embeddings must be whole rows")
        self.dimension = dimension
        frameCount = embeddings.count / dimension
        self.embeddings = embeddings.baseAddress ?? UnsafePointer(AlignedFloats(count: 1).pointer)
        self.owner = owner
        squaredNorms = AlignedFloats(count: frameCount)
        for frame in 0..<frameCount {
            let row = self.embeddings + frame * dimension
            squaredNorms.pointer[frame] = Float(cblas_dsdot(Int32(dimension), row, 1, row, 1))
        }
    }

    /// Computes the distance from a query to every frame, allocating nothing.
    ///
    /// - Parameters:
    ///   - query: `dimension` floats.
    ///   - distances: `frameCount` floats; `distances[i]` receives the Euclidean distance to frame `i`.
    public func distances(
        to query: UnsafeBufferPointer<Float>, into distances: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(query.count == dimension, "the query has the wrong length")
        precondition(distances.count == frameCount, "the distance buffer has the wrong length")
        guard frameCount > 0, let q = query.baseAddress, let out = distances.baseAddress else { return }
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

    /// Finds the nearest frames, allocating nothing.
    ///
    /// - Parameters:
    ///   - query: `dimension` floats.
    ///   - scratch: `frameCount` floats of working space (left holding every distance).
    ///   - results: receives up to `results.count` neighbours, nearest first (ties by frame index),
    ///     with distances recomputed directly.
    /// - Returns: how many neighbours were written: `min(results.count, frameCount)`.
    @discardableResult
    public func nearest(
        to query: UnsafeBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<Float>,
        into results: UnsafeMutableBufferPointer<Neighbor>
    ) -> Int {
        distances(to: query, into: scratch)
        let k = min(results.count, frameCount)
        guard k > 0 else { return 0 }
        // Insertion into a sorted prefix: a new frame rarely beats the current k-th for small k.
        var filled = 0
        for frame in 0..<frameCount {
            let distance = scratch[frame]
            if filled == k && distance >= results[k - 1].distance { continue }
            var slot = filled < k ? filled : k - 1
            while slot > 0 && results[slot - 1].distance > distance {
                results[slot] = results[slot - 1]
                slot -= 1
            }
            results[slot] = Neighbor(frame: frame, distance: distance)
            if filled < k { filled += 1 }
        }
        for i in 0..<k { results[i].distance = exactDistance(query.baseAddress!, frame: results[i].frame) }
        // Recomputed distances may reorder near-ties.
        var i = 1
        while i < k {
            var j = i
            while j > 0 && Self.precedes(results[j], results[j - 1]) {
                results.swapAt(j, j - 1)
                j -= 1
            }
            i += 1
        }
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

    private static func precedes(_ a: Neighbor, _ b: Neighbor) -> Bool {
        a.distance < b.distance || (a.distance == b.distance && a.frame < b.frame)
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
