import Corpus
import Foundation

/// The inputs `scenophone evaluate` plays against a corpus, each with the category it shows.
///
/// Two spellings. CSV, with the header `path,category`, one input per line; blank lines and lines
/// starting with `#` are skipped, and the category follows the *last* comma, so a path may hold
/// commas. Or JSON: `[{"path": "...", "category": "..."}]`, or the same array under `"inputs"`.
/// A relative path is relative to the manifest's folder. The format is chosen by the `.json`
/// extension or a first character `[` or `{`.
struct EvaluationManifest {
    /// One input.
    struct Entry {
        /// The path as written in the manifest.
        var path: String
        /// The file or folder it names.
        var url: URL
        /// The category it shows.
        var category: String
        /// Where it is written: `line 4` (CSV) or `entry 3` (JSON), for error messages.
        var location: String
    }

    /// The manifest file.
    var url: URL
    /// The inputs, in the manifest's order.
    var entries: [Entry]

    /// A manifest that cannot be used, with the file and the line or entry at fault.
    struct Failure: Error, CustomStringConvertible {
        var description: String

        init(_ url: URL, _ location: String?, _ problem: String) {
            description = "\(url.path)\(location.map { ", \($0)" } ?? ""): \(problem)"
        }
    }

    /// Reads and checks a manifest: every line well formed, every category well spelled, every
    /// file present.
    ///
    /// - Parameter url: the manifest.
    /// - Returns: the entries.
    /// - Throws: ``Failure`` naming the file and the line (or JSON entry) at fault: unreadable,
    ///   malformed, a missing file, a bad category, or no input at all.
    init(contentsOf url: URL) throws {
        self.url = url
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let exists = FileManager.default.fileExists(atPath: url.path)
            throw Failure(url, nil, exists ? "cannot be read" : "no such manifest file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(url, nil, "is not UTF-8 text (a CSV `path,category` or a JSON list is expected)")
        }
        let first = text.first { !$0.isWhitespace }
        let isJSON = url.pathExtension.lowercased() == "json" || first == "[" || first == "{"
        let raw = isJSON ? try Self.parseJSON(data, url: url) : try Self.parseCSV(text, url: url)
        guard !raw.isEmpty else {
            throw Failure(
                url, nil,
                "lists no inputs (expected a header `path,category` and one `FILE,CATEGORY` per line)")
        }
        let folder = url.deletingLastPathComponent()
        entries = try raw.map { path, category, location in
            guard SourceCategory.isValid(category) else {
                throw Failure(
                    url, location,
                    "category '\(category)' is not a category name (letters, digits, '-' and '_')")
            }
            let file =
                path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw Failure(url, location, "no such file or folder '\(path)' (looked for \(file.path))")
            }
            return Entry(path: path, url: file.standardizedFileURL, category: category, location: location)
        }
    }

    /// The CSV rows as (path, category, location).
    private static func parseCSV(_ text: String, url: URL) throws -> [(String, String, String)] {
        var rows: [(String, String, String)] = []
        var sawHeader = false
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let location = "line \(index + 1)"
            let content = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if content.isEmpty || content.hasPrefix("#") { continue }
            guard sawHeader else {
                let header = content.lowercased().split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                guard header == ["path", "category"] else {
                    throw Failure(
                        url, location, "the first line must be the header `path,category`, not '\(content)'")
                }
                sawHeader = true
                continue
            }
            guard let comma = content.lastIndex(of: ",") else {
                throw Failure(url, location, "expected `FILE,CATEGORY`, found '\(content)'")
            }
            let path = content[..<comma].trimmingCharacters(in: .whitespaces)
            let category = content[content.index(after: comma)...].trimmingCharacters(in: .whitespaces)
            guard !path.isEmpty else { throw Failure(url, location, "the file is missing before the comma") }
            guard !category.isEmpty else {
                throw Failure(url, location, "the category is missing after the comma")
            }
            rows.append((path, category, location))
        }
        return rows
    }

    /// The JSON entries as (path, category, location).
    private static func parseJSON(_ data: Data, url: URL) throws -> [(String, String, String)] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            // Foundation on Linux does not say where the syntax breaks, so no line can be named.
            throw Failure(
                url, nil, "is not valid JSON (check it with `python3 -m json.tool`, which names the line)")
        }
        let list: [Any]
        if let array = object as? [Any] {
            list = array
        } else if let dictionary = object as? [String: Any], let array = dictionary["inputs"] as? [Any] {
            list = array
        } else {
            throw Failure(
                url, nil, "expected a JSON list of {\"path\", \"category\"} (or one under \"inputs\")")
        }
        return try list.enumerated().map { index, item in
            let location = "entry \(index + 1)"
            guard let entry = item as? [String: Any] else {
                throw Failure(url, location, "expected an object {\"path\": …, \"category\": …}")
            }
            guard let path = entry["path"] as? String, !path.isEmpty else {
                throw Failure(url, location, "\"path\" is missing or not a non-empty string")
            }
            guard let category = entry["category"] as? String, !category.isEmpty else {
                throw Failure(url, location, "\"category\" is missing or not a non-empty string")
            }
            let unknown = Set(entry.keys).subtracting(["path", "category"])
            guard unknown.isEmpty else {
                throw Failure(
                    url, location,
                    "unknown key \(unknown.sorted().map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            return (path, category, location)
        }
    }
}
