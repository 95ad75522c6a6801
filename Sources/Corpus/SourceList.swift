import Foundation

/// A list of sources to index, one `[NAME=]PICTURE[+SOUND][@CATEGORY]` per line (`index
/// --inputs-from`): what a batch engine's jobs share, each indexing its shard of it.
///
/// Blank lines and lines starting with `#` are skipped; each other line, without its surrounding
/// white space, is one source exactly as it would be written on the command line (no shell quoting:
/// a line is one argument, spaces and all). Relative paths are relative to the current directory,
/// as on the command line.
public struct SourceList: Sendable, Equatable {
    /// The sources, in list order.
    public let entries: [String]

    /// The SHA-256 (lowercase hex) of the entries, each followed by a newline: what identifies the
    /// list in its shards, whatever its comments, blank lines or line endings.
    public var sha256: String {
        SHA256Hex.of(Array(entries.map { $0 + "\n" }.joined().utf8))
    }

    /// Makes a list of sources already split into entries.
    ///
    /// - Parameter entries: the sources, in order.
    public init(entries: [String]) {
        self.entries = entries
    }

    /// Parses a list file's text.
    ///
    /// - Parameter text: the file's contents.
    /// - Returns: its entries, in order.
    public static func parse(_ text: String) -> SourceList {
        let entries =
            text
            .split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        return SourceList(entries: entries)
    }

    /// Reads a list file, or standard input for `-`.
    ///
    /// - Parameter path: the file, or `-`.
    /// - Returns: its entries, in order.
    /// - Throws: `CorpusError.media(.fileNotFound)` for a missing file, `.invalidInput` for a file
    ///   that cannot be read or is not UTF-8 text.
    public static func read(_ path: String) throws -> SourceList {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            let url = URL(fileURLWithPath: path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw CorpusError.media(.fileNotFound(url))
            }
            do {
                data = try Data(contentsOf: url)
            } catch {
                throw CorpusError.invalidInput(path, reason: "the list of sources cannot be read: \(error)")
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let name = path == "-" ? "standard input" : path
            throw CorpusError.invalidInput(
                name, reason: "a list of sources must be UTF-8 text, one source a line")
        }
        return parse(text)
    }
}
