import Testing

@testable import Synth

@Suite struct DistanceMappingTests {
    /// Maps with the given time weights (all 1 by default) and returns every frame's probability,
    /// or nil when nothing is playable.
    func distribution(
        _ mapping: DistanceMapping, _ distances: [Float], timeWeights: [Double]? = nil, scale: Double? = nil
    ) -> [Double]? {
        let count = distances.count
        let weights = timeWeights ?? [Double](repeating: 1, count: count)
        var masses = [Double](repeating: 0, count: count)
        var frames = [Int32](repeating: -1, count: count)
        var scratch = [Float](repeating: 0, count: count)
        let (background, listed) = distances.withUnsafeBufferPointer { d in
            weights.withUnsafeBufferPointer { w in
                masses.withUnsafeMutableBufferPointer { m in
                    frames.withUnsafeMutableBufferPointer { f in
                        scratch.withUnsafeMutableBufferPointer { s in
                            mapping.map(
                                distances: d, scale: scale, timeWeights: w,
                                totalTimeWeight: weights.reduce(0, +),
                                into: m, frames: f, scratch: s)
                        }
                    }
                }
            }
        }
        // Only the listed frames hold a mass of their own.
        let listedFrames = Set(frames[0..<listed].map(Int.init))
        #expect(masses.indices.allSatisfy { listedFrames.contains($0) || masses[$0] == 0 })
        guard background > 0 || listed > 0 else { return nil }
        let total = weights.reduce(0, +)
        return masses.indices.map { masses[$0] + background * weights[$0] / total }
    }

    /// Every frame's probability, where something is playable.
    func probabilities(
        _ mapping: DistanceMapping, _ distances: [Float], timeWeights: [Double]? = nil, scale: Double? = nil
    ) -> [Double] {
        distribution(mapping, distances, timeWeights: timeWeights, scale: scale) ?? []
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
        let given = probabilities(mapping, [1, 3, 3, 5], scale: 11.0.squareRoot())
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
        func map(_ values: [Float]) -> [Double] { probabilities(mapping, values, scale: rms) }
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
        #expect(distribution(DistanceMapping(), [1, 1, 1], timeWeights: [0, 0, 0]) == nil)
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
