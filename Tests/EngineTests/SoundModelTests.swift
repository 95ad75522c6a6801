import Engine
import Foundation
import Synth
import Testing

/// The one sound model: its table, the one validation, where changes go, presets.
struct SoundModelTests {
    @Test func everyParameterIsDescribedConsistently() throws {
        let names = SoundModel.parameters.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.count >= 19)
        for parameter in SoundModel.parameters {
            #expect(parameter.range.contains(parameter.defaultValue), "\(parameter.name)")
            #expect(parameter.scale == .linear || parameter.minimum > 0, "\(parameter.name)")
            #expect(parameter.flag == parameter.flag.lowercased() && !parameter.flag.contains("_"))
            #expect(!parameter.label.isEmpty && !parameter.help.isEmpty)
        }
        #expect(try SoundModel.parameter(named: "grainMinMs").flag == "grain-min-ms")
    }

    @Test func theDefaultsAreThePapers() {
        let sound = SoundSettings(sourceCount: 2)
        #expect(sound.grainParameters == GrainParameters(sourceVolumes: [1, 1]))
        #expect(sound.distanceMapping == DistanceMapping())
        #expect(sound.smoothing == 0.1 && sound.maxVoices == 256)
    }

    @Test func outOfRangeAndUnknownKeysAreRefusedNamingTheKey() {
        let sound = SoundSettings(sourceCount: 1)
        #expect(throws: SoundModelError.outOfRange(parameter: "floor", value: 1, description: "0…0.99")) {
            try sound.applying(SoundChange(["floor": 1]))
        }
        #expect(throws: SoundModelError.unknownParameter("grainRte")) {
            try sound.applying(SoundChange(["grainRte": 5]))
        }
        #expect(throws: SoundModelError.self) { try sound.applying(SoundChange(["topK": 2.5])) }
        #expect(throws: SoundModelError.self) { try sound.applying(SoundChange(["grainRate": .nan])) }
        #expect(throws: SoundModelError.self) {
            try sound.applying(SoundChange(sources: [.init(index: 1, volume: 1)]))
        }
        #expect(throws: SoundModelError.self) {
            try sound.applying(SoundChange(sources: [.init(index: 0, volume: 5)]))
        }
        do {
            _ = try SoundModel.parameter(named: "mapping").value(parsing: "cubic")
            Issue.record("a bad choice was accepted")
        } catch {
            #expect(error.description.contains("\"mapping\"") && error.description.contains("softmax"))
        }
    }

    @Test func pairsFollowEachOtherOrClash() throws {
        let sound = SoundSettings()
        let longer = try sound.applying(SoundChange(["grainMinMs": 300]))
        #expect(longer["grainMinMs"] == 300 && longer["grainMaxMs"] == 300)
        let shorter = try sound.applying(SoundChange(["grainMaxMs": 20]))
        #expect(shorter["grainMinMs"] == 20 && shorter["grainMaxMs"] == 20)
        #expect(throws: SoundModelError.self) {
            try sound.applying(SoundChange(["grainMinMs": 300, "grainMaxMs": 100]))
        }
        let attack = try sound.applying(SoundChange(["attack": 0.8]))
        #expect(attack["attack"] == 0.8 && abs(attack["release"] - 0.2) < 1e-12)
        let threshold = try sound.applying(SoundChange(["limiterThresholdDb": -0.5]))
        #expect(threshold["limiterCeilingDb"] == 0)
        #expect(throws: SoundModelError.self) {
            try sound.applying(SoundChange(["limiterThresholdDb": -1, "limiterCeilingDb": -2]))
        }
    }

    @Test func eachChangeNamesWhereItGoes() throws {
        let sound = SoundSettings(sourceCount: 2)
        #expect(sound.effects(of: try sound.applying(SoundChange(["grainRate": 10]))) == [.grains])
        #expect(sound.effects(of: try sound.applying(SoundChange(["gainDb": -6]))) == [.grains])
        #expect(sound.effects(of: try sound.applying(SoundChange(["temperature": 1]))) == [.mapping])
        #expect(sound.effects(of: try sound.applying(SoundChange(["maxVoices": 8]))) == [.start])
        let muted = try sound.applying(SoundChange(sources: [.init(index: 1, muted: true)]))
        #expect(sound.effects(of: muted) == [.grains, .mapping])
        // Muting keeps the volume for unmuting.
        #expect(muted.sources[1] == .init(volume: 1, muted: true))
        #expect(muted.grainParameters.sourceVolumes == [1, 0])
    }

    @Test func aChangeParsesFromJSONWithChoicesByName() throws {
        let json =
            #"{"type":"parameters","mapping":"softmax","grainRate":50,"sources":[{"index":0,"muted":true}]}"#
        guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        else {
            Issue.record("not an object")
            return
        }
        let change = try SoundChange.parse(object, ignoring: ["type"])
        #expect(
            change == SoundChange(["mapping": 1, "grainRate": 50], sources: [.init(index: 0, muted: true)]))
        #expect(throws: SoundModelError.unknownParameter("type")) { try SoundChange.parse(object) }
    }

    @Test func aPresetRoundTripsThroughItsFile() throws {
        let names = ["river", "café", "street"]
        let sound = try SoundSettings(sourceCount: 3).applying(
            SoundChange(
                [
                    "grainRate": 37, "mapping": 1, "temperature": 0.7, "grainMinMs": 20, "grainMaxMs": 400,
                    "topK": 12,
                ],
                sources: [.init(index: 1, volume: 0.3), .init(index: 2, muted: true)]))
        let preset = SoundPreset(settings: sound, sourceNames: names, name: "evening")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("preset-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try preset.write(to: file)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains(#""mapping" : "softmax""#) && text.contains(#""version" : 1"#))
        let loaded = try SoundPreset.load(file.path)
        #expect(loaded == preset)
        #expect(try loaded.settings(sourceNames: names).settings == sound)
        // Sources are matched by name: another corpus order, and a source the preset does not know.
        let other = try loaded.settings(sourceNames: ["street", "birds", "café"])
        #expect(
            other.settings.sources == [
                .init(volume: 1, muted: true), .init(), .init(volume: 0.3, muted: false),
            ])
        #expect(other.unmatched == ["river"])
    }

    @Test(arguments: [
        (#"{"format":"scenophone-preset","version":1,"parameters":{"grainRte":5}}"#, "parameters.grainRte"),
        (#"{"format":"scenophone-preset","version":1,"parameters":{"floor":2}}"#, "\"floor\""),
        (#"{"format":"scenophone-preset","version":1,"colour":"blue"}"#, "\"colour\""),
        (
            #"{"format":"scenophone-preset","version":1,"sources":{"rain":{"loudness":1}}}"#,
            "sources.rain.loudness"
        ),
        (
            #"{"format":"scenophone-preset","version":1,"sources":{"rain":{"volume":-1}}}"#,
            "sources.rain.volume"
        ),
        (#"{"format":"scenophone-preset","version":9}"#, "version 9"),
        (#"{"version":1}"#, "\"format\""),
        (#"{"format":"scenophone-preset","version":1,"parameters":{"mapping":"cubic"}}"#, "\"mapping\""),
        ("not json", "not valid JSON"),
    ])
    func aBadPresetIsRefusedNamingTheKey(json: String, named: String) {
        do {
            _ = try SoundPreset.decode(Data(json.utf8), origin: "bad.json")
            Issue.record("accepted: \(json)")
        } catch {
            #expect(error.description.hasPrefix("bad.json: "), "\(error)")
            #expect(error.description.contains(named), "\(error)")
        }
    }

    @Test func theBuiltInPresetsLoadAndDiffer() throws {
        let presets = SoundPreset.builtIn
        #expect(presets.first?.name == "paper")
        #expect(Set(presets.map(\.name)).count == presets.count && presets.count >= 5)
        var sounds: [SoundSettings] = []
        for preset in presets {
            #expect(!preset.description.isEmpty)
            let sound = try SoundPreset.load(preset.name).settings(sourceNames: []).settings
            #expect(!sounds.contains(sound), "\(preset.name) sounds like another preset")
            sounds.append(sound)
        }
        #expect(sounds[0] == SoundSettings())
        #expect(throws: SoundModelError.self) { try SoundPreset.load("/nonexistent/preset.json") }
    }
}
