/// Something a client sent that the server refuses; the connection is closed with this as the reason.
///
/// Each case maps to a WebSocket close code, and its message is sent to the client first as an
/// `error` message, so a page can show what went wrong.
public enum ProtocolViolation: Error, Equatable, CustomStringConvertible {
    /// Not a message this protocol knows: bad JSON, an unknown type, a bad binary header.
    case malformed(String)
    /// A camera frame of the wrong dimensions or length.
    case wrongFrameSize(String)
    /// Frames faster than the server allows.
    case flood(String)
    /// A frame from a client that is not the camera.
    case notTheCamera

    /// A short machine-readable name, sent in the `error` message's `code` field.
    public var code: String {
        switch self {
        case .malformed: "malformed"
        case .wrongFrameSize: "wrong-frame-size"
        case .flood: "flood"
        case .notTheCamera: "not-the-camera"
        }
    }

    /// Whether the server closes the connection. A frame from a former camera is not: it may have
    /// been in flight when another device took the camera over.
    public var closesConnection: Bool { self != .notTheCamera }

    public var description: String {
        switch self {
        case .malformed(let reason), .wrongFrameSize(let reason), .flood(let reason): reason
        case .notTheCamera: "another device is the camera now; frames from this one are ignored"
        }
    }
}
