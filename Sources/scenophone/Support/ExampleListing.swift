import Corpus
import Foundation

/// What `teach --list` prints: a corpus's taught examples, as a table or JSON.
struct ExampleListing: Encodable {
    /// One example.
    struct Example: Encodable {
        var id: String
        var source: String
        var frame: Int
        var from: Double
        var to: Double
        var wholeSource: Bool
        var role: String
        var fileName: String
        var bytes: Int64
        var sha256: String
        var taught: String
    }

    var corpus: String
    var examples: [Example]

    /// Lists an open corpus's examples.
    ///
    /// - Parameters:
    ///   - corpus: the corpus.
    ///   - source: only this source's examples; nil for all.
    init(_ corpus: Corpus, source: String? = nil) {
        self.corpus = corpus.url.path
        examples = corpus.examples.compactMap { example in
            let name = corpus.sources[example.source].name
            guard source == nil || source == name else { return nil }
            return Example(
                id: example.id, source: name, frame: example.frame, from: example.span.lowerBound,
                to: example.span.upperBound, wholeSource: example.coversWholeSource,
                role: example.picture.role,
                fileName: example.picture.fileName, bytes: example.picture.bytes,
                sha256: example.picture.sha256,
                taught: example.taught)
        }
    }

    /// The listing as pretty-printed JSON.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The examples as an aligned table, or a sentence when there are none.
    var table: String {
        guard !examples.isEmpty else { return "no examples taught" }
        let header = ["example", "source", "audio", "picture", "taught"]
        let rows = examples.map { example -> [String] in
            [
                example.id, example.source,
                example.wholeSource
                    ? "whole source" : String(format: "%.2f–%.2f s", example.from, example.to),
                example.role == "camera" ? "camera frame" : example.fileName, example.taught,
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
