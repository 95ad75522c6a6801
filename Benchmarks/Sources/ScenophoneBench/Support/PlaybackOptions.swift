import ArgumentParser
import Corpus
import Engine
import Foundation
import MediaIO

/// `--corpus` and `--input`: what the benchmarks that play a corpus (`latency`, `soak`) play, and
/// the pictures they show its camera.
struct PlaybackOptions: ParsableArguments {
    @Option(help: "The corpus to play from (made with 'scenophone index').")
    var corpus: String

    @Option(
        parsing: .upToNextOption,
        help: "Pictures to use as camera frames, in turn (default: the corpus's thumbnails).")
    var input: [String] = []

    /// The corpus bundle.
    var corpusURL: URL { URL(fileURLWithPath: corpus) }

    /// The camera frames: the `--input` pictures, else the corpus's own thumbnails (one per source,
    /// at most eight), each scaled to the model's input.
    ///
    /// - Parameter corpus: the open corpus.
    /// - Returns: the frames.
    /// - Throws: `MediaIOError` naming a picture that cannot be read.
    func frames(of corpus: Corpus) throws -> [LiveFrame] {
        let side = corpus.model.inputSize
        guard !input.isEmpty else { return try LiveFrame.thumbnails(of: corpus, side: side) }
        return try input.map { path in
            LiveFrame(
                try VideoFrameReader.readStill(
                    URL(fileURLWithPath: path), scaling: .exact(width: side, height: side)))
        }
    }
}
