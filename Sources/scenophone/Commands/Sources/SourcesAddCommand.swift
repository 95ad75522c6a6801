import ArgumentParser
import CommandLineSupport
import Corpus
import Foundation

/// `scenophone sources add CORPUS INPUT…`: index more sources into an existing corpus.
struct SourcesAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Index more sources into a corpus (the others are not re-embedded).",
        discussion: """
            \(IndexingOptions.sourceSyntax)

            The new sources are embedded with the model the corpus records (--model-dir says \
            where the models are installed): embeddings of two models cannot be compared, so a \
            corpus never mixes them.
            """)

    @Argument(help: "The corpus.")
    var corpus: String

    @Argument(help: "Sources: [NAME=]PICTURE[+SOUND].")
    var sources: [String]

    @Flag(help: "Print the corpus's description as JSON afterwards.")
    var json = false

    @OptionGroup var indexing: IndexingOptions
    @OptionGroup var model: ModelOptions

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("give at least one source to add") }
    }

    func run() async throws {
        let url = URL(fileURLWithPath: corpus)
        let writer = try CorpusWriter.edit(url)
        let network = try Corpus.loadNetwork(
            matching: writer.model, corpus: url, modelDirectory: model.directory)
        let indexer = SourceIndexer(network: network, options: indexing.options)
        let summary = try CorpusIndexing.run(sources, indexer: indexer, writer: writer)
        try writer.commit()
        try CorpusCommandOutput.reportIndexing(summary, corpus: try Corpus.open(url), json: json)
    }
}
