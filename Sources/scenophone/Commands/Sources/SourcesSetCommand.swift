import ArgumentParser
import Corpus
import Foundation

/// `scenophone sources set CORPUS NAME --weight W --mute --category C …`: adjust one source.
struct SourcesSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Weight, mute, unmute, rename or categorise a source.",
        discussion: """
            The weight scales how likely the synthesizer is to play from the source (1 is \
            neutral, 0 never, 2 twice as likely); a muted source keeps its weight but stays silent.

            The category says what kind of scene the source is (rain, city-street: letters, \
            digits, '-' and '_'); `scenophone evaluate` measures how much of the sound played for \
            an input comes from sources of the input's category.
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

    @Option(help: "Set its category (letters, digits, '-', '_').")
    var category: String?

    @Flag(help: "Clear its category.")
    var noCategory = false

    /// `--mute` or `--unmute`.
    enum MuteChange: String, EnumerableFlag {
        case mute
        case unmute
    }

    func validate() throws {
        guard weight != nil || mute != nil || rename != nil || category != nil || noCategory else {
            throw ValidationError(
                "say what to change: --weight, --mute, --unmute, --rename, --category or --no-category")
        }
        guard category == nil || !noCategory else {
            throw ValidationError("--category and --no-category contradict each other")
        }
        if let category, !SourceCategory.isValid(category) {
            throw ValidationError(
                "--category '\(category)': a category is 1 to \(SourceCategory.maximumLength) letters, digits, "
                    + "'-' or '_' (e.g. rain, city-street)")
        }
        if let weight, !(weight.isFinite && weight >= 0) {
            throw ValidationError("--weight must be 0 or more")
        }
    }

    func run() async throws {
        let writer = try CorpusWriter.edit(URL(fileURLWithPath: corpus))
        if category != nil || noCategory { try writer.setCategory(category, ofSource: name) }
        try writer.update(source: name, weight: weight, muted: mute.map { $0 == .mute }, newName: rename)
        try writer.commit()
        let report = CorpusReport(try Corpus.open(URL(fileURLWithPath: corpus)), verified: "standard")
        print(report.table)
    }
}
