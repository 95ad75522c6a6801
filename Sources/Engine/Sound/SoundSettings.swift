import Corpus
import Foundation
import Synth

/// The one value that holds every sound and mapping parameter and every source's volume and mute:
/// what a command starts with, what the page shows, what a preset stores, what OSC changes.
///
/// A value is always valid: it is made from the defaults and changed only through
/// ``applying(_:)``, the one place where changes are checked. The synthesizer's and the mapping's
/// own types are derived from it (``grainParameters``, ``distanceMapping``).
///
/// In JSON it is one flat object: each parameter by name (a choice by its option's name), and
/// `sources`, an array of `{"volume", "muted"}` in corpus order.
public struct SoundSettings: Sendable, Hashable, Encodable {
    /// Every parameter's value, in ``SoundModel/parameters`` order.
    public private(set) var values: [Double]
    /// Every source's mixer settings, in corpus order.
    public private(set) var sources: [SourceMix]

    /// One source's mixer settings.
    public struct SourceMix: Sendable, Hashable, Codable {
        /// Linear volume (1: as recorded).
        public var volume: Double
        /// Silenced, keeping ``volume`` for when it is unmuted.
        public var muted: Bool

        /// Creates mixer settings.
        ///
        /// - Parameters:
        ///   - volume: linear volume.
        ///   - muted: whether silenced.
        public init(volume: Double = 1, muted: Bool = false) {
            self.volume = volume
            self.muted = muted
        }

        /// What the synthesizer plays the source at: 0 when muted.
        public var effectiveVolume: Float { muted ? 0 : Float(volume) }
    }

    /// Every default, with `sourceCount` sources at full volume.
    ///
    /// - Parameter sourceCount: the corpus's number of sources.
    public init(sourceCount: Int = 0) {
        values = SoundModel.parameters.map(\.defaultValue)
        sources = Array(repeating: SourceMix(), count: sourceCount)
    }

    /// A parameter's value.
    ///
    /// - Parameter name: a name from ``SoundModel/parameters``; an unknown one is a programming error.
    public subscript(name: String) -> Double {
        guard let index = try? SoundModel.index(of: name) else { preconditionFailure("no parameter \(name)") }
        return values[index]
    }

    /// The same settings for a corpus with `count` sources: the mixer settings of sources beyond
    /// the old count are the defaults.
    ///
    /// - Parameter count: the number of sources.
    /// - Returns: the resized settings.
    public func withSourceCount(_ count: Int) -> SoundSettings {
        var resized = self
        resized.sources = (0..<count).map { $0 < sources.count ? sources[$0] : SourceMix() }
        return resized
    }

    /// These settings with a change made: the one validation of every sound change.
    ///
    /// Pairs that must go together follow each other when only one of them changes: a shortest
    /// grain set above the longest raises the longest (and the other way round), an attack that
    /// leaves no room for the release shortens the release, a limiter threshold at or above the
    /// ceiling raises the ceiling. When both of a pair are given and they clash, it is an error.
    ///
    /// - Parameter change: the change (its values are checked here, wherever they came from).
    /// - Returns: the new settings; `self` is unchanged.
    /// - Throws: ``SoundModelError`` naming the first bad key, or the clash.
    public func applying(_ change: SoundChange) throws(SoundModelError) -> SoundSettings {
        var next = self
        for (name, value) in change.values.sorted(by: { $0.key < $1.key }) {
            let index = try SoundModel.index(of: name)
            try SoundModel.parameters[index].check(value)
            next.values[index] = value
        }
        // When a pair clashes and only one of it changed, the other moves just enough.
        try next.follow("grainMinMs", "grainMaxMs", given: change) {
            $0 <= $1
        } adjust: { _, value in
            value
        }
        try next.follow("attack", "release", given: change) {
            $0 + $1 <= 1
        } adjust: { _, value in
            1 - value
        }
        try next.follow("limiterThresholdDb", "limiterCeilingDb", given: change) {
            $0 < $1
        } adjust: {
            changed, value in
            changed == "limiterThresholdDb" ? value + 0.5 : value - 0.5
        }
        for source in change.sources {
            guard next.sources.indices.contains(source.index) else {
                throw .unknownSource("there is no source \(source.index); the corpus has \(sources.count)")
            }
            if let volume = source.volume {
                guard volume.isFinite, SoundModel.sourceVolumeRange.contains(volume) else {
                    throw .outOfRange(
                        parameter: "sources.volume", value: volume,
                        description: SoundModel.sourceVolumeDescription)
                }
                next.sources[source.index].volume = volume
            }
            if let muted = source.muted { next.sources[source.index].muted = muted }
        }
        return next
    }

    /// Keeps a pair of parameters consistent: when only one changed and they clash, the other
    /// takes the value `adjust` gives for the changed one's; when both changed and clash, it is an error.
    private mutating func follow(
        _ first: String, _ second: String, given change: SoundChange, _ consistent: (Double, Double) -> Bool,
        adjust: (_ changed: String, _ value: Double) -> Double
    ) throws(SoundModelError) {
        guard !consistent(self[first], self[second]) else { return }
        let changedFirst = change.values[first] != nil
        let changedSecond = change.values[second] != nil
        guard changedFirst != changedSecond else {
            throw .inconsistent(
                "\"\(first)\" \(self[first]) and \"\(second)\" \(self[second]) do not go together "
                    + "(\(Self.pairRules[first] ?? "see the docs"))")
        }
        let (changed, other) = changedFirst ? (first, second) : (second, first)
        let index = try SoundModel.index(of: other)
        values[index] = min(
            max(adjust(changed, self[changed]), SoundModel.parameters[index].minimum),
            SoundModel.parameters[index].maximum)
        guard consistent(self[first], self[second]) else {
            throw .inconsistent("\"\(first)\" and \"\(second)\": \(Self.pairRules[first] ?? "")")
        }
    }

    private static let pairRules = [
        "grainMinMs": "the shortest grain must not be longer than the longest",
        "attack": "attack + release must be at most 1",
        "limiterThresholdDb": "the limiter threshold must be below its ceiling",
    ]

    /// Which effects a change from `self` to `other` has: which loops must hear of it.
    ///
    /// - Parameter other: the settings after the change.
    /// - Returns: the effects of the parameters that differ; source volumes count as both `.grains`
    ///   (the synth plays them) and `.mapping` (a silenced source gets no probability).
    public func effects(of other: SoundSettings) -> Set<SoundParameter.Effect> {
        var effects = Set<SoundParameter.Effect>()
        for (index, parameter) in SoundModel.parameters.enumerated()
        where values[index] != other.values[index] {
            effects.insert(parameter.effect)
        }
        if sources.map(\.effectiveVolume) != other.sources.map(\.effectiveVolume) {
            effects.formUnion([.grains, .mapping])
        }
        return effects
    }

    /// The names of the parameters whose values differ from `other`'s.
    ///
    /// - Parameter other: other settings.
    /// - Returns: the names, in model order.
    public func changedParameters(comparedWith other: SoundSettings) -> [String] {
        SoundModel.parameters.indices.filter { values[$0] != other.values[$0] }.map {
            SoundModel.parameters[$0].name
        }
    }

    /// These settings with the parameters fixed at start (``SoundParameter/Effect/start``) taken
    /// from `other`: what a preset or a reset becomes on an engine that is already playing.
    ///
    /// - Parameter other: the settings in force.
    /// - Returns: the settings.
    public func keepingStartParameters(of other: SoundSettings) -> SoundSettings {
        var kept = self
        for (index, parameter) in SoundModel.parameters.enumerated() where parameter.effect == .start {
            kept.values[index] = other.values[index]
        }
        return kept
    }

    /// Every value as a change: applying it to any settings gives these (for presets and resets).
    public var asChange: SoundChange {
        SoundChange(
            Dictionary(uniqueKeysWithValues: zip(SoundModel.parameters.map(\.name), values)),
            sources: sources.enumerated().map { .init(index: $0, volume: $1.volume, muted: $1.muted) })
    }

    // MARK: What the engine's parts take

    /// The synthesizer's parameters.
    public var grainParameters: GrainParameters {
        GrainParameters(
            grainRate: self["grainRate"], onsetJitter: self["onsetJitter"],
            minDuration: self["grainMinMs"] / 1000,
            maxDuration: self["grainMaxMs"] / 1000, attack: self["attack"], release: self["release"],
            rateJitter: self["rateJitter"], stereoSpread: self["spread"], gain: pow(10, self["gainDb"] / 20),
            sourceVolumes: sources.map(\.effectiveVolume),
            limiterThresholdDecibels: self["limiterThresholdDb"],
            limiterCeilingDecibels: self["limiterCeilingDb"],
            limiterRelease: self["limiterRelease"])
    }

    /// The distance → probability map.
    public var distanceMapping: DistanceMapping {
        DistanceMapping(
            shape: DistanceMapping.Shape.allCases[Int(self["mapping"])], plateau: self["plateau"],
            temperature: self["temperature"], topK: Int(self["topK"]), floor: self["floor"])
    }

    /// The time constant of the smoothing of p(t), in seconds.
    public var smoothing: Double { self["smoothing"] }

    /// The time constant over which the likeness of one shot's pictures adds up, in seconds.
    public var evidence: Double { self["evidence"] }

    /// How pictures are compared with the corpus frames (fixed when the analyser is made).
    public var similarity: SimilarityMeasure { SimilarityMeasure.allCases[Int(self["similarity"])] }

    /// The voice limit (fixed when the synthesizer is made).
    public var maxVoices: Int { Int(self["maxVoices"]) }

    // MARK: JSON

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (index, parameter) in SoundModel.parameters.enumerated() {
            let value = values[index]
            if let choices = parameter.choices {
                try container.encode(choices[Int(value)], forKey: Key(parameter.name))
            } else {
                try container.encode(value, forKey: Key(parameter.name))
            }
        }
        try container.encode(sources, forKey: Key("sources"))
    }
}
