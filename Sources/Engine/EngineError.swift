import Foundation
import Vision

/// What can go wrong wiring pictures, a corpus and the synthesizer together.
public enum EngineError: Error, CustomStringConvertible {
    /// The corpus's embeddings come from another model than the network at hand.
    case modelMismatch(corpus: URL, corpusModel: ModelIdentity, network: ModelIdentity)
    /// The synthesizer's sound bank was not made from this corpus.
    case bankMismatch(frames: Int, corpusFrames: Int)
    /// An input cannot be rendered; the message says why.
    case invalidInput(URL, String)
    /// An output cannot be written; the message says why.
    case invalidOutput(URL, String)

    public var description: String {
        switch self {
        case .modelMismatch(let corpus, let corpusModel, let network):
            return
                "\(corpus.path): the corpus was built with \(corpusModel.name) (\(corpusModel.normalization) "
                + "normalisation, weights \(corpusModel.weightsSHA256.prefix(12))) but the model at hand is "
                + "\(network.name) (\(network.normalization), weights \(network.weightsSHA256.prefix(12))); "
                + "index the corpus again"
        case .bankMismatch(let frames, let corpusFrames):
            return "the synthesizer's sound bank has \(frames) frames but the corpus has \(corpusFrames)"
        case .invalidInput(let url, let message): return "\(url.path): \(message)"
        case .invalidOutput(let url, let message): return "\(url.path): \(message)"
        }
    }
}
