/// What can be wrong with the audio or the settings handed to the synthesizer.
public enum SynthError: Error, CustomStringConvertible, Equatable {
    /// A source's audio or a frame's span is unusable; the message names which and why.
    case invalidSoundBank(String)
    /// A parameter is out of its range; the message names it and the range.
    case invalidParameter(String)
    /// A distribution has the wrong number of frames for the sound bank.
    case frameCountMismatch(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .invalidSoundBank(let message): return "invalid sound bank: \(message)"
        case .invalidParameter(let message): return "invalid parameter: \(message)"
        case .frameCountMismatch(let expected, let got):
            return "the distribution has \(got) frames but the sound bank has \(expected)"
        }
    }
}
