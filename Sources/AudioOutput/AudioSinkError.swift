/// Why a sink could not start or stopped playing.
public enum AudioSinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The requested format is out of range.
    case invalidFormat(String)
    /// The ALSA device could not be opened or configured: device name, the step that failed,
    /// ALSA's error string and its library message.
    case alsa(device: String, step: String, error: String, detail: String)
    /// The device refused the format (e.g. a rate it cannot play).
    case unsupportedFormat(device: String, String)
    /// The sink was started twice.
    case alreadyStarted
    /// The audio thread could not be created.
    case threadCreation(Int32)
    /// A file sink could not write its file.
    case file(path: String, String)

    /// Whether the device could not even be opened (no such device, or no sound card at all): the
    /// case where a command should offer another way to play.
    public var isMissingDevice: Bool {
        if case .alsa(_, let step, _, _) = self { return step == "open" }
        return false
    }

    public var description: String {
        switch self {
        case .invalidFormat(let what):
            return "invalid audio format: \(what)"
        case .alsa(let device, let step, let error, let detail):
            var text = "cannot use ALSA device '\(device)': \(step) failed: \(error)"
            if !detail.isEmpty { text += " (\(detail))" }
            if isMissingDevice {
                text += "; this machine may have no sound card (list devices with 'aplay -L')"
            }
            return text
        case .unsupportedFormat(let device, let what):
            return "ALSA device '\(device)' cannot play \(what)"
        case .alreadyStarted:
            return "the audio sink is already running"
        case .threadCreation(let code):
            return "cannot create the audio thread (error \(code))"
        case .file(let path, let problem):
            return "\(path): \(problem)"
        }
    }
}
