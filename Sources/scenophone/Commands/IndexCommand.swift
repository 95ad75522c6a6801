import ArgumentParser
import CommandLineSupport
import Corpus
import Foundation

/// `scenophone index INPUT… --output NAME.scenophone`: build a corpus from videos and photo +
/// recording pairs.
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build a corpus from videos (and photo + recording pairs).",
        discussion: """
            Frames are sampled at --fps (1 per second by default, as in the paper) and embedded \
            with the --model network (EfficientNet-Lite0 by default); the sound is kept beside \
            them at 48 kHz float, stereo where the source is stereo, on the same timeline as the \
            frames; a small JPEG of each frame is kept for the interface.

            \(IndexingOptions.sourceSyntax)

            The corpus is written atomically: until it is complete nothing appears at --output, \
            and replacing a corpus (--overwrite) leaves the previous one intact if the run is \
            interrupted. Every input is checked before any work starts.

            The corpus records its model: `sources add`, `render`, `live` and `serve` use that \
            model for it, whatever the default.

            Example:
              scenophone index river.mp4 rain=rain.jpg+rain.ogg --output walk.scenophone
              scenophone index --model lite2 river.mp4 --output walk-lite2.scenophone
            """)

    @Argument(help: "Sources: [NAME=]PICTURE[+SOUND] (see above).")
    var sources: [String]

    @Option(name: .shortAndLong, help: "The corpus to create (a NAME.scenophone directory).")
    var output: String

    @Flag(help: "Replace the corpus at --output if there is one.")
    var overwrite = false

    @Flag(help: "Print the new corpus's description as JSON (as `info --json`).")
    var json = false

    @OptionGroup var indexing: IndexingOptions
    @OptionGroup var choice: ModelChoice
    @OptionGroup var model: ModelOptions

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("give at least one source to index") }
    }

    func run() async throws {
        let network = try model.loadNetwork(choice.variant)
        let indexer = SourceIndexer(network: network, options: indexing.options)
        let outputURL = URL(fileURLWithPath: output)
        // Check every input before creating anything at the destination.
        _ = try sources.map { try indexer.plan(SourceInput.parse($0)) }
        let writer = try CorpusWriter.create(at: outputURL, model: indexer.model, overwrite: overwrite)
        let summary = try CorpusIndexing.run(sources, indexer: indexer, writer: writer)
        try writer.commit()
        let corpus = try Corpus.open(outputURL)
        try CorpusCommandOutput.reportIndexing(summary, corpus: corpus, json: json)
    }
}
