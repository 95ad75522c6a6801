import ArgumentParser
import Corpus
import Foundation

/// `scenophone sources list CORPUS`: the sources as a table (or JSON).
struct SourcesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List a corpus's sources with their durations, frames, weights.")

    @Argument(help: "The corpus.")
    var corpus: String

    @Flag(help: "Print JSON (the `sources` part of `info --json`).")
    var json = false

    func run() async throws {
        let report = CorpusReport(try Corpus.open(URL(fileURLWithPath: corpus)), verified: "standard")
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report.sources), as: UTF8.self))
        } else {
            print(report.table)
        }
    }
}
