import ArgumentParser
import Corpus
import Engine
import Foundation
import Synth

/// The grain engine's and the listening map's settings as command-line flags; every default is
/// the paper's value (or, where the paper gives none, the one tuned on the shared media).
struct SoundscapeOptions: ParsableArguments {
    @Option(help: "Grain onsets per second (the paper: about 100; its figure shows 10).")
    var grainRate: Double = 100

    @Option(help: "Onset irregularity in 0…1: each gap is uniform in (1 ± jitter)/rate.")
    var onsetJitter: Double = 0.5

    @Option(name: .customLong("grain-min-ms"), help: "Shortest grain in milliseconds.")
    var grainMinimum: Double = 50

    @Option(name: .customLong("grain-max-ms"), help: "Longest grain in milliseconds (durations are uniform).")
    var grainMaximum: Double = 100

    @Option(help: "Share of each grain fading in (raised cosine); attack = release = 0.5 is a Hann window.")
    var attack: Double = 0.5

    @Option(help: "Share of each grain fading out; below 0.5 each gives a Tukey window.")
    var release: Double = 0.5

    @Option(help: "Playback-rate jitter in semitones (0: original pitch).")
    var rateJitter: Double = 0

    @Option(help: "Stereo spread of the grains' pans, 0 (centre) … 1 (full field).")
    var spread: Double = 1

    @Option(
        name: .customLong("gain-db"),
        help: "Output gain in dB before the limiter (0 keeps the corpus loudness).")
    var gainDecibels: Double = 0

    @Option(help: "Most grains sounding at once; beyond it the grain nearest its end fades out in 3 ms.")
    var maxVoices: Int = 256

    @Option(
        help: "Distance → probability curve: plateau (the paper's: plateau, linear fall, floor) or softmax.")
    var mapping: DistanceMapping.Shape = .plateau

    @Option(help: "Plateau width, in units of the spread of the distances (RMS − nearest).")
    var plateau: Double = DistanceMapping().plateau

    @Option(
        help: "Width of the linear fall (plateau) or softmax temperature, in units of the distance spread.")
    var temperature: Double = DistanceMapping().temperature

    @Option(help: "Only the K nearest corpus frames get more than the floor (0: all).")
    var topK: Int = 0

    @Option(help: "Share of the probability spread evenly over all the audio, 0 ≤ floor < 1.")
    var floor: Double = DistanceMapping().floor

    @Option(help: "Time constant of the smoothing of p(t) in seconds (a cut is 90 % through after 2.3×).")
    var smoothing: Double = 0.1

    @Option(
        help: """
            How pictures are compared with the corpus frames: euclidean (the paper's), cosine, or \
            centred-cosine (cosine of the offsets from the corpus's mean embedding).
            """)
    var similarity: SimilarityMeasure = .standard

    @Option(
        help: """
            Time constant in seconds over which the similarity of the pictures of one shot adds up \
            (0: each picture alone); a detected cut starts a new shot.
            """)
    var evidence: Double = SceneAnalyzer.standardEvidence

    /// The grain parameters.
    var grainParameters: GrainParameters {
        GrainParameters(
            grainRate: grainRate, onsetJitter: onsetJitter, minDuration: grainMinimum / 1000,
            maxDuration: grainMaximum / 1000, attack: attack, release: release, rateJitter: rateJitter,
            stereoSpread: spread, gain: pow(10, gainDecibels / 20))
    }

    /// The distance → probability map.
    var distanceMapping: DistanceMapping {
        DistanceMapping(shape: mapping, plateau: plateau, temperature: temperature, topK: topK, floor: floor)
    }

    func validate() throws {
        do {
            try grainParameters.validate(sourceCount: 0)
            try distanceMapping.validate()
            try ProbabilityMap.validate(timeConstant: smoothing)
            try SceneEvidence.validate(timeConstant: evidence)
            try SynthConfiguration(maxVoices: maxVoices).validate()
        } catch let error as SynthError {
            throw ValidationError(error.description)
        }
    }
}

extension DistanceMapping.Shape: ExpressibleByArgument {}
extension SimilarityMeasure: ExpressibleByArgument {}
