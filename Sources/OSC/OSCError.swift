/// A packet that is not well-formed OSC.
public enum OSCError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The packet ends in the middle of something.
    case truncated(String)
    /// The bytes are not OSC (bad address, unknown type tag, bad padding…).
    case malformed(String)
    /// Larger than the receiver accepts.
    case oversized(Int)

    public var description: String {
        switch self {
        case .truncated(let what): "truncated OSC packet: \(what)"
        case .malformed(let what): "malformed OSC packet: \(what)"
        case .oversized(let size): "OSC packet of \(size) bytes is larger than accepted"
        }
    }
}
