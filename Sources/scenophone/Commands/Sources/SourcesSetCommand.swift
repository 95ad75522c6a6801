import ArgumentParser
import Corpus
import Foundation

/// `scenophone sources set CORPUS NAME --weight W --mute …`: adjust one source.
struct SourcesSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Weight, mute, unmute or rename a source.",
        discussion: """
            The weight scales how likely the synthesizer is to play from the source (1 is \
            neutral, 0 never, 2 twice as likely); a muted source keeps its weight but stays silent.
            """)

    @Argument(help: "The corpus.")
    var corpus: String

    @Argument(help: "The source's name.")
    var name: String

    @Option(help: "A new weight (0 or more).")
    var weight: Double?

    @Flag(exclusivity: .exclusive, help: "Mute or unmute it.")
    var mute: MuteChange?

    @Option(help: "A new name.")
    var rename: String?

    /// `--mute` or `--unmute`.
    enum MuteChange: String, EnumerableFlag {
        case mute
        case unmute
    }

    func validate() throws {
        guard weight != nil || mute != nil || rename != nil else {
            throw ValidationError("say what to change: --weight, --mute, --unmute or --rename")
        }
        if let weight, !(weight.isFinite && weight >= 0) {
            throw ValidationError("--weight must be 0 or more")
        }
    }

    func run() async throws {
        let writer = try CorpusWriter.edit(URL(fileURLWithPath: corpus))
        try writer.update(source: name, weight: weight, muted: mute.map { $0 == .mute }, newName: rename)
        try writer.commit()
        let report = CorpusReport(try Corpus.open(URL(fileURLWithPath: corpus)), verified: "standard")
        print(report.table)
    }
}
