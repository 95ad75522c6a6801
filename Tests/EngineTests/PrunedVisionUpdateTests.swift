import Corpus
import Synth
import TestSupport
import Testing

/// The pruned vision update (exact distances only within the mapping's cutoff) gives the p(t) of
/// the full exact pass, for every mapping; and the comparison would catch a pruning that cut too much.
@Suite struct PrunedVisionUpdateTests {
    static let dimension = 256
    static let count = 12_000

    /// Clips of 100 frames that drift through a 24-dimensional latent space, plus noise in every
    /// feature, clipped at 0 like pooled ReLU features.
    static let embeddings: [Float] = {
        var generator = SplitMix(seed: 11)
        func unit() -> Float { Float(Double(generator.next() >> 11) / Double(1 << 53)) - 0.5 }
        let rank = 24
        let axes = (0..<rank * dimension).map { _ in unit() }
        var data = [Float](repeating: 0, count: count * dimension)
        var latent = [Float](repeating: 0, count: rank)
        for row in 0..<count {
            for axis in 0..<rank {
                let step = unit() * 4 / Float(axis + 1).squareRoot()
                latent[axis] = row % 100 == 0 ? step : latent[axis] + 0.1 * step
            }
            for i in 0..<dimension {
                var value: Float = 1 + unit() * 0.1
                for axis in 0..<rank { value += latent[axis] * axes[axis * dimension + i] }
                data[row * dimension + i] = max(0, value)
            }
        }
        return data
    }()

    /// Two sources of noise, frames alternating between them in blocks of 1000, spans of varied length.
    static func bank(mutingFirst: Bool) throws -> SoundBank {
        var generator = SplitMix(seed: 12)
        let audio = (0..<2).map { _ in
            (0..<96_000).map { _ in Float(Double(generator.next() >> 11) / Double(1 << 53)) - 0.5 }
        }
        return try SoundBank(
            sampleRate: 48_000, audio: [("a", audio[0], 1), ("b", audio[1], 1)],
            frames: (0..<count).map { frame in
                let start = (frame * 37) % 48_000
                return FrameSpan(
                    source: (frame / 1_000) % 2, start: start, end: start + 24_000 + frame % 5_000)
            }
        ).with(weights: [1, 2], muted: [mutingFirst, false])
    }

    /// The largest total variation, over a few queries, between p(t) from all exact distances and
    /// from the pruned pass (whose search is given `searchCutoff`, by default the map's own).
    static func largestVariation(
        _ mapping: DistanceMapping, mutingFirst: Bool = false, searchCutoff: Double? = nil,
        measure: SimilarityMeasure = .euclidean
    ) throws -> (variation: Double, exactDistances: Int) {
        let bank = try bank(mutingFirst: mutingFirst)
        let exactMap = try ProbabilityMap(bank: bank, mapping: mapping, timeConstant: 0)
        let prunedMap = try ProbabilityMap(bank: bank, mapping: mapping, timeConstant: 0)
        return embeddings.withUnsafeBufferPointer { buffer in
            let exact = NearestFrameSearch(
                embeddings: buffer, dimension: dimension, owner: nil, measure: measure, strategy: .exact)
            let bounded = NearestFrameSearch(
                embeddings: buffer, dimension: dimension, owner: nil, measure: measure,
                strategy: .bounded(components: 32))
            let workspace = bounded.makeWorkspace()
            var all = [Float](repeating: 0, count: count)
            var pruned = [Float](repeating: 0, count: count)
            var nearest = [Neighbor](repeating: Neighbor(frame: 0, distance: 0), count: 8)
            var worst = 0.0
            var computed = 0
            for frame in stride(from: 150, to: count, by: 1_700) {
                // Between two consecutive frames: like the corpus, not in it.
                let embedding = (0..<dimension).map {
                    (buffer[frame * dimension + $0] + buffer[(frame + 1) * dimension + $0]) / 2
                }
                var query = embedding
                embedding.withUnsafeBufferPointer { raw in
                    query.withUnsafeMutableBufferPointer { exact.transform(raw, into: $0) }
                }
                query.withUnsafeBufferPointer { q in
                    all.withUnsafeMutableBufferPointer { exact.distances(to: q, into: $0) }
                    let pass = pruned.withUnsafeMutableBufferPointer { d in
                        nearest.withUnsafeMutableBufferPointer { n in
                            bounded.distances(
                                to: q, cutoff: searchCutoff ?? prunedMap.likenessCutoff,
                                eligible: prunedMap.timeWeights, workspace: workspace, into: d, nearest: n)
                        }
                    }
                    computed = max(computed, pass.exactDistances)
                    all.withUnsafeBufferPointer {
                        _ = exactMap.update(
                            distances: $0, scale: exact.rootMeanSquareDistance(to: q), time: 0)
                    }
                    pruned.withUnsafeBufferPointer {
                        _ = prunedMap.update(distances: $0, scale: pass.scale, time: 0)
                    }
                    let variation = zip(exactMap.probabilities, prunedMap.probabilities).reduce(0) {
                        $0 + abs($1.0 - $1.1)
                    }
                    worst = max(worst, variation / 2)
                }
            }
            return (worst, computed)
        }
    }

    /// Each mapping; whether the bounds should spare most frames with it on these embeddings (a
    /// wide plateau and fall reach over a quarter of the corpus, and so does a softmax of
    /// temperature 0.05 truncated at 10⁻⁹ of the mass: the pass is then the full one); and the
    /// tolerance: float rounding of the distances (~10⁻⁶ relative, the full pass's
    /// ‖q‖² − 2q·x + ‖x‖² form) moves z by ~10⁻⁶, and a softmax multiplies that by 1/temperature.
    @Test(arguments: [
        (DistanceMapping(), true, 1e-5),
        (DistanceMapping(topK: 5), true, 1e-5),
        (DistanceMapping(plateau: 0.3, temperature: 0.5, floor: 0), false, 1e-5),
        (DistanceMapping(shape: .softmax, temperature: 0.05), false, 1e-5),
        (DistanceMapping(shape: .softmax, temperature: 0.02), true, 5e-5),
    ])
    func prunedPassGivesTheExactDistribution(mapping: DistanceMapping, prunes: Bool, tolerance: Double) throws
    {
        let (variation, computed) = try Self.largestVariation(mapping)
        #expect(variation < tolerance, "total variation \(variation)")
        #expect((computed < Self.count / 4) == prunes, "\(computed) exact distances")
    }

    /// Every measure is a Euclidean distance in its own space: the bounds prune there as well.
    @Test(arguments: [SimilarityMeasure.cosine, .centredCosine])
    func prunedPassIsExactAndPrunesForEveryMeasure(measure: SimilarityMeasure) throws {
        let (variation, computed) = try Self.largestVariation(DistanceMapping(), measure: measure)
        #expect(variation < 1e-5, "total variation \(variation)")
        #expect(computed < Self.count / 4, "\(computed) exact distances")
    }

    @Test func mutedSourcesMoveTheNearestFrameNotTheResult() throws {
        let (variation, _) = try Self.largestVariation(DistanceMapping(), mutingFirst: true)
        #expect(variation < 1e-5, "total variation \(variation)")
    }

    @Test func aSearchCuttingShortOfTheMapIsCaught() throws {
        let (variation, _) = try Self.largestVariation(DistanceMapping(), searchCutoff: 0.2)
        #expect(variation > 1e-3, "total variation \(variation)")
    }
}
