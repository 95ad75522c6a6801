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

            Archives: --inputs-from FILE reads the sources from a file (or - for standard \
            input), one a line in the same syntax (blank lines and lines starting with # are \
            skipped). --shard K/N indexes only shard K (from 0) of N: a contiguous block of the \
            sources, inputs K·M/N up to (K+1)·M/N of M; each batch job indexes one shard into \
            its own corpus, and `scenophone merge` combines them, in list order, into the \
            corpus one process would have made (see docs/archives.md).

            Example:
              scenophone index river.mp4 rain=rain.jpg+rain.ogg --output walk.scenophone
              scenophone index --model lite2 river.mp4 --output walk-lite2.scenophone
              scenophone index --inputs-from archive.txt --shard 3/16 -o shards/3.scenophone
            """)

    @Argument(help: "Sources: [NAME=]PICTURE[+SOUND] (see above).")
    var sources: [String] = []

    @Option(
        help: ArgumentHelp(
            "Read more sources from a file, one a line (- for standard input), after any given as arguments.",
            valueName: "file"))
    var inputsFrom: String?

    @Option(
        help: ArgumentHelp(
            "Index only shard K (0 to N−1) of N of the sources, and record it for `scenophone merge`.",
            valueName: "K/N"))
    var shard: String?

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
        guard !sources.isEmpty || inputsFrom != nil else {
            throw ValidationError("give at least one source to index (or --inputs-from FILE)")
        }
        if let shard {
            do {
                _ = try CorpusShard.parse(shard)
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }

    func run() async throws {
        let list = SourceList(
            entries: sources + (try inputsFrom.map { try SourceList.read($0).entries } ?? []))
        guard !list.entries.isEmpty else {
            throw CorpusError.invalidInput(inputsFrom ?? "-", reason: "the list holds no sources")
        }
        let part = try shard.map { try Self.shard($0, of: list) }
        if part != nil { try Self.checkNamesUnique(list) }
        // A shard indexes (and checks the files of) only its own block of the list.
        let selected = part.map { Array(list.entries[$0.inputs]) } ?? list.entries
        let network = try model.loadNetwork(choice.variant)
        let indexer = SourceIndexer(network: network, options: indexing.options)
        let outputURL = URL(fileURLWithPath: output)
        // Check every input before creating anything at the destination.
        _ = try selected.map { try indexer.plan(SourceInput.parse($0)) }
        let writer = try CorpusWriter.create(at: outputURL, model: indexer.model, overwrite: overwrite)
        writer.shard = part
        let summary = try CorpusIndexing.run(selected, indexer: indexer, writer: writer)
        try writer.commit()
        let corpus = try Corpus.open(outputURL)
        try CorpusCommandOutput.reportIndexing(summary, corpus: corpus, json: json)
    }

    /// Refuses a list that names two sources alike, in any shard: one process would refuse it
    /// before starting, and the merge would refuse the shards after hours of work. Names only: a
    /// file missing from another shard is that shard's error.
    ///
    /// - Throws: `CorpusError.invalidInput` naming the two lines.
    private static func checkNamesUnique(_ list: SourceList) throws {
        var lines = [String: Int]()
        for (line, entry) in list.entries.enumerated() {
            guard let name = (try? SourceInput.parse(entry))?.resolvedName else { continue }
            if let first = lines[name] {
                throw CorpusError.invalidInput(
                    entry,
                    reason: "source \(line + 1) of the list is named '\(name)', as source \(first + 1) is; "
                        + "names must be unique (give one NAME=)")
            }
            lines[name] = line
        }
    }

    /// The shard `K/N` of a list.
    ///
    /// - Throws: `CorpusError.invalidInput` when the list has fewer sources than shards (a shard
    ///   is never empty, so every shard is a corpus the merge can check).
    private static func shard(_ text: String, of list: SourceList) throws -> CorpusShard {
        let (index, count) = try CorpusShard.parse(text)
        guard count <= list.entries.count else {
            throw CorpusError.invalidInput(
                "--shard \(text)",
                reason: "the list holds \(list.entries.count) sources, fewer than \(count) shards; "
                    + "cut it into at most \(list.entries.count)")
        }
        return CorpusShard(index: index, of: count, list: list)
    }
}
