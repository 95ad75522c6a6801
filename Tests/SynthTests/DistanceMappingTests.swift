import Testing

@testable import Synth

@Suite struct DistanceMappingTests {
    /// Maps with the given time weights (all 1 by default) and returns the probabilities.
    func probabilities(
        _ mapping: DistanceMapping, _ distances: [Float], timeWeights: [Double]? = nil
    ) -> [Double] {
        let weights = timeWeights ?? [Double](repeating: 1, count: distances.count)
        var result = [Double](repeating: -1, count: distances.count)
        var scratch = [Float](repeating: 0, count: distances.count)
        distances.withUnsafeBufferPointer { d in
            weights.withUnsafeBufferPointer { w in
                result.withUnsafeMutableBufferPointer { p in
                    scratch.withUnsafeMutableBufferPointer { s in
                        _ = mapping.map(distances: d, timeWeights: w, into: p, scratch: s)
                    }
                }
            }
        }
        return result
    }

    @Test(arguments: DistanceMapping.Shape.allCases)
    func nearerIsNeverLessLikely(shape: DistanceMapping.Shape) {
        var random = Xoshiro256(seed: 3)
        let distances = (0..<500).map { _ in 10 + 30 * random.unitFloat() }
        let p = probabilities(DistanceMapping(shape: shape), distances)
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        let order = distances.indices.sorted { distances[$0] < distances[$1] }
        for (a, b) in zip(order, order.dropFirst()) { #expect(p[a] >= p[b]) }
        #expect(p.allSatisfy { $0 > 0 })
    }

    @Test func paperCurveHasPlateauFallAndFloor() {
        let mapping = DistanceMapping(plateau: 0.1, temperature: 0.3)
        #expect(mapping.likeness(0) == 1)
        #expect(mapping.likeness(0.1) == 1)
        #expect(abs(mapping.likeness(0.25) - 0.5) < 1e-12)
        #expect(mapping.likeness(0.4) == 0)
        #expect(mapping.likeness(3) == 0)
    }

    @Test func floorIsAShareOfTheMassWhateverTheCorpusSize() {
        // Ten near frames against 100 000 far ones: the near frames keep 1 − floor of the mass.
        let distances = [Float](repeating: 1, count: 10) + [Float](repeating: 20, count: 100_000)
        let floor = 0.02
        let p = probabilities(DistanceMapping(floor: floor), distances)
        let near = p[0..<10].reduce(0, +)
        let expectedNear = (1 - floor) + floor * 10 / 100_010
        #expect(abs(near - expectedNear) < 1e-9)
        #expect(abs(p[50] - floor / 100_010) < 1e-15)
    }

    @Test func theUnitOfTheDistancesDoesNotMatter() {
        var random = Xoshiro256(seed: 5)
        let distances = (0..<200).map { _ in 5 + 10 * random.unitFloat() }
        let reference = probabilities(DistanceMapping(), distances)
        let scaled = probabilities(DistanceMapping(), distances.map { 7 * $0 })
        for (a, b) in zip(reference, scaled) { #expect(abs(a - b) < 1e-6) }
    }

    @Test func theScaleIsTheRootMeanSquareDistanceOverEveryFrame() {
        // Nearest 1, RMS √((1 + 9 + 9 + 25) / 4) = √11: z of the frames at 3 is 2 / (√11 − 1).
        let mapping = DistanceMapping(plateau: 0, temperature: 1, floor: 0)
        let p = probabilities(mapping, [1, 3, 3, 5])
        let z = 2 / (11.0.squareRoot() - 1)
        let like = 1 - z
        #expect(abs(p[1] - like / (1 + 2 * like)) < 1e-6)
        // Given explicitly (as a search computes it from the corpus), the same.
        var given = [Double](repeating: 0, count: 4)
        var scratch = [Float](repeating: 0, count: 4)
        [Float]([1, 3, 3, 5]).withUnsafeBufferPointer { d in
            [Double](repeating: 1, count: 4).withUnsafeBufferPointer { w in
                given.withUnsafeMutableBufferPointer { out in
                    scratch.withUnsafeMutableBufferPointer {
                        mapping.map(
                            distances: d, scale: 11.0.squareRoot(), timeWeights: w, into: out, scratch: $0)
                    }
                }
            }
        }
        for (a, b) in zip(p, given) { #expect(abs(a - b) < 1e-12) }
        // A muted frame still counts in the scale (muting does not re-shape the others' curve).
        let muted = probabilities(mapping, [1, 3, 3, 5], timeWeights: [1, 1, 1, 0])
        #expect(abs(muted[1] - like / (1 + 2 * like)) < 1e-6)
    }

    @Test(arguments: [DistanceMapping(), DistanceMapping(shape: .softmax, temperature: 0.05)])
    func framesBeyondTheCutoffCanBeLeftOut(mapping: DistanceMapping) {
        // 1000 frames, scale from all of them; those beyond the cutoff given as +∞ instead.
        var random = Xoshiro256(seed: 9)
        let distances = (0..<1_000).map { _ in 10 + 10 * random.unitFloat() }
        let rms = distances.withUnsafeBufferPointer { DistanceMapping.rootMeanSquare(of: $0) }
        let nearest = Double(distances.min()!)
        let cutoff = mapping.cutoff(weightRatio: 1_000)
        let reach = nearest + cutoff * (rms - nearest)
        let pruned = distances.map { Double($0) <= reach ? $0 : .infinity }
        #expect(pruned.contains(.infinity) && pruned.contains { $0.isFinite && $0 > Float(nearest) })
        func map(_ values: [Float]) -> [Double] {
            var out = [Double](repeating: 0, count: values.count)
            var scratch = [Float](repeating: 0, count: values.count)
            values.withUnsafeBufferPointer { d in
                [Double](repeating: 1, count: values.count).withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { o in
                        scratch.withUnsafeMutableBufferPointer {
                            mapping.map(distances: d, scale: rms, timeWeights: w, into: o, scratch: $0)
                        }
                    }
                }
            }
            return out
        }
        let variation = zip(map(distances), map(pruned)).reduce(0) { $0 + abs($1.0 - $1.1) } / 2
        #expect(variation <= DistanceMapping.negligibleShare)
    }

    @Test func topKKeepsOnlyTheNearestFramesAboveTheFloor() {
        let distances: [Float] = [5, 1, 4, 2, 3, 6, 7, 8]
        let floor = 0.1
        let p = probabilities(
            DistanceMapping(shape: .softmax, temperature: 10, topK: 3, floor: floor), distances)
        let floorOnly = floor / 8
        for index in [0, 2, 5, 6, 7] { #expect(abs(p[index] - floorOnly) < 1e-12) }
        for index in [1, 3, 4] { #expect(p[index] > floorOnly * 2) }
    }

    @Test func timeWeightsSpreadMassOverAudioTime() {
        // A still standing for 60 s and a video frame standing for 1 s, equally near: the still holds
        // 60 times the mass; a muted frame (weight 0) holds none, not even floor.
        let p = probabilities(DistanceMapping(floor: 0.05), [1, 1, 1, 9], timeWeights: [60, 1, 0, 1])
        #expect(abs(p[0] / p[1] - 60) < 1e-9)
        #expect(p[2] == 0)
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
    }

    @Test func nothingPlayableGivesNoDistribution() {
        let mapping = DistanceMapping()
        var p = [Double](repeating: 1, count: 3)
        var scratch = [Float](repeating: 0, count: 3)
        let ok = [Float](repeating: 1, count: 3).withUnsafeBufferPointer { d in
            [Double](repeating: 0, count: 3).withUnsafeBufferPointer { w in
                p.withUnsafeMutableBufferPointer { out in
                    scratch.withUnsafeMutableBufferPointer {
                        mapping.map(distances: d, timeWeights: w, into: out, scratch: $0)
                    }
                }
            }
        }
        #expect(!ok)
        #expect(p == [0, 0, 0])
    }

    @Test func nonFiniteDistancesAreFarAndEqualDistancesAreUniform() {
        let p = probabilities(DistanceMapping(floor: 0), [.nan, 2, .infinity, 2])
        #expect(p == [0, 0.5, 0, 0.5])
        let uniform = probabilities(DistanceMapping(), [3, 3, 3, 3])
        #expect(uniform.allSatisfy { abs($0 - 0.25) < 1e-12 })
    }

    @Test func invalidSettingsAreRejected() {
        #expect(throws: SynthError.self) { try DistanceMapping(temperature: 0).validate() }
        #expect(throws: SynthError.self) { try DistanceMapping(floor: 1).validate() }
        #expect(throws: SynthError.self) { try DistanceMapping(topK: -1).validate() }
        #expect(throws: SynthError.self) { try DistanceMapping(plateau: -0.1).validate() }
        #expect(throws: Never.self) { try DistanceMapping().validate() }
    }
}
