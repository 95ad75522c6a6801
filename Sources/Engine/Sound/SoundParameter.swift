/// One sound or mapping parameter, described once as data: its name everywhere (JSON, presets, OSC,
/// the page), its command-line flag, its default, range, unit and scale, and where a change to it goes.
///
/// ``SoundModel/parameters`` lists them all; the command line, the page's controls, presets and OSC
/// are all built from that list, so a parameter's range is written in one place only.
public struct SoundParameter: Sendable, Hashable, Codable {
    /// How a control moves over the range: evenly, or by equal ratios (for rates and durations).
    public enum Scale: String, Sendable, Hashable, Codable {
        case linear, log
    }

    /// Where a change goes while the sound plays.
    public enum Effect: String, Sendable, Hashable, Codable {
        /// The synthesizer alone, from its next block: no new distance pass, p(t) is kept.
        case grains
        /// The map from distances to p(t): the last distances are mapped again at once.
        case mapping
        /// Chosen when the engine starts (the synthesizer's memory is sized by it); refused live.
        case start
    }

    /// The name in JSON, presets, OSC addresses and on the page, e.g. `grainRate`.
    public let name: String
    /// The command-line flag without its dashes, e.g. `grain-rate`.
    public let flag: String
    /// The control's label on the page.
    public let label: String
    /// The unit shown beside the value (`/s`, `ms`, `dB`, …; empty for none).
    public let unit: String
    /// What the parameter does, for `--help`, the page's tooltips and the docs.
    public let help: String
    /// The default: the paper's value, or where the paper gives none, the one tuned on the shared media.
    public let defaultValue: Double
    /// The smallest accepted value.
    public let minimum: Double
    /// The largest accepted value.
    public let maximum: Double
    /// How a control moves over the range.
    public let scale: Scale
    /// Whether only whole numbers are accepted.
    public let integer: Bool
    /// For a choice, its names; the value is the index of the chosen one.
    public let choices: [String]?
    /// Where a change goes.
    public let effect: Effect

    /// Describes a parameter.
    ///
    /// - Parameters:
    ///   - name: the name in JSON, presets, OSC and on the page; the flag is its kebab-case form
    ///     (`grainMinMs` → `--grain-min-ms`), as ArgumentParser names a property.
    ///   - label: the page's label.
    ///   - unit: the unit shown beside the value.
    ///   - defaultValue: the default.
    ///   - range: the accepted values (for a choice, `0...choices.count − 1`, derived when nil).
    ///   - scale: linear or log (a log range must be positive).
    ///   - integer: whole numbers only.
    ///   - choices: the names of a choice's options.
    ///   - effect: where a change goes.
    ///   - help: what it does.
    public init(
        _ name: String, label: String, unit: String = "", defaultValue: Double,
        range: ClosedRange<Double>? = nil, scale: Scale = .linear, integer: Bool = false,
        choices: [String]? = nil, effect: Effect, help: String
    ) {
        let range = range ?? 0...Double(max(0, (choices?.count ?? 1) - 1))
        precondition(range.contains(defaultValue), "\(name): default outside its range")
        precondition(scale == .linear || range.lowerBound > 0, "\(name): a log range must be positive")
        self.name = name
        flag = Self.kebabCase(name)
        self.label = label
        self.unit = unit
        self.help = help
        self.defaultValue = defaultValue
        self.minimum = range.lowerBound
        self.maximum = range.upperBound
        self.scale = scale
        self.integer = integer || choices != nil
        self.choices = choices
        self.effect = effect
    }

    /// `grainMinMs` → `grain-min-ms`.
    private static func kebabCase(_ name: String) -> String {
        var flag = ""
        for character in name {
            if character.isUppercase {
                flag += "-" + character.lowercased()
            } else {
                flag.append(character)
            }
        }
        return flag
    }

    /// The accepted values.
    public var range: ClosedRange<Double> { minimum...maximum }

    /// Checks a value against the range (and wholeness).
    ///
    /// - Parameter value: the value.
    /// - Throws: ``SoundModelError/outOfRange(parameter:value:description:)`` naming this parameter.
    public func check(_ value: Double) throws(SoundModelError) {
        guard value.isFinite, range.contains(value), !integer || value.rounded() == value else {
            throw .outOfRange(parameter: name, value: value, description: rangeDescription)
        }
    }

    /// Reads a value from text: a number, or for a choice one of its names.
    ///
    /// - Parameter text: the text, e.g. `"50"` or `"softmax"`.
    /// - Returns: the value, checked against the range.
    /// - Throws: ``SoundModelError`` naming this parameter when the text is not an accepted value.
    public func value(parsing text: String) throws(SoundModelError) -> Double {
        if let choices {
            if let index = choices.firstIndex(of: text) { return Double(index) }
            throw .invalidValue(parameter: name, text: text, expected: choices.joined(separator: ", "))
        }
        guard let value = Double(text) else {
            throw .invalidValue(parameter: name, text: text, expected: "a number within \(rangeDescription)")
        }
        try check(value)
        return value
    }

    /// A value as text: a choice's name, a whole number without a decimal point, or the shortest decimal.
    ///
    /// - Parameter value: a value in range.
    /// - Returns: the text.
    public func text(for value: Double) -> String {
        if let choices, let index = Int(exactly: value), choices.indices.contains(index) {
            return choices[index]
        }
        if let whole = Int(exactly: value) { return String(whole) }
        return String(value)
    }

    /// The range as people read it: `1…1000 /s`, or a choice's names.
    public var rangeDescription: String {
        if let choices { return "one of " + choices.joined(separator: ", ") }
        let unitSuffix = unit.isEmpty ? "" : " \(unit)"
        return "\(text(for: minimum))…\(text(for: maximum))\(unitSuffix)"
    }

    /// The `--help` text: what it does, its range and its default.
    public var helpText: String {
        "\(help) (\(rangeDescription); default \(text(for: defaultValue)))"
    }
}
