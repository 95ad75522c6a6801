import Corpus
import Foundation

/// What `info` and `sources list` print about a corpus, as text or JSON.
struct CorpusReport: Encodable {
    /// One source.
    struct Source: Encodable {
        var name: String
        var kind: String
        var duration: Double
        var frameCount: Int
        var framesPerSecond: Double?
        var sampleRate: Int
        var channels: Int
        var weight: Float
        var muted: Bool
        /// Omitted when the source has none.
        var category: String?
        var checksum: String
        var inputs: [Input]
        var notes: [String]
    }

    /// A file a source was made from.
    struct Input: Encodable {
        var role: String
        var fileName: String
        var bytes: Int64
        var sha256: String
    }

    /// The embedding model.
    struct Model: Encodable {
        var name: String
        var inputSize: Int
        var embeddingSize: Int
        var weightsSHA256: String
        var normalization: String
    }

    var path: String
    var formatVersion: Int
    var generation: Int
    var model: Model
    var frameCount: Int
    var duration: Double
    var sizeOnDisk: Int64
    var verified: String
    var sources: [Source]

    /// Describes an open corpus.
    ///
    /// - Parameters:
    ///   - corpus: the corpus.
    ///   - verified: `"standard"` or `"full"`: what was checked against the checksums.
    init(_ corpus: Corpus, verified: String) {
        path = corpus.url.path
        formatVersion = corpus.formatVersion
        generation = corpus.generation
        model = Model(
            name: corpus.model.name, inputSize: corpus.model.inputSize,
            embeddingSize: corpus.model.embeddingSize,
            weightsSHA256: corpus.model.weightsSHA256, normalization: corpus.model.normalization.rawValue)
        frameCount = corpus.frameCount
        duration = corpus.duration
        sizeOnDisk = corpus.sizeOnDisk
        self.verified = verified
        sources = corpus.sources.map { source in
            Source(
                name: source.name, kind: source.kind.rawValue, duration: source.duration,
                frameCount: source.frames.count, framesPerSecond: source.framesPerSecond,
                sampleRate: source.sampleRate, channels: source.channels, weight: source.weight,
                muted: source.muted, category: source.category,
                checksum: source.checksum,
                inputs: source.inputs.map {
                    Input(role: $0.role, fileName: $0.fileName, bytes: $0.bytes, sha256: $0.sha256)
                },
                notes: source.notes)
        }
    }

    /// The report as pretty-printed JSON.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The corpus summary: two lines.
    var summary: String {
        let count = sources.count == 1 ? "1 source" : "\(sources.count) sources"
        let frames = frameCount == 1 ? "1 frame" : "\(frameCount) frames"
        return """
            \(path)
              \(count) · \(Self.duration(duration)) of audio · \(frames) · \
            \(Self.size(sizeOnDisk)) on disk · format \(formatVersion), generation \(generation)
              model \(model.name) · \(model.inputSize) px · \(model.embeddingSize)-d · \
            \(model.normalization) normalisation · weights sha256 \(model.weightsSHA256.prefix(12))…
            """
    }

    /// The sources as an aligned table.
    var table: String {
        let header = ["source", "kind", "duration", "frames", "fps", "audio", "weight", "category", ""]
        let rows = sources.map { source -> [String] in
            [
                source.name, source.kind, Self.duration(source.duration), String(source.frameCount),
                source.framesPerSecond.map { String(format: "%g", $0) } ?? "-",
                "\(source.sampleRate / 1000) kHz "
                    + (source.channels == 2
                        ? "stereo" : source.channels == 1 ? "mono" : "\(source.channels) ch"),
                String(format: "%g", source.weight), source.category ?? "-", source.muted ? "muted" : "",
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let rightAligned: Set<Int> = [2, 3, 4, 6]
        func format(_ row: [String]) -> String {
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([header] + rows).map(format).joined(separator: "\n")
    }

    /// `70.50 s`, or `2:04.58` past a minute.
    static func duration(_ seconds: Double) -> String {
        guard seconds >= 60 else { return String(format: "%.2f s", seconds) }
        let minutes = Int(seconds / 60)
        return String(format: "%d:%05.2f", minutes, seconds - Double(minutes * 60))
    }

    /// `187.3 MB`.
    static func size(_ bytes: Int64) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
