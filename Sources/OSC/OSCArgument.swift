/// One argument of an OSC message, with its type tag.
///
/// The OSC 1.0 core types (`i f s b`) and the common extensions Max, Pd, SuperCollider and
/// TouchOSC send (`h d T F N I`).
public enum OSCArgument: Sendable, Equatable {
    case int32(Int32)
    case float32(Float)
    case string(String)
    case blob([UInt8])
    case int64(Int64)
    case float64(Double)
    case bool(Bool)
    case null
    case impulse

    /// The type tag character.
    var tag: UInt8 {
        switch self {
        case .int32: UInt8(ascii: "i")
        case .float32: UInt8(ascii: "f")
        case .string: UInt8(ascii: "s")
        case .blob: UInt8(ascii: "b")
        case .int64: UInt8(ascii: "h")
        case .float64: UInt8(ascii: "d")
        case .bool(let value): value ? UInt8(ascii: "T") : UInt8(ascii: "F")
        case .null: UInt8(ascii: "N")
        case .impulse: UInt8(ascii: "I")
        }
    }

    /// The argument as a number, if it is one (booleans count as 0 and 1, as controllers send toggles).
    public var number: Double? {
        switch self {
        case .int32(let value): Double(value)
        case .float32(let value): Double(value)
        case .int64(let value): Double(value)
        case .float64(let value): value
        case .bool(let value): value ? 1 : 0
        default: nil
        }
    }

    /// The argument as text, if it is a string.
    public var text: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
