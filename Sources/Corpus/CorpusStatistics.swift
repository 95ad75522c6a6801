/// What every similarity measure needs to know about a corpus as a whole, computed once from its
/// embeddings and stored in its manifest (format version 2).
///
/// For each measure's space (see ``SimilarityMeasure``) the mean `μ̃` of the transformed frames and
/// their mean squared distance from it: the root-mean-square distance from any query to every frame
/// is then `√(‖q̃ − μ̃‖² + mean ‖x̃ − μ̃‖²)`, without reading a frame. The Euclidean space's mean is
/// the corpus's mean embedding μ, which `.centredCosine` centres on. Weights and mutes do not enter:
/// the scale counts every frame, and a source's settings can change without recomputing anything.
public struct CorpusStatistics: Codable, Equatable, Sendable {
    /// The mean of one measure's transformed frames and their spread around it.
    public struct Space: Codable, Equatable, Sendable {
        /// The mean transformed frame `μ̃`.
        public var mean: [Double]
        /// `mean ‖x̃ − μ̃‖²` over the frames.
        public var meanSquaredDistance: Double
    }

    /// The number of frames the statistics cover.
    public var frameCount: Int
    /// The raw embeddings' space; its mean is the corpus's mean embedding μ.
    public var euclidean: Space
    /// The unit-length embeddings' space.
    public var cosine: Space
    /// The unit-length offsets from μ.
    public var centredCosine: Space

    /// One measure's space.
    ///
    /// - Parameter measure: the measure.
    /// - Returns: its mean and spread.
    public func space(_ measure: SimilarityMeasure) -> Space {
        switch measure {
        case .euclidean: euclidean
        case .cosine: cosine
        case .centredCosine: centredCosine
        }
    }

    /// The corpus's mean embedding μ.
    public var mean: [Double] { euclidean.mean }

    /// Computes the statistics of a set of embeddings: two passes, in double.
    ///
    /// - Parameters:
    ///   - embeddings: `frames × dimension` floats, row-major.
    ///   - dimension: the length of one embedding.
    /// - Returns: the statistics (all zero for no frames).
    public static func compute(embeddings: UnsafeBufferPointer<Float>, dimension: Int) -> CorpusStatistics {
        compute(rows: EmbeddingRows(contiguous: embeddings, dimension: dimension, owner: nil))
    }

    /// Computes the statistics of rows of embeddings: two passes, in double.
    ///
    /// - Parameter rows: the embeddings.
    /// - Returns: the statistics (all zero for no frames).
    public static func compute(rows: EmbeddingRows) -> CorpusStatistics {
        let dimension = rows.dimension
        let frames = rows.frameCount
        guard frames > 0 else {
            let empty = Space(mean: [Double](repeating: 0, count: dimension), meanSquaredDistance: 0)
            return CorpusStatistics(frameCount: 0, euclidean: empty, cosine: empty, centredCosine: empty)
        }
        var accumulators = SimilarityMeasure.allCases.map { _ in Accumulator(dimension: dimension) }
        let row = UnsafeMutablePointer<Float>.allocate(capacity: dimension)
        defer { row.deallocate() }
        rows.forEachRun { _, count, base in
            for frame in 0..<count {
                let x = base + frame * dimension
                accumulators[0].add(x)
                SimilarityMeasure.cosine.transform(x, into: row, count: dimension, centre: nil)
                accumulators[1].add(UnsafePointer(row))
            }
        }
        let euclidean = accumulators[0].space(frames: frames)
        euclidean.mean.withUnsafeBufferPointer { centre in
            rows.forEachRun { _, count, base in
                for frame in 0..<count {
                    SimilarityMeasure.centredCosine.transform(
                        base + frame * dimension, into: row, count: dimension, centre: centre.baseAddress)
                    accumulators[2].add(UnsafePointer(row))
                }
            }
        }
        return CorpusStatistics(
            frameCount: frames, euclidean: euclidean, cosine: accumulators[1].space(frames: frames),
            centredCosine: accumulators[2].space(frames: frames))
    }

    /// Whether the statistics fit a corpus of this many frames and this embedding length.
    func fits(frames: Int, dimension: Int) -> Bool {
        frameCount == frames
            && [euclidean, cosine, centredCosine].allSatisfy {
                $0.mean.count == dimension && $0.mean.allSatisfy(\.isFinite) && $0.meanSquaredDistance >= 0
                    && $0.meanSquaredDistance.isFinite
            }
    }

    /// Sums of vectors and of their squared norms, in double.
    private struct Accumulator {
        var sums: [Double]
        var squaredNorms = 0.0

        init(dimension: Int) { sums = [Double](repeating: 0, count: dimension) }

        mutating func add(_ x: UnsafePointer<Float>) {
            var norm = 0.0
            for i in sums.indices {
                let value = Double(x[i])
                sums[i] += value
                norm += value * value
            }
            squaredNorms += norm
        }

        /// E‖x − μ‖² = E‖x‖² − ‖μ‖², in double: the difference is a fair share of either term.
        func space(frames: Int) -> Space {
            let mean = sums.map { $0 / Double(frames) }
            let meanNorm = mean.reduce(0) { $0 + $1 * $1 }
            return Space(mean: mean, meanSquaredDistance: max(0, squaredNorms / Double(frames) - meanNorm))
        }
    }
}
