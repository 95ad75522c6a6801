import ArgumentParser
import Corpus
import Foundation

/// `scenophone sources remove CORPUS NAME…`: drop sources (and their files).
struct SourcesRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove sources from a corpus (their files are deleted).")

    @Argument(help: "The corpus.")
    var corpus: String

    @Argument(help: "The names of the sources to remove.")
    var names: [String]

    func validate() throws {
        guard !names.isEmpty else { throw ValidationError("name at least one source to remove") }
    }

    func run() async throws {
        let writer = try CorpusWriter.edit(URL(fileURLWithPath: corpus))
        for name in names { try writer.remove(named: name) }
        try writer.commit()
        print("removed \(names.joined(separator: ", ")); \(writer.sourceNames.count) sources left")
    }
}
