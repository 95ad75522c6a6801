import Corpus
import Engine
import Foundation
import Synth
import Testing

/// Evidence on small hand-made embeddings: two pictures, one like frame A and one like frame B,
/// both half like frame C. Accumulating their *similarities* must find C; averaging the two
/// pictures' *probabilities* (the negative control) puts the mass on A and B instead.
@Suite struct SceneEvidenceTests {
    /// A, B, C = (A + B)/2, and two unrelated frames, in 4-d.
    static let frames: [Float] = [
        1, 0, 0, 0,
        0, 1, 0, 0,
        0.5, 0.5, 0, 0,
        0, 0, 1, 0,
        0, 0, 0, 1,
    ]
    static let dimension = 4
    static let shared = 2
    let first: [Float] = [1, 0, 0, 0]
    let second: [Float] = [0, 1, 0, 0]

    /// The similarity of two raw embeddings under a measure, straight from its definition, in double.
    private func similarity(_ a: [Float], _ b: [Float], _ measure: SimilarityMeasure, mean: [Double])
        -> Double
    {
        let x = a.map(Double.init)
        let y = b.map(Double.init)
        func cosine(_ u: [Double], _ v: [Double]) -> Double {
            let dot = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }
            return dot / (u.reduce(0) { $0 + $1 * $1 } * v.reduce(0) { $0 + $1 * $1 }).squareRoot()
        }
        switch measure {
        case .euclidean: return -zip(x, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        case .cosine: return cosine(x, y)
        case .centredCosine: return cosine(zip(x, mean).map { $0 - $1 }, zip(y, mean).map { $0 - $1 })
        }
    }

    private func frame(_ index: Int) -> [Float] {
        Array(Self.frames[index * Self.dimension..<(index + 1) * Self.dimension])
    }

    /// p over the five frames (each a second of one recording) for a query in the measure's space,
    /// with the default map and no smoothing.
    private func distribution(_ query: [Float], search: NearestFrameSearch) throws -> [Double] {
        let bank = try SoundBank(
            sampleRate: 100, audio: [("tone", [Float](repeating: 0.1, count: 500), 1)],
            frames: (0..<5).map { FrameSpan(source: 0, start: $0 * 100, end: ($0 + 1) * 100) })
        let map = try ProbabilityMap(bank: bank, timeConstant: 0)
        var distances = [Float](repeating: 0, count: 5)
        query.withUnsafeBufferPointer { q in
            distances.withUnsafeMutableBufferPointer { search.distances(to: q, into: $0) }
        }
        distances.withUnsafeBufferPointer { _ = map.update(distances: $0, time: 0) }
        return Array(map.probabilities)
    }

    private func transformed(_ embedding: [Float], _ search: NearestFrameSearch) -> [Float] {
        var output = embedding
        embedding.withUnsafeBufferPointer { raw in
            output.withUnsafeMutableBufferPointer { search.transform(raw, into: $0) }
        }
        return output
    }

    @Test(arguments: SimilarityMeasure.allCases)
    func evidenceAccumulatesSimilarityNotProbability(_ measure: SimilarityMeasure) throws {
        let search = Self.frames.withUnsafeBufferPointer {
            NearestFrameSearch(embeddings: $0, dimension: Self.dimension, owner: nil, measure: measure)
        }
        // The known answer, from the measure's definition: C has the largest mean similarity.
        let mean = Self.frames.withUnsafeBufferPointer {
            CorpusStatistics.compute(embeddings: $0, dimension: Self.dimension).mean
        }
        let accumulated = (0..<5).map { frame in
            (similarity(first, self.frame(frame), measure, mean: mean)
                + similarity(second, self.frame(frame), measure, mean: mean)) / 2
        }
        #expect(accumulated.indices.max { accumulated[$0] < accumulated[$1] } == Self.shared)

        // Two pictures ln 2 · τ apart weigh equally: the evidence is their mean, exactly.
        let q1 = transformed(first, search)
        let q2 = transformed(second, search)
        var evidence = SceneEvidence(dimension: Self.dimension, timeConstant: 1)
        q1.withUnsafeBufferPointer { _ = evidence.add($0, at: 0) }
        let m = q2.withUnsafeBufferPointer { Array(evidence.add($0, at: log(2.0))) }
        #expect(zip(m, zip(q1, q2)).allSatisfy { abs($0 - ($1.0 + $1.1) / 2) < 1e-6 }, "\(m)")

        // Searching with the evidence: the shared scene holds nearly all the mass.
        let nearest = m.withUnsafeBufferPointer { query -> Int in
            var scratch = [Float](repeating: 0, count: 5)
            var results = [Neighbor](repeating: Neighbor(frame: 0, distance: 0), count: 1)
            scratch.withUnsafeMutableBufferPointer { s in
                results.withUnsafeMutableBufferPointer { _ = search.nearest(to: query, scratch: s, into: $0) }
            }
            return results[0].frame
        }
        #expect(nearest == Self.shared)
        let withEvidence = try distribution(m, search: search)
        #expect(withEvidence[Self.shared] >= 0.9, "\(measure): evidence gives C \(withEvidence[Self.shared])")

        // Negative control: averaging the two pictures' probabilities misses C, so an accumulator
        // that did so would fail the expectation above.
        let p1 = try distribution(q1, search: search)
        let p2 = try distribution(q2, search: search)
        let averaged = zip(p1, p2).map { ($0 + $1) / 2 }
        #expect(
            averaged[Self.shared] < 0.1, "\(measure): averaged probabilities give C \(averaged[Self.shared])")
    }

    @Test func theResultDoesNotDependOnTheFrameRate() {
        // A picture at 0, then another held until 0.6 s: at 10 or 30 updates a second the first
        // keeps exp(−0.6/τ) of the weight.
        func evidence(fps: Double) -> [Float] {
            var evidence = SceneEvidence(dimension: 4, timeConstant: 0.5)
            first.withUnsafeBufferPointer { _ = evidence.add($0, at: 0) }
            for tick in 1...Int(0.6 * fps) {
                second.withUnsafeBufferPointer { _ = evidence.add($0, at: Double(tick) / fps) }
            }
            return Array(evidence.current)
        }
        let keep = Float(exp(-0.6 / 0.5))
        for fps in [10.0, 30.0] {
            let state = evidence(fps: fps)
            #expect(abs(state[0] - keep) < 1e-5 && abs(state[1] - (1 - keep)) < 1e-5, "\(fps) fps: \(state)")
        }
    }

    @Test func aNewShotAnEarlierTimeOrZeroTimeConstantStartAfresh() {
        var evidence = SceneEvidence(dimension: 4, timeConstant: 2)
        func add(_ query: [Float], at time: Double, newShot: Bool = false) -> [Float] {
            query.withUnsafeBufferPointer { Array(evidence.add($0, at: time, newShot: newShot)) }
        }
        _ = add(first, at: 1)
        let cut = add(second, at: 1.1, newShot: true)
        let earlier = add(first, at: 0.5)
        evidence.restart()
        let empty = evidence.isEmpty
        let restarted = add(second, at: 0.6)
        evidence.timeConstant = 0
        let alone = add(first, at: 0.7)
        #expect(cut == second && earlier == first && empty && restarted == second && alone == first)
        let blended = add(second, at: 0.8)
        evidence.timeConstant = 2
        let mixed = add(second, at: 0.9)
        #expect(blended == second && mixed == second)
        // exp(−Δt/τ) = 3/4 of the shot so far, 1/4 for the new picture.
        let kept = add(first, at: 0.9 + 2 * log(4.0 / 3))
        #expect(abs(kept[0] - 0.25) < 1e-6 && abs(kept[1] - 0.75) < 1e-6, "\(kept)")
    }

    @Test func theCutDetectorComparesConsecutivePictures() {
        var detector = CutDetector(dimension: 4)
        func observe(_ embedding: [Float]) -> Bool {
            embedding.withUnsafeBufferPointer { detector.observe($0) }
        }
        let near: [Float] = [1, 0.2, 0, 0]
        let results = [observe(first), observe(near), observe(second), observe(second)]
        detector.reset()
        let afterReset = observe(first)
        // The first picture starts the first shot without being a cut; only the change to an
        // orthogonal picture (cosine 0 < 0.55) is one.
        #expect(results == [false, false, true, false] && !afterReset)
    }
}
