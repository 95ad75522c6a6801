import ArgumentParser
import CommandLineSupport
import Corpus
import Foundation

/// `scenophone merge CORPUS… --output NAME.scenophone`: combine shard corpora (or whole corpora)
/// into one, without decoding or embedding anything.
struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine shard corpora (index --shard K/N) into one, without re-embedding.",
        discussion: """
            Shards of one list (`index --inputs-from LIST --shard K/N`, one per batch job) are \
            taken in shard order whatever the order given, so the merged corpus holds the \
            sources in list order: the corpus one process indexing the whole list would have \
            made, with the same embeddings, audio and thumbnails. Whole corpora (indexed without \
            --shard) are taken in the order given.

            The blobs are hard-linked (copied when the corpora are on another file system) and \
            every one is checked against its checksum; the statistics are recomputed from the \
            merged embeddings. The merge is atomic: until it is complete nothing appears at \
            --output, and an interrupted --overwrite leaves the previous corpus intact.

            Refused, naming the corpus: corpora of different models, a source name or input file \
            in two of them, a damaged or missing blob (the shard and the blob are named: index \
            that shard again), shards of different lists or cuts, the same shard twice, and a set \
            of shards with one missing — a failed or killed job leaves no shard — unless \
            --allow-missing.

            Example:
              parallel scenophone index --inputs-from archive.txt --shard {}/8 -o shards/{}.scenophone ::: $(seq 0 7)
              scenophone merge shards/*.scenophone --output archive.scenophone
            """)

    @Argument(help: "The corpora to merge: the shards of one list, or whole corpora.")
    var corpora: [String]

    @Option(name: .shortAndLong, help: "The corpus to create (a NAME.scenophone directory).")
    var output: String

    @Flag(help: "Replace the corpus at --output if there is one.")
    var overwrite = false

    @Flag(help: "Merge the shards there are when some of the list's shards are missing (they are named).")
    var allowMissing = false

    @Flag(help: "Print the merged corpus's description as JSON (as `info --json`).")
    var json = false

    func validate() throws {
        guard !corpora.isEmpty else { throw ValidationError("give the corpora to merge") }
    }

    func run() async throws {
        let outputURL = URL(fileURLWithPath: output)
        let start = Date()
        // Checking the blobs reads every byte: the bar appears once the merge knows the total.
        var bar: ProgressBar?
        defer { bar?.finish() }
        let summary = try CorpusMerge.merge(
            corpora.map { URL(fileURLWithPath: $0) }, into: outputURL,
            options: CorpusMerge.Options(overwrite: overwrite, allowMissing: allowMissing)
        ) { done, total in
            if bar == nil { bar = ProgressBar(total: Int(total / 1_000_000), unit: "MB") }
            bar?.update(done: Int(done / 1_000_000), label: "checking and linking blobs")
        }
        bar?.finish()
        if !summary.missingShards.isEmpty, let count = summary.shardCount {
            let missing = summary.missingShards.map { "\($0)/\(count)" }.joined(separator: ", ")
            FileHandle.standardError.write(
                Data("warning: merged without the missing shard(s) \(missing) (--allow-missing)\n".utf8))
        }
        let corpus = try Corpus.open(outputURL)
        let report = CorpusReport(corpus, verified: "standard")
        if json {
            print(try report.json())
            return
        }
        let what =
            summary.shardCount.map { "\(summary.inputs.count) of \($0) shards" }
            ?? "\(summary.inputs.count) \(summary.inputs.count == 1 ? "corpus" : "corpora")"
        print(
            String(
                format:
                    "merged %@: %d sources, %d frames, %d blobs linked, %d copied, %.1f MB checked in %.1f s",
                what, summary.sources, summary.frames, summary.linkedBlobs, summary.copiedBlobs,
                Double(summary.bytes) / 1e6, Date().timeIntervalSince(start)))
        print(report.summary)
        print()
        print(report.table)
    }
}
