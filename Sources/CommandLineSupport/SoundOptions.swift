import ArgumentParser
import Engine
import Foundation

/// Every sound parameter as a command-line flag, plus `--preset`: the one option group of `render`,
/// `live`, `serve`, `demo` and `scenophone-bench latency`.
///
/// Each flag's name, help, range and default come from ``SoundModel``; this type only declares
/// them, because ArgumentParser needs a property per flag (a test checks that the two lists
/// match). The values are read as text and checked by the model, the one validation.
public struct SoundOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A preset: a built-in name (\(SoundPreset.builtIn.map(\.name).joined(separator: ", "))) or a preset file; the flags below override it.",
            valueName: "name-or-file"))
    public var preset: String?

    public init() {}

    @Option(help: .sound("grainRate")) var grainRate: String?
    @Option(help: .sound("onsetJitter")) var onsetJitter: String?
    @Option(help: .sound("grainMinMs")) var grainMinMs: String?
    @Option(help: .sound("grainMaxMs")) var grainMaxMs: String?
    @Option(help: .sound("attack")) var attack: String?
    @Option(help: .sound("release")) var release: String?
    @Option(help: .sound("rateJitter")) var rateJitter: String?
    @Option(help: .sound("spread")) var spread: String?
    @Option(help: .sound("gainDb")) var gainDb: String?
    @Option(help: .sound("limiterThresholdDb")) var limiterThresholdDb: String?
    @Option(help: .sound("limiterCeilingDb")) var limiterCeilingDb: String?
    @Option(help: .sound("limiterRelease")) var limiterRelease: String?
    @Option(help: .sound("maxVoices")) var maxVoices: String?
    @Option(help: .sound("mapping")) var mapping: String?
    @Option(help: .sound("plateau")) var plateau: String?
    @Option(help: .sound("temperature")) var temperature: String?
    @Option(help: .sound("topK")) var topK: String?
    @Option(help: .sound("floor")) var floor: String?
    @Option(help: .sound("smoothing")) var smoothing: String?
    @Option(help: .sound("evidence")) var evidence: String?
    @Option(help: .sound("similarity")) var similarity: String?

    /// The flags given, by parameter name, read from the declared properties by reflection so that
    /// nothing here repeats the model's list.
    public var givenFlags: [String: String] {
        var given: [String: String] = [:]
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, label != "_preset",
                let value = (child.value as? Option<String?>)?.wrappedValue
            else { continue }
            given[String(label.dropFirst())] = value
        }
        return given
    }

    /// The parameter names declared as flags (given or not), for the test that they match the model.
    public static var declaredParameters: [String] {
        Mirror(reflecting: SoundOptions()).children.compactMap(\.label).map { String($0.dropFirst()) }
            .filter { $0 != "preset" }
    }

    /// The flags as a change; each value checked by the model.
    ///
    /// - Returns: the change.
    /// - Throws: `ValidationError` naming the flag and its range.
    public func flagChange() throws -> SoundChange {
        var change = SoundChange()
        for (name, text) in givenFlags {
            do {
                change.values[name] = try SoundModel.parameter(named: name).value(parsing: text)
            } catch {
                let flag = (try? SoundModel.parameter(named: name).flag) ?? name
                throw ValidationError("--\(flag): \(error)")
            }
        }
        return change
    }

    public func validate() throws {
        _ = try settings(sourceNames: [])
    }

    /// The sound these options describe for a corpus: the defaults, the preset's values over them,
    /// then the flags over those.
    ///
    /// - Parameters:
    ///   - sourceNames: the corpus's source names (for the preset's per-source settings).
    ///   - warn: told of the preset's sources the corpus does not have.
    /// - Returns: the settings.
    /// - Throws: `ValidationError` naming the preset file, the flag or the key at fault.
    public func settings(sourceNames: [String], warn: (String) -> Void = { _ in }) throws -> SoundSettings {
        var settings = SoundSettings(sourceCount: sourceNames.count)
        do {
            if let preset {
                let loaded = try SoundPreset.load(preset).settings(sourceNames: sourceNames)
                settings = loaded.settings
                if !loaded.unmatched.isEmpty, !sourceNames.isEmpty {
                    warn(
                        "the preset's sources \(loaded.unmatched.joined(separator: ", ")) are not in the corpus; their settings are skipped"
                    )
                }
            }
        } catch {
            throw ValidationError("--preset: \(error)")
        }
        do {
            return try settings.applying(try flagChange())
        } catch let error as SoundModelError {
            throw ValidationError(error.description)
        }
    }
}

extension ArgumentHelp {
    /// A sound parameter's help, range and default, from the model.
    ///
    /// - Parameter name: the parameter's name in ``SoundModel``.
    /// - Returns: the help.
    static func sound(_ name: String) -> ArgumentHelp {
        guard let parameter = try? SoundModel.parameter(named: name) else {
            preconditionFailure("no sound parameter \(name)")
        }
        return ArgumentHelp(parameter.helpText, valueName: parameter.choices?.joined(separator: "|") ?? "n")
    }
}
