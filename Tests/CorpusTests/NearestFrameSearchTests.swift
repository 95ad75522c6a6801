import Corpus
import Foundation
import TestSupport
import Testing

@Suite struct NearestFrameSearchTests {
    /// Non-negative features with a shared offset, like pooled ReLU6 activations: large norms make
    /// the ‖q‖² − 2q·x + ‖x‖² form cancel badly, which is what the search must survive.
    private func embeddings(count: Int, dimension: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix(seed: seed)
        return (0..<count * dimension).map { _ in 1.5 + Float(generator.unit()) * 2 }
    }

    private func naiveDistance(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
    }

    @Test func distancesMatchADirectComputation() {
        let dimension = 1280
        let count = 500
        let data = embeddings(count: count, dimension: dimension, seed: 1)
        let query = embeddings(count: 1, dimension: dimension, seed: 2)
        data.withUnsafeBufferPointer { buffer in
            let search = NearestFrameSearch(embeddings: buffer, dimension: dimension, owner: nil)
            var distances = [Float](repeating: -1, count: count)
            query.withUnsafeBufferPointer { q in
                distances.withUnsafeMutableBufferPointer { search.distances(to: q, into: $0) }
            }
            for frame in 0..<count {
                let expected = naiveDistance(data[frame * dimension..<(frame + 1) * dimension], query[...])
                #expect(abs(Double(distances[frame]) - expected) <= 2e-3 * expected, "frame \(frame)")
            }
        }
    }

    @Test func everyFrameFindsItselfFirstAtDistanceZero() {
        let dimension = 1280
        let count = 300
        var data = embeddings(count: count, dimension: dimension, seed: 3)
        // A near-duplicate of frame 7, as consecutive frames of a still shot are.
        for i in 0..<dimension { data[8 * dimension + i] = data[7 * dimension + i] + (i == 0 ? 1e-3 : 0) }
        data.withUnsafeBufferPointer { buffer in
            let search = NearestFrameSearch(embeddings: buffer, dimension: dimension, owner: nil)
            for frame in 0..<count {
                let query = Array(data[frame * dimension..<(frame + 1) * dimension])
                let nearest = search.nearest(to: query, count: 3)
                #expect(nearest.first?.frame == frame)
                #expect(nearest.first?.distance == 0)
            }
            let pair = search.nearest(to: Array(data[7 * dimension..<8 * dimension]), count: 2)
            #expect(pair.map(\.frame) == [7, 8])
            #expect(abs(pair[1].distance - 1e-3) < 1e-5)
        }
    }

    @Test func topKIsTheSortedPrefixOfAllDistances() {
        let dimension = 64
        let count = 2_000
        let data = embeddings(count: count, dimension: dimension, seed: 4)
        let query = embeddings(count: 1, dimension: dimension, seed: 5)
        data.withUnsafeBufferPointer { buffer in
            let search = NearestFrameSearch(embeddings: buffer, dimension: dimension, owner: nil)
            let expected = (0..<count).map { frame in
                (frame, naiveDistance(data[frame * dimension..<(frame + 1) * dimension], query[...]))
            }.sorted { $0.1 < $1.1 }
            let found = search.nearest(to: query, count: 25)
            #expect(found.map(\.frame) == expected.prefix(25).map(\.0))
            for (neighbor, (_, distance)) in zip(found, expected) {
                #expect(abs(Double(neighbor.distance) - distance) < 1e-4 * distance)
            }
            #expect(search.nearest(to: query, count: 5_000).count == count)
        }
    }

    /// Embeddings near a 16-dimensional subspace, with a little noise in every direction, the way
    /// CNN features concentrate their variance.
    private func structured(count: Int, dimension: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix(seed: seed)
        let rank = 16
        let axes = (0..<rank * dimension).map { _ in Float(generator.unit() - 0.5) }
        var data = [Float](repeating: 2, count: count * dimension)
        for row in 0..<count {
            for axis in 0..<rank {
                let weight = Float(generator.unit() * 4 - 2)
                for i in 0..<dimension { data[row * dimension + i] += weight * axes[axis * dimension + i] }
            }
            for i in 0..<dimension { data[row * dimension + i] += Float(generator.unit() - 0.5) * 0.2 }
        }
        return data
    }

    /// The pruned pass: exact distances for every frame within the cutoff (whichever frames are
    /// eligible to be the nearest), `+∞` only for frames truly beyond it, the exact search's nearest
    /// frames, and the RMS distance as the scale.
    @Test(arguments: [false, true])
    func cutoffPassIsExactWithinTheCutoff(excludingTheNearest: Bool) {
        let dimension = 128
        let count = 4_000
        let data = structured(count: count, dimension: dimension, seed: 6)
        data.withUnsafeBufferPointer { buffer in
            let exact = NearestFrameSearch(
                embeddings: buffer, dimension: dimension, owner: nil, strategy: .exact)
            let bounded = NearestFrameSearch(
                embeddings: buffer, dimension: dimension, owner: nil, strategy: .bounded(components: 24))
            #expect(bounded.boundComponents == 24 && exact.boundComponents == nil)
            #expect(bounded.explainedVariance > 0.9)
            let workspace = bounded.makeWorkspace()
            var generator = SplitMix(seed: 7)
            var everyPassBounded = true
            for _ in 0..<10 {
                let frame = Int(generator.next() % UInt64(count))
                let query = data[frame * dimension..<(frame + 1) * dimension].map {
                    $0 + Float(generator.unit() - 0.5) * 0.5
                }
                // In double, from the differences: the reference must be more precise than the pass.
                let reference = (0..<count).map { i in
                    Float(naiveDistance(data[i * dimension..<(i + 1) * dimension], query[...]))
                }
                var eligible = [Double](repeating: 1, count: count)
                if excludingTheNearest {
                    eligible[reference.indices.min { reference[$0] < reference[$1] }!] = 0
                }
                var distances = [Float](repeating: -1, count: count)
                var nearest = [Neighbor](repeating: Neighbor(frame: -1, distance: -1), count: 10)
                let cutoff = 0.4
                let pass = query.withUnsafeBufferPointer { q in
                    eligible.withUnsafeBufferPointer { e in
                        distances.withUnsafeMutableBufferPointer { d in
                            nearest.withUnsafeMutableBufferPointer { n in
                                bounded.distances(
                                    to: q, cutoff: cutoff, eligible: e, workspace: workspace, into: d,
                                    nearest: n)
                            }
                        }
                    }
                }
                everyPassBounded = everyPassBounded && pass.bounded
                #expect(pass.exactDistances < count / 4 && pass.neighborCount == 10)
                let meanSquare = reference.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(count)
                #expect(abs(pass.scale - meanSquare.squareRoot()) < 1e-5 * pass.scale)
                let nearestEligible = Double(
                    zip(reference, eligible).filter { $0.1 > 0 }.map(\.0).min()!)
                let reach = nearestEligible + cutoff * (pass.scale - nearestEligible)
                var within = 0
                for i in 0..<count {
                    if distances[i].isFinite {
                        #expect(abs(distances[i] - reference[i]) <= 1e-5 * reference[i] + 1e-6, "frame \(i)")
                    } else {
                        #expect(Double(reference[i]) > reach, "frame \(i) is within the cutoff")
                    }
                    if Double(reference[i]) <= reach { within += 1 }
                }
                #expect(within >= 1 && pass.exactDistances >= within)
                let expected = exact.nearest(to: query, count: 10)
                #expect(nearest.map(\.frame) == expected.map(\.frame))
                #expect(
                    zip(nearest, expected).allSatisfy { abs($0.distance - $1.distance) <= 1e-5 * $1.distance }
                )
            }
            #expect(everyPassBounded, "the lower bounds must spare most frames on structured embeddings")
            let own = Array(data[5 * dimension..<6 * dimension])
            #expect(bounded.nearest(to: own, count: 1) == [Neighbor(frame: 5, distance: 0)])
        }
    }

    /// Without bounds (a small corpus under `.automatic`), the pass is the full one.
    @Test func smallCorporaTakeTheFullPass() {
        let dimension = 32
        let count = 500
        let data = structured(count: count, dimension: dimension, seed: 8)
        data.withUnsafeBufferPointer { buffer in
            let search = NearestFrameSearch(embeddings: buffer, dimension: dimension, owner: nil)
            #expect(search.boundComponents == nil)
            var distances = [Float](repeating: 0, count: count)
            var nearest = [Neighbor](repeating: Neighbor(frame: 0, distance: 0), count: 3)
            let query = Array(data[0..<dimension])
            let pass = query.withUnsafeBufferPointer { q in
                distances.withUnsafeMutableBufferPointer { d in
                    nearest.withUnsafeMutableBufferPointer { n in
                        search.distances(
                            to: q, cutoff: 0.4, eligible: nil, workspace: search.makeWorkspace(), into: d,
                            nearest: n)
                    }
                }
            }
            #expect(!pass.bounded && pass.exactDistances == count && distances.allSatisfy(\.isFinite))
            #expect(nearest[0] == Neighbor(frame: 0, distance: 0))
        }
    }

    @Test func emptyCorpusFindsNothing() {
        let search = NearestFrameSearch(
            embeddings: UnsafeBufferPointer(start: nil, count: 0), dimension: 8, owner: nil)
        #expect(search.frameCount == 0)
        #expect(search.nearest(to: [Float](repeating: 0, count: 8), count: 3).isEmpty)
    }
}

extension SplitMix {
    /// Uniform in [0, 1), with double precision.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
