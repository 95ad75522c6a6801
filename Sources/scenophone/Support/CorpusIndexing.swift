import CommandLineSupport
import Corpus
import Foundation

/// Indexes planned sources into a corpus writer with a progress bar, for `index` and `sources add`.
enum CorpusIndexing {
    /// What an indexing run did.
    struct Summary {
        /// The sources' names.
        var names: [String]
        /// Seconds of media indexed.
        var mediaSeconds: Double
        /// Seconds it took.
        var elapsed: Double
    }

    /// Plans every input first (so a bad last file fails before any work), then indexes them.
    ///
    /// - Parameters:
    ///   - arguments: the command line's sources.
    ///   - indexer: the indexer.
    ///   - writer: the corpus writer (not committed here).
    /// - Returns: the new sources' names, media seconds indexed, and the time it took.
    /// - Throws: `CorpusError` naming the file or corpus.
    static func run(_ arguments: [String], indexer: SourceIndexer, writer: CorpusWriter) throws -> Summary {
        let plans = try arguments.map { try indexer.plan(SourceInput.parse($0)) }
        var names = Set<String>()
        for plan in plans {
            try writer.checkNewName(plan.name)
            guard names.insert(plan.name).inserted else {
                throw CorpusError.sourceNameTaken(writer.url, name: plan.name)
            }
        }
        let bar = ProgressBar(total: plans.reduce(0) { $0 + $1.expectedFrames }, unit: "frames")
        defer { bar.finish() }
        let start = Date()
        var frames = 0
        var seconds = 0.0
        for plan in plans {
            try writer.add(plan, using: indexer) { progress in
                bar.update(
                    done: frames + progress.frames, label: plan.name,
                    mediaSeconds: seconds + progress.mediaSeconds)
            }
            frames += plan.expectedFrames
            seconds += plan.duration
        }
        return Summary(
            names: plans.map(\.name), mediaSeconds: seconds, elapsed: Date().timeIntervalSince(start))
    }
}
