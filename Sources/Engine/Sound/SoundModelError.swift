/// A sound setting that cannot be accepted; every case names the key at fault.
public enum SoundModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No parameter has this name.
    case unknownParameter(String)
    /// A value outside its parameter's range.
    case outOfRange(parameter: String, value: Double, description: String)
    /// Text that is not a value of the parameter.
    case invalidValue(parameter: String, text: String, expected: String)
    /// Values that are each in range but do not go together (shortest grain longer than the longest…).
    case inconsistent(String)
    /// A per-source setting for a source the corpus does not have.
    case unknownSource(String)
    /// A parameter fixed when the engine starts, changed while it plays.
    case fixedWhilePlaying(String)
    /// A preset file that cannot be read as one.
    case invalidPreset(String)

    public var description: String {
        switch self {
        case .unknownParameter(let name):
            "unknown sound parameter \"\(name)\" (known: \(SoundModel.parameters.map(\.name).joined(separator: ", ")))"
        case .outOfRange(let parameter, let value, let description):
            "\"\(parameter)\" is \(Int(exactly: value).map(String.init) ?? String(value)); it must be within \(description)"
        case .invalidValue(let parameter, let text, let expected):
            "\"\(parameter)\" cannot be \"\(text.prefix(60))\"; expected \(expected)"
        case .inconsistent(let message):
            message
        case .unknownSource(let message):
            message
        case .fixedWhilePlaying(let name):
            "\"\(name)\" is fixed when the sound starts; give it on the command line or in a preset"
        case .invalidPreset(let message):
            message
        }
    }
}
