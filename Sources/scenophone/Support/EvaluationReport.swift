import Foundation
import Synth

/// What `evaluate` prints: per input and overall, how much of the p(t) mass falls on sources of the
/// input's category, beside chance; as a table, or as JSON for scripts.
struct EvaluationReport: Codable {
    /// The analysis settings the figures hold for.
    struct Settings: Codable {
        var visionFPS: Double
        /// Seconds each still image is shown.
        var imageDuration: Double
        var mapping: DistanceMapping
        var smoothing: Double
    }

    /// One input.
    struct Input: Codable {
        /// As written in the manifest.
        var path: String
        var category: String
        /// The share of p(t) mass on sources of `category`, averaged over the vision frames.
        var agreement: Double
        /// The share of playable audio in `category`: what a p(t) blind to the picture would score.
        var baseline: Double
        /// Vision frames averaged over.
        var visionFrames: Int
        /// Pictures embedded (a still is embedded once).
        var pictures: Int
        /// Every category's share of the mass, averaged over the vision frames (sums to 1).
        var attraction: [String: Double]
        /// The categories attracting the most mass, most first (at most three).
        var top: [String]
    }

    /// One row of the confusion table: the inputs of one category.
    struct ConfusionRow: Codable {
        var category: String
        var inputs: Int
        /// The mean share of mass per corpus category over these inputs (sums to 1).
        var shares: [String: Double]
    }

    var corpus: String
    var manifest: String
    var settings: Settings
    /// The corpus's categories (then `(none)` for sources without one): the confusion table's columns.
    var categories: [String]
    /// Per category, its share of the playable audio.
    var baseline: [String: Double]
    var inputs: [Input]
    /// The mean agreement over the inputs.
    var meanAgreement: Double
    /// The mean baseline over the inputs.
    var meanBaseline: Double
    /// The mean over the input categories of their inputs' mean agreement (each category counts once).
    var categoryMeanAgreement: Double
    /// Per input category (in the order of ``categories``), where its mass went.
    var confusion: [ConfusionRow]
    /// Wall-clock seconds the evaluation took.
    var seconds: Double

    /// Builds the overall figures from the per-input ones.
    init(
        corpus: String, manifest: String, settings: Settings, categories: [String], baseline: [Double],
        inputs: [Input], seconds: Double
    ) {
        self.corpus = corpus
        self.manifest = manifest
        self.settings = settings
        self.categories = categories
        self.baseline = Dictionary(uniqueKeysWithValues: zip(categories, baseline))
        self.inputs = inputs
        self.seconds = seconds
        meanAgreement = inputs.map(\.agreement).reduce(0, +) / Double(max(inputs.count, 1))
        meanBaseline = inputs.map(\.baseline).reduce(0, +) / Double(max(inputs.count, 1))
        confusion = categories.compactMap { category in
            let members = inputs.filter { $0.category == category }
            guard !members.isEmpty else { return nil }
            let shares = Dictionary(
                uniqueKeysWithValues: categories.map { column in
                    (column, members.map { $0.attraction[column] ?? 0 }.reduce(0, +) / Double(members.count))
                })
            return ConfusionRow(category: category, inputs: members.count, shares: shares)
        }
        categoryMeanAgreement =
            confusion.map { $0.shares[$0.category] ?? 0 }.reduce(0, +) / Double(max(confusion.count, 1))
    }

    /// The report as pretty-printed JSON.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The report as aligned tables: inputs, overall figures, confusion.
    var text: String {
        let inputRows = inputs.map { input in
            [
                input.path, input.category, Self.share(input.agreement), Self.share(input.baseline),
                input.top.map { "\($0) \(Self.share(input.attraction[$0] ?? 0))" }.joined(separator: " · "),
            ]
        }
        let inputTable = Self.table(
            header: ["input", "category", "agreement", "chance", "attracted by"], rows: inputRows,
            rightAligned: [2, 3])
        let overall = String(
            format:
                "mean over %d inputs: agreement %.3f, chance %.3f; mean over %d input categories: %.3f",
            inputs.count, meanAgreement, meanBaseline, confusion.count, categoryMeanAgreement)
        let confusionRows = confusion.map { row in
            ["\(row.category) (\(row.inputs))"] + categories.map { Self.share(row.shares[$0] ?? 0) }
        }
        let chanceRow = ["chance"] + categories.map { Self.share(baseline[$0] ?? 0) }
        let confusionTable = Self.table(
            header: ["input \\ sound from"] + categories, rows: confusionRows + [chanceRow],
            rightAligned: Set(1...categories.count))
        let settingsLine = String(
            format: "%@ map, plateau %g, temperature %g, top-k %d, floor %g, smoothing %g s; %g vision fps",
            settings.mapping.shape.rawValue, settings.mapping.plateau, settings.mapping.temperature,
            settings.mapping.topK, settings.mapping.floor, settings.smoothing, settings.visionFPS)
        return [
            inputTable, "", overall, "",
            "share of p(t) mass (rows: input category, with its number of inputs)",
            confusionTable, "", settingsLine,
        ].joined(separator: "\n")
    }

    /// `0.912`.
    static func share(_ value: Double) -> String { String(format: "%.3f", value) }

    /// Rows padded to aligned columns, two spaces apart.
    static func table(header: [String], rows: [[String]], rightAligned: Set<Int>) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
