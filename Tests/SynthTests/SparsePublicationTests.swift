import Testing

@testable import Synth

/// A distribution published as near frames plus a background spread by time weight is drawn as
/// the dense distribution it stands for, and a publication with new time weights rebuilds the
/// background.
@Suite struct SparsePublicationTests {
    typealias F = SynthFixture

    /// Publishes `background` over `weights` plus `masses` at `frames`, renders 200 s of grains at
    /// 1 000 a second, and returns the share of grains drawn from each frame.
    private func drawnShares(
        _ synth: GranularSynth, background: Double, weights: [Double], version: UInt64, frames: [Int32],
        masses: [Double]
    ) throws -> [Double] {
        try weights.withUnsafeBufferPointer { w in
            try frames.withUnsafeBufferPointer { f in
                try masses.withUnsafeBufferPointer { m in
                    try synth.publish(
                        SparseDistribution(
                            background: background, timeWeights: w, totalTimeWeight: weights.reduce(0, +),
                            timeWeightsVersion: version, frames: f, masses: m),
                        generation: version, frameTime: 0)
                }
            }
        }
        _ = F.events(synth)
        var counts = [Double](repeating: 0, count: weights.count)
        for _ in 0..<20 {
            _ = F.render(synth, frames: 10 * F.sampleRate)
            for event in F.events(synth) { counts[Int(event.frame)] += 1 }
        }
        let total = counts.reduce(0, +)
        return counts.map { $0 / total }
    }

    @Test func theBackgroundIsDrawnByTimeWeightAndRebuiltWhenTheWeightsChange() throws {
        let bank = try F.bank([F.noise(seconds: 4, amplitude: 0.01)])
        let synth = try GranularSynth(
            bank: bank, configuration: SynthConfiguration(maxVoices: 512),
            parameters: GrainParameters(grainRate: 1_000, minDuration: 0.05, maxDuration: 0.05))
        // Frame 2 holds half of its own; the other half is spread 1 : 3 over frames 0 and 1.
        let first = try drawnShares(
            synth, background: 0.5, weights: [1, 3, 0, 0], version: 1, frames: [2], masses: [0, 0, 0.5, 0])
        for (share, expected) in zip(first, [0.125, 0.375, 0.5, 0]) {
            #expect(abs(share - expected) < 0.01, "\(first)")
        }
        // New weights, a new version: the background now goes to frame 3 alone.
        let second = try drawnShares(
            synth, background: 0.5, weights: [0, 0, 0, 1], version: 2, frames: [2], masses: [0, 0, 0.5, 0])
        for (share, expected) in zip(second, [0.0, 0, 0.5, 0.5]) {
            #expect(abs(share - expected) < 0.01, "\(second)")
        }
        // No background at all: only the frames with mass.
        let third = try drawnShares(
            synth, background: 0, weights: [0, 0, 0, 1], version: 2, frames: [0, 1],
            masses: [0.25, 0.75, 0, 0])
        for (share, expected) in zip(third, [0.25, 0.75, 0, 0]) {
            #expect(abs(share - expected) < 0.01, "\(third)")
        }
    }
}

extension SparsePublicationTests {
    @Test func aSecondMapOnTheSameSynthBringsItsOwnWeights() throws {
        let bank = try F.bank([
            F.noise(seconds: 2, amplitude: 0.01), F.noise(seconds: 2, amplitude: 0.01, seed: 2),
        ])
        let synth = try GranularSynth(
            bank: bank, parameters: GrainParameters(grainRate: 1_000, minDuration: 0.05, maxDuration: 0.05))
        // Nothing is near: every draw comes from the background, spread by time weight.
        let far = [Float](repeating: .infinity, count: bank.frames.count)
        let everything = try ProbabilityMap(bank: bank, timeConstant: 0)
        for generation in 1...3 {
            let distribution = far.withUnsafeBufferPointer { everything.update(distances: $0, time: 0) }
            try synth.publish(distribution, generation: UInt64(generation), frameTime: 0)
            _ = F.render(synth, frames: 512)
        }
        // A new map (as a new analyser on the same synth makes) with the first source muted.
        let onlySecond = try ProbabilityMap(
            bank: try bank.with(weights: [1, 1], muted: [true, false]), timeConstant: 0)
        let distribution = far.withUnsafeBufferPointer { onlySecond.update(distances: $0, time: 0) }
        try synth.publish(distribution, generation: 4, frameTime: 0)
        _ = F.events(synth)
        _ = F.render(synth, frames: 5 * F.sampleRate)
        let sources = F.events(synth).map(\.source)
        #expect(sources.count > 4_000)
        #expect(sources.allSatisfy { $0 == 1 })
    }
}
