import Corpus
import Foundation
import Testing

/// Each measure on small hand-made embeddings, against answers worked out by hand.
@Suite struct SimilarityMeasureTests {
    /// Four frames in 2-d (padded to 3): the Euclidean nearest to `q = (3, 0, 0)` is B, the most
    /// similar in direction is A, and centred on the corpus mean the offsets point elsewhere again.
    private let frames: [Float] = [
        1, 0, 0,  // A
        4, 1, 0,  // B
        0, 2, 0,  // C
        -1, 1, 0,  // D
    ]
    private let query: [Float] = [3, 0, 0]

    private func search(_ measure: SimilarityMeasure) -> (NearestFrameSearch, [Float]) {
        let search = frames.withUnsafeBufferPointer {
            NearestFrameSearch(embeddings: $0, dimension: 3, owner: nil, measure: measure)
        }
        var distances = [Float](repeating: 0, count: 4)
        var transformed = query
        query.withUnsafeBufferPointer { q in
            transformed.withUnsafeMutableBufferPointer { search.transform(q, into: $0) }
        }
        transformed.withUnsafeBufferPointer { q in
            distances.withUnsafeMutableBufferPointer { search.distances(to: q, into: $0) }
        }
        return (search, distances)
    }

    private func expectClose(_ actual: [Float], _ expected: [Double], _ comment: Comment? = nil) {
        #expect(zip(actual, expected).allSatisfy { abs(Double($0) - $1) < 1e-5 }, "\(actual) ≠ \(expected)")
    }

    @Test func euclideanIsThePapersDistance() {
        let (search, distances) = search(.euclidean)
        expectClose(distances, [2, 2.squareRoot(), 13.squareRoot(), 17.squareRoot()])
        #expect(search.nearest(to: query, count: 1)[0].frame == 1)
    }

    @Test func cosineComparesDirectionsOnly() {
        // ‖q̂ − x̂‖ = √(2 − 2 cos): A is parallel to q, B at cos 4/√17, C and D at 0 and −1/√2.
        let (search, distances) = search(.cosine)
        expectClose(
            distances,
            [0, (2 - 8 / 17.squareRoot()).squareRoot(), 2.squareRoot(), (2 + 2.squareRoot()).squareRoot()])
        #expect(search.nearest(to: query, count: 1)[0].frame == 0)
    }

    @Test func centredCosineComparesOffsetsFromTheCorpusMean() {
        // μ = (1, 1, 0): offsets A (0, −1), B (3, 0), C (−1, 1), D (−2, 0); q − μ = (2, −1).
        // cos with q − μ: A 1/√5, B 2/√5, C −3/√10, D −2/√5.
        let (search, distances) = search(.centredCosine)
        let cosines = [1 / 5.squareRoot(), 2 / 5.squareRoot(), -3 / 10.squareRoot(), -2 / 5.squareRoot()]
        expectClose(distances, cosines.map { (2 - 2 * $0).squareRoot() })
        #expect(search.nearest(to: query, count: 1)[0].frame == 1)
        // The RMS scale is exact in the transformed space: mean of the squared distances.
        var transformed = query
        query.withUnsafeBufferPointer { q in
            transformed.withUnsafeMutableBufferPointer { search.transform(q, into: $0) }
        }
        let rms = transformed.withUnsafeBufferPointer { search.rootMeanSquareDistance(to: $0) }
        let expected = (cosines.map { 2 - 2 * $0 }.reduce(0, +) / 4).squareRoot()
        #expect(abs(rms - expected) < 1e-6)
    }

    @Test func theStatisticsHoldEachSpacesMeanAndSpread() {
        let statistics = frames.withUnsafeBufferPointer {
            CorpusStatistics.compute(embeddings: $0, dimension: 3)
        }
        #expect(statistics.frameCount == 4)
        #expect(statistics.mean == [1, 1, 0])
        // Euclidean: mean ‖x − μ‖² = (1 + 9 + 2 + 4) / 4.
        #expect(abs(statistics.euclidean.meanSquaredDistance - 4) < 1e-12)
        // Unit vectors: mean squared distance from their mean is 1 − ‖mean‖².
        let cosine = statistics.cosine
        let norm = cosine.mean.reduce(0) { $0 + $1 * $1 }
        // (The unit vectors are float: their squared norms are 1 to ~10⁻⁷.)
        #expect(abs(cosine.meanSquaredDistance - (1 - norm)) < 1e-6)
        #expect(abs(cosine.mean[0] - (1 + 4 / 17.squareRoot() + 0 - 1 / 2.squareRoot()) / 4) < 1e-7)
        // Centred unit offsets: (0, −1), (1, 0), (−1, 1)/√2, (−1, 0).
        let centred = statistics.centredCosine
        #expect(abs(centred.mean[0] - (-1 / 2.squareRoot()) / 4) < 1e-7)
        #expect(abs(centred.mean[1] - (-1 + 1 / 2.squareRoot()) / 4) < 1e-7)
    }
}
