import Foundation

/// The 1000 ImageNet-1k class names, in the classifier's output order.
public struct ImageNetLabels: Sendable {
    /// One class and its probability.
    public struct Prediction: Codable, Hashable, Sendable {
        /// The class index, 0…999.
        public var index: Int
        /// The class name (synonyms separated by commas).
        public var name: String
        /// The softmax probability, 0…1.
        public var probability: Float
    }

    /// The class names, indexed by class.
    public let names: [String]

    /// Reads the class names, one per line.
    ///
    /// - Parameter url: the labels file (`imagenet_classes.txt`).
    /// - Throws: `VisionError` when the file is missing or does not hold 1000 names.
    public init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw VisionError.unreadable(
                url,
                reason: FileManager.default.fileExists(atPath: url.path)
                    ? "not UTF-8 text" : "no such file")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.count == 1000 else {
            throw VisionError.invalidLabels(url, reason: "\(lines.count) lines, expected 1000")
        }
        if let blank = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw VisionError.invalidLabels(url, reason: "line \(blank + 1) is empty")
        }
        names = lines
    }

    /// The `k` most probable classes under a softmax of `logits`, most probable first.
    ///
    /// - Parameters:
    ///   - k: how many classes.
    ///   - logits: the classifier's 1000 outputs.
    /// - Returns: up to `k` predictions.
    public func top(_ k: Int, logits: UnsafeBufferPointer<Float>) -> [Prediction] {
        precondition(logits.count == names.count, "expected \(names.count) logits, got \(logits.count)")
        let largest = logits.max() ?? 0
        // Subtracting the maximum keeps exp() from overflowing; the sum is taken in Double.
        let total = logits.reduce(0.0) { $0 + exp(Double($1 - largest)) }
        return logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
            .prefix(max(0, k))
            .map {
                Prediction(
                    index: $0, name: names[$0], probability: Float(exp(Double(logits[$0] - largest)) / total))
            }
    }

    /// The `k` most probable classes under a softmax of `logits`, most probable first.
    ///
    /// - Parameters:
    ///   - k: how many classes.
    ///   - logits: the classifier's 1000 outputs.
    /// - Returns: up to `k` predictions.
    public func top(_ k: Int, logits: [Float]) -> [Prediction] {
        logits.withUnsafeBufferPointer { top(k, logits: $0) }
    }
}
