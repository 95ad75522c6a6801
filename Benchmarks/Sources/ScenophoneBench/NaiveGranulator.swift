import Foundation
import Synth

/// The textbook granular synthesizer, as a same-run baseline for `bench synth`: a list of grains,
/// each with a Hann window table computed with `cos` when it starts, and a per-sample scalar loop
/// `out += source × window × gain` over the active grains. Same onsets, durations and positions as
/// Scenophone's scheduler draws (uniform over the source), mono, no limiter.
struct NaiveGranulator {
    private struct Grain {
        var start: Int
        var window: [Float]
        var position = 0
    }

    let source: [Float]
    let sampleRate: Int
    let parameters: GrainParameters
    private var random: Xoshiro256
    private var grains: [Grain] = []
    private var clock = 0
    private var nextOnset = 0.0

    /// Creates a granulator over a mono source.
    init(source: [Float], sampleRate: Int, parameters: GrainParameters, seed: UInt64) {
        self.source = source
        self.sampleRate = sampleRate
        self.parameters = parameters
        random = Xoshiro256(seed: seed)
    }

    /// Renders the next `frames` samples into `output`.
    mutating func render(into output: UnsafeMutablePointer<Float>, frames: Int) {
        output.update(repeating: 0, count: frames)
        let gain = Float(parameters.overlapNormalisation())
        let interval = Double(sampleRate) / parameters.grainRate
        let end = Double(clock + frames)
        while nextOnset < end {
            let duration =
                parameters.minDuration + random.unitDouble()
                * (parameters.maxDuration - parameters.minDuration)
            let length = Int(duration * Double(sampleRate))
            let window = (0..<length).map { n in
                Float(0.5 - 0.5 * cos(2 * Double.pi * (Double(n) + 0.5) / Double(length))) * gain
            }
            let start = Int(random.unitDouble() * Double(source.count - length))
            var grain = Grain(start: start, window: window)
            grain.position = -(Int(nextOnset) - clock)
            grains.append(grain)
            nextOnset += interval * (1 + parameters.onsetJitter * (2 * random.unitDouble() - 1))
        }
        for index in grains.indices {
            for frame in 0..<frames {
                let position = grains[index].position + frame
                guard position >= 0, position < grains[index].window.count else { continue }
                output[frame] += source[grains[index].start + position] * grains[index].window[position]
            }
            grains[index].position += frames
        }
        grains.removeAll { $0.position >= $0.window.count }
        clock += frames
    }
}
