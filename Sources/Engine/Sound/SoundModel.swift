import Corpus

/// The one list of Scenophone's sound and mapping parameters. Everything that shows, takes or stores
/// a parameter is built from it: the command line's flags, the page's controls (sent to it in the
/// welcome message), presets and OSC addresses.
///
/// Adding a parameter is one entry here, plus (for a new setting of the synthesizer or the mapping)
/// the line that hands its value on in ``SoundSettings``. Tests check that the command line and the
/// page offer exactly these parameters with these ranges.
public enum SoundModel {
    /// Every parameter, in the order the page shows them: grains first, then the mapping.
    public static let parameters: [SoundParameter] = [
        .init(
            "grainRate", label: "Grains per second", unit: "/s", defaultValue: 100,
            range: 1...1000, scale: .log, effect: .grains,
            help: "Grain onsets per second (the paper: about 100; its figure shows 10)"),
        .init(
            "onsetJitter", label: "Onset jitter", defaultValue: 0.5, range: 0...1,
            effect: .grains, help: "Onset irregularity: each gap is uniform in (1 ± jitter)/rate"),
        .init(
            "grainMinMs", label: "Shortest grain", unit: "ms", defaultValue: 50,
            range: 5...1000, scale: .log, effect: .grains, help: "Shortest grain (durations are uniform)"),
        .init(
            "grainMaxMs", label: "Longest grain", unit: "ms", defaultValue: 100,
            range: 5...1000, scale: .log, effect: .grains, help: "Longest grain"),
        .init(
            "attack", label: "Attack", defaultValue: 0.5, range: 0...1, effect: .grains,
            help: "Share of each grain fading in (raised cosine); attack = release = 0.5 is a Hann window"),
        .init(
            "release", label: "Release", defaultValue: 0.5, range: 0...1, effect: .grains,
            help: "Share of each grain fading out; attack + release ≤ 1, below 0.5 each a Tukey window"),
        .init(
            "rateJitter", label: "Pitch jitter", unit: "st", defaultValue: 0,
            range: 0...12, effect: .grains, help: "Playback-rate jitter in semitones (0: original pitch)"),
        .init(
            "spread", label: "Stereo spread", defaultValue: 1, range: 0...1, effect: .grains,
            help: "Stereo spread of the grains' pans, 0 (centre) … 1 (full field)"),
        .init(
            "gainDb", label: "Volume", unit: "dB", defaultValue: 0, range: -60...20,
            effect: .grains, help: "Output gain before the limiter (0 keeps the corpus loudness)"),
        .init(
            "limiterThresholdDb", label: "Limiter threshold", unit: "dBFS",
            defaultValue: -3, range: -40...(-0.5), effect: .grains,
            help: "Level where the limiter starts turning the sound down; below the ceiling"),
        .init(
            "limiterCeilingDb", label: "Limiter ceiling", unit: "dBFS",
            defaultValue: -1, range: -39...0, effect: .grains, help: "Level no output sample ever exceeds"),
        .init(
            "limiterRelease", label: "Limiter release", unit: "s", defaultValue: 0.15,
            range: 0.01...5, scale: .log, effect: .grains, help: "How fast the limiter's gain recovers"),
        .init(
            "maxVoices", label: "Voices", defaultValue: 256, range: 1...4096, scale: .log,
            integer: true, effect: .start,
            help: "Most grains sounding at once; beyond it the grain nearest its end fades out in 3 ms"),
        .init(
            "mapping", label: "Mapping shape", defaultValue: 0, choices: ["plateau", "softmax"],
            effect: .mapping,
            help:
                "Distance → probability curve: plateau (the paper's: plateau, linear fall, floor) or softmax"),
        .init(
            "plateau", label: "Plateau", unit: "spread", defaultValue: 0.1, range: 0...5,
            effect: .mapping, help: "Plateau width, in units of the spread of the distances (RMS − nearest)"),
        .init(
            "temperature", label: "Temperature", unit: "spread", defaultValue: 0.3,
            range: 0.01...20, scale: .log, effect: .mapping,
            help: "Width of the linear fall (plateau) or softmax temperature, in units of the distance spread"
        ),
        .init(
            "topK", label: "Nearest frames used", unit: "frames", defaultValue: 0, range: 0...1000,
            integer: true, effect: .mapping,
            help: "Only the K nearest corpus frames get more than the floor (0: all)"),
        .init(
            "floor", label: "Floor", defaultValue: 0.02, range: 0...0.99, effect: .mapping,
            help: "Share of the probability spread evenly over all the audio"),
        .init(
            "smoothing", label: "Smoothing", unit: "s", defaultValue: 0.1, range: 0...10,
            effect: .mapping,
            help: "Time constant of the smoothing of p(t) (a cut is 90 % through after 2.3×)"),
        .init(
            "evidence", label: "Evidence", unit: "s", defaultValue: SceneAnalyzer.standardEvidence,
            range: 0...30, effect: .mapping,
            help:
                "Time constant over which the likeness of one shot's pictures adds up (0: each picture alone)"
        ),
        .init(
            "similarity", label: "Similarity",
            defaultValue: Double(SimilarityMeasure.allCases.firstIndex(of: .standard)!),
            choices: SimilarityMeasure.allCases.map(\.rawValue), effect: .start,
            help:
                "How pictures are compared: euclidean (the paper's), cosine, or centred-cosine (about the corpus mean)"
        ),
    ]

    /// The most a source's volume may be (linear; 1 is the recording's own level, 0 silences it).
    public static let sourceVolumeRange = 0.0...4.0

    /// ``sourceVolumeRange`` as people read it.
    public static let sourceVolumeDescription = "0…4 (linear, 1: as recorded)"

    private static let indices: [String: Int] = Dictionary(
        uniqueKeysWithValues: parameters.enumerated().map { ($1.name, $0) })

    /// The position of a parameter in ``parameters``.
    ///
    /// - Parameter name: the parameter's name.
    /// - Returns: its index.
    /// - Throws: ``SoundModelError/unknownParameter(_:)``.
    public static func index(of name: String) throws(SoundModelError) -> Int {
        guard let index = indices[name] else { throw .unknownParameter(name) }
        return index
    }

    /// A parameter by name.
    ///
    /// - Parameter name: the parameter's name.
    /// - Returns: its description.
    /// - Throws: ``SoundModelError/unknownParameter(_:)``.
    public static func parameter(named name: String) throws(SoundModelError) -> SoundParameter {
        parameters[try index(of: name)]
    }
}
