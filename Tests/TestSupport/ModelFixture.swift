import Foundation

/// A copy of the installed model in a temporary directory, optionally damaged, for error tests.
public final class ModelFixture: @unchecked Sendable {
    /// How to damage the weights.
    public enum Damage: Sendable {
        /// Keep only the first `fraction` of the file's bytes.
        case truncate(fraction: Double)
        /// Give `tensor` another shape (its byte range shrinks or grows to match).
        case reshape(tensor: String, shape: [Int])
        /// Drop `tensor` from the header.
        case remove(tensor: String)
        /// Replace the file with text.
        case garbage
    }

    public let directory: TemporaryDirectory
    public var url: URL { directory.url }
    public var weights: URL { directory.file("efficientnet-lite0.safetensors") }

    /// Copies the labels and writes the weights with `damage` applied.
    ///
    /// - Parameter damage: what to break.
    /// - Throws: when the installed model cannot be read.
    public init(damage: Damage) throws {
        directory = try TemporaryDirectory("scenophone-model")
        let source = Paths.modelDirectory
        try FileManager.default.copyItem(
            at: source.appendingPathComponent("imagenet_classes.txt"),
            to: directory.file("imagenet_classes.txt"))
        let original = try Data(contentsOf: source.appendingPathComponent("efficientnet-lite0.safetensors"))
        try Self.damaged(original, damage).write(to: weights)
    }

    private static func damaged(_ original: Data, _ damage: Damage) throws -> Data {
        let headerLength = original.prefix(8).enumerated().reduce(0) {
            $0 | Int($1.element) << (8 * $1.offset)
        }
        var header =
            try JSONSerialization.jsonObject(with: original.subdata(in: 8..<(8 + headerLength)))
            as! [String: Any]
        let body = original.subdata(in: (8 + headerLength)..<original.count)
        switch damage {
        case .truncate(let fraction):
            return original.prefix(Int(Double(original.count) * fraction))
        case .garbage:
            return Data("this is not a safetensors file\n".utf8)
        case .remove(let tensor):
            header[tensor] = nil
        case .reshape(let tensor, let shape):
            var entry = header[tensor] as! [String: Any]
            let start = (entry["data_offsets"] as! [Int])[0]
            entry["shape"] = shape
            entry["data_offsets"] = [start, start + 4 * shape.reduce(1, *)]
            header[tensor] = entry
        }
        let json = try JSONSerialization.data(withJSONObject: header)
        var out = Data((0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) })
        out.append(json)
        out.append(body)
        return out
    }
}
