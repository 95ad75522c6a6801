import AudioOutput

/// Why the live engine refused a frame or could not start.
public enum LiveEngineError: Error, Sendable, CustomStringConvertible {
    /// A submitted frame is malformed (size or byte count).
    case invalidFrame(String)
    /// The engine was started twice, or after `stop()`.
    case alreadyStarted
    /// The corpus, model and sink do not fit together.
    case incompatible(String)
    /// The audio sink failed.
    case sink(AudioSinkError)

    public var description: String {
        switch self {
        case .invalidFrame(let problem): "invalid frame: \(problem)"
        case .alreadyStarted: "the live engine was already started (or has been stopped)"
        case .incompatible(let problem): problem
        case .sink(let error): error.description
        }
    }
}
