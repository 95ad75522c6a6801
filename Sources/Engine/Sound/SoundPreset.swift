import Foundation

/// A sound kept in a file: parameters and per-source volumes and mutes, as versioned JSON.
///
/// ```json
/// {"format": "scenophone-preset", "version": 1, "name": "calm river",
///  "parameters": {"grainRate": 40, "mapping": "plateau"},
///  "sources": {"river": {"volume": 1.5}, "street": {"muted": true}}}
/// ```
///
/// Parameters left out keep their defaults; sources are named (so a preset suits any corpus with
/// those names), and names the corpus does not have are skipped. Unknown keys and values out of
/// range are refused with the key named. A few presets ship with the program (``builtIn``).
public struct SoundPreset: Sendable, Equatable {
    /// What the `format` key holds.
    public static let format = "scenophone-preset"
    /// The version this program writes and reads.
    public static let version = 1

    /// A short name (shown on the page).
    public var name: String
    /// What it sounds like.
    public var description: String
    /// Parameter values by name (a choice's value is its option's index), each in range.
    public var parameters: [String: Double]
    /// Mixer settings by source name.
    public var sources: [String: SourceSetting]

    /// One named source's settings; what is absent stays as it is.
    public struct SourceSetting: Sendable, Equatable {
        public var volume: Double?
        public var muted: Bool?

        public init(volume: Double? = nil, muted: Bool? = nil) {
            self.volume = volume
            self.muted = muted
        }
    }

    /// Creates a preset.
    ///
    /// - Parameters:
    ///   - name: its name.
    ///   - description: what it sounds like.
    ///   - parameters: values by parameter name.
    ///   - sources: mixer settings by source name.
    public init(
        name: String, description: String = "", parameters: [String: Double] = [:],
        sources: [String: SourceSetting] = [:]
    ) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.sources = sources
    }

    /// The preset of some settings: every parameter and every source.
    ///
    /// - Parameters:
    ///   - settings: the sound.
    ///   - sourceNames: the corpus's source names, in order (as many as `settings` has sources).
    ///   - name: the preset's name.
    public init(settings: SoundSettings, sourceNames: [String], name: String) {
        self.name = name
        description = ""
        parameters = Dictionary(uniqueKeysWithValues: zip(SoundModel.parameters.map(\.name), settings.values))
        sources = Dictionary(
            zip(sourceNames, settings.sources).map {
                ($0, SourceSetting(volume: $1.volume, muted: $1.muted))
            },
            uniquingKeysWith: { first, _ in first })
    }

    // MARK: Applying

    /// The sound this preset describes for a corpus: the defaults, then the preset's values.
    ///
    /// - Parameter sourceNames: the corpus's source names, in order.
    /// - Returns: the settings, and the preset's source names the corpus does not have (skipped).
    /// - Throws: ``SoundModelError/inconsistent(_:)`` when the preset's values clash.
    public func settings(sourceNames: [String]) throws(SoundModelError) -> (
        settings: SoundSettings, unmatched: [String]
    ) {
        var change = SoundChange(parameters)
        var unmatched: [String] = []
        for (name, setting) in sources.sorted(by: { $0.key < $1.key }) {
            guard let index = sourceNames.firstIndex(of: name) else {
                unmatched.append(name)
                continue
            }
            change.sources.append(.init(index: index, volume: setting.volume, muted: setting.muted))
        }
        let settings = try SoundSettings(sourceCount: sourceNames.count).applying(change)
        return (settings, unmatched)
    }

    // MARK: Reading and writing

    /// Reads a preset: a built-in one by name, or a file.
    ///
    /// - Parameter reference: a name from ``builtIn`` or a path to a preset file.
    /// - Returns: the preset.
    /// - Throws: ``SoundModelError/invalidPreset(_:)`` naming the file and the problem.
    public static func load(_ reference: String) throws(SoundModelError) -> SoundPreset {
        if let preset = builtIn.first(where: { $0.name == reference }) { return preset }
        let url = URL(fileURLWithPath: reference)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let names = builtIn.map(\.name).joined(separator: ", ")
            throw .invalidPreset(
                "\(reference): cannot read the preset file (\(error.localizedDescription)); built-in presets: \(names)"
            )
        }
        return try decode(data, origin: url.path)
    }

    /// The largest preset file read (real ones are a few kilobytes).
    public static let maximumSize = 1 << 20

    /// Reads a preset from JSON.
    ///
    /// - Parameters:
    ///   - data: the JSON.
    ///   - origin: the file or client it came from, for error messages.
    /// - Returns: the preset.
    /// - Throws: ``SoundModelError/invalidPreset(_:)`` naming `origin` and the key at fault.
    public static func decode(_ data: Data, origin: String) throws(SoundModelError) -> SoundPreset {
        guard data.count <= maximumSize else {
            throw .invalidPreset("\(origin): \(data.count) bytes is too large for a preset")
        }
        guard let root = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            throw .invalidPreset("\(origin): not valid JSON")
        }
        do {
            return try decode(root)
        } catch {
            throw .invalidPreset("\(origin): \(error)")
        }
    }

    /// Reads a preset from a JSON value.
    ///
    /// - Parameter root: the preset object.
    /// - Returns: the preset.
    /// - Throws: ``SoundModelError`` naming the key at fault.
    public static func decode(_ root: JSONValue) throws(SoundModelError) -> SoundPreset {
        guard case .object(let object) = root else { throw .invalidPreset("a preset must be a JSON object") }
        guard case .string(format) = object["format"] ?? .null else {
            throw .invalidPreset("\"format\" must be \"\(format)\"")
        }
        guard case .number(let version) = object["version"] ?? .null, version >= 1 else {
            throw .invalidPreset("\"version\" must be a number")
        }
        guard version <= Double(Self.version) else {
            throw .invalidPreset("version \(version) is newer than this program reads (\(Self.version))")
        }
        var preset = SoundPreset(name: "")
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            switch (key, value) {
            case ("format", _), ("version", _):
                continue
            case ("name", .string(let name)):
                preset.name = name
            case ("description", .string(let text)):
                preset.description = text
            case ("parameters", .object(let values)):
                for (name, value) in values {
                    let parameter: SoundParameter
                    do {
                        parameter = try SoundModel.parameter(named: name)
                    } catch {
                        throw .invalidPreset(
                            "unknown key \"parameters.\(name)\" (known: \(SoundModel.parameters.map(\.name).joined(separator: ", ")))"
                        )
                    }
                    preset.parameters[name] = try SoundChange.parse(value, for: parameter)
                }
            case ("sources", .object(let entries)):
                for (name, entry) in entries {
                    preset.sources[name] = try decodeSource(entry, name: name)
                }
            case ("name", _), ("description", _):
                throw .invalidPreset("\"\(key)\" must be a string")
            case ("parameters", _), ("sources", _):
                throw .invalidPreset("\"\(key)\" must be an object")
            default:
                throw .invalidPreset(
                    "unknown key \"\(key)\" (a preset has format, version, name, description, parameters, sources)"
                )
            }
        }
        return preset
    }

    private static func decodeSource(_ entry: JSONValue, name: String) throws(SoundModelError)
        -> SourceSetting
    {
        guard case .object(let fields) = entry else {
            throw .invalidPreset("\"sources.\(name)\" must be an object with \"volume\" and/or \"muted\"")
        }
        var setting = SourceSetting()
        for (key, value) in fields {
            switch (key, value) {
            case ("volume", .number(let volume)) where SoundModel.sourceVolumeRange.contains(volume):
                setting.volume = volume
            case ("volume", _):
                throw .invalidPreset(
                    "\"sources.\(name).volume\" is \(value.summary); it must be within \(SoundModel.sourceVolumeDescription)"
                )
            case ("muted", .bool(let muted)):
                setting.muted = muted
            case ("muted", _):
                throw .invalidPreset("\"sources.\(name).muted\" must be true or false")
            default:
                throw .invalidPreset("unknown key \"sources.\(name).\(key)\" (a source has volume, muted)")
            }
        }
        return setting
    }

    /// The preset as JSON: every key sorted, choices by name, so files diff well.
    public func encoded() -> Data {
        var parameterValues: [String: JSONValue] = [:]
        for (name, value) in parameters {
            guard let parameter = try? SoundModel.parameter(named: name) else { continue }
            if let choices = parameter.choices, choices.indices.contains(Int(value)) {
                parameterValues[name] = .string(choices[Int(value)])
            } else {
                parameterValues[name] = .number(value)
            }
        }
        var sourceValues: [String: JSONValue] = [:]
        for (name, setting) in sources {
            var fields: [String: JSONValue] = [:]
            if let volume = setting.volume { fields["volume"] = .number(volume) }
            if let muted = setting.muted { fields["muted"] = .bool(muted) }
            sourceValues[name] = .object(fields)
        }
        var root: [String: JSONValue] = [
            "format": .string(Self.format), "version": .number(Double(Self.version)), "name": .string(name),
            "parameters": .object(parameterValues), "sources": .object(sourceValues),
        ]
        if !description.isEmpty { root["description"] = .string(description) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // A JSONValue holds only finite numbers here (every value was range-checked).
        return (try? encoder.encode(JSONValue.object(root))) ?? Data()
    }

    /// Writes the preset to a file atomically (a reader never sees half a preset).
    ///
    /// - Parameter url: the file.
    /// - Throws: the file system's error.
    public func write(to url: URL) throws {
        try encoded().write(to: url, options: .atomic)
    }
}
