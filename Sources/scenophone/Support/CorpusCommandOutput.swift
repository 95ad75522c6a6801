import Corpus
import Foundation

/// What `index` and `sources add` print when they are done.
enum CorpusCommandOutput {
    /// Prints warnings for the new sources' notes (stderr), then the corpus (stdout).
    ///
    /// - Parameters:
    ///   - summary: what the run indexed.
    ///   - corpus: the corpus as committed.
    ///   - json: print `info --json` instead of text.
    static func reportIndexing(_ summary: CorpusIndexing.Summary, corpus: Corpus, json: Bool) throws {
        for source in corpus.sources where summary.names.contains(source.name) {
            for note in source.notes {
                FileHandle.standardError.write(Data("warning: \(source.name): \(note)\n".utf8))
            }
        }
        let report = CorpusReport(corpus, verified: "standard")
        if json {
            print(try report.json())
            return
        }
        let speed = summary.elapsed > 0 ? summary.mediaSeconds / summary.elapsed : 0
        print(
            String(
                format: "indexed %@ of media in %.1f s (%.1f× real time)",
                CorpusReport.duration(summary.mediaSeconds), summary.elapsed, speed))
        print(report.summary)
        print()
        print(report.table)
    }
}
