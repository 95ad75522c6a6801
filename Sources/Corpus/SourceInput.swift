import Foundation
import MediaIO

/// What to index as one source: a picture file (video or photo), optionally a separate recording,
/// and optionally a name.
///
/// On the command line a source is written `[NAME=]PICTURE[+SOUND]`: `river.mp4`, `rain=rain.jpg+rain.ogg`,
/// or `street.mp4+street-binaural.wav` (a video whose sound comes from another file).
public struct SourceInput: Sendable, Equatable {
    /// The name given by the user, or nil for the picture file's name without extension.
    public var name: String?
    /// The video or photo.
    public var picture: URL
    /// The recording that sounds for it; nil to use the video's own sound track.
    public var sound: URL?

    /// Creates an input.
    ///
    /// - Parameters:
    ///   - name: the source's name, or nil for the picture file's.
    ///   - picture: a video or a photo.
    ///   - sound: a recording to use as its sound (required for a photo).
    public init(name: String? = nil, picture: URL, sound: URL? = nil) {
        self.name = name
        self.picture = picture
        self.sound = sound
    }

    /// The name the source will get.
    public var resolvedName: String {
        name ?? picture.deletingPathExtension().lastPathComponent
    }

    /// Parses a command-line source, `[NAME=]PICTURE[+SOUND]`.
    ///
    /// An argument naming an existing file is always that file, whatever characters it contains.
    /// Otherwise a `NAME=` prefix (without `/`) names the source, and the rest is split at the `+`
    /// whose two sides both exist.
    /// - Parameters:
    ///   - argument: the argument.
    ///   - exists: whether a path exists (the file system by default).
    /// - Returns: the input.
    /// - Throws: `CorpusError.media(.fileNotFound)` naming the missing file.
    public static func parse(
        _ argument: String, exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) throws -> SourceInput {
        func url(_ path: Substring) -> URL { URL(fileURLWithPath: String(path)) }
        if exists(argument) { return SourceInput(picture: url(argument[...])) }
        var name: String?
        var rest = argument[...]
        if let equals = argument.firstIndex(of: "="), !argument[..<equals].contains("/") {
            name = String(argument[..<equals])
            rest = argument[argument.index(after: equals)...]
            if exists(String(rest)) { return SourceInput(name: name, picture: url(rest)) }
        }
        let pluses = rest.indices.filter { rest[$0] == "+" }
        for plus in pluses {
            let left = rest[..<plus]
            let right = rest[rest.index(after: plus)...]
            if exists(String(left)) && exists(String(right)) {
                return SourceInput(name: name, picture: url(left), sound: url(right))
            }
        }
        // Name the part that is missing: the whole path, or one side of a single pair.
        if pluses.count == 1, let plus = pluses.first {
            let left = rest[..<plus]
            let right = rest[rest.index(after: plus)...]
            throw CorpusError.media(.fileNotFound(url(exists(String(left)) ? right : left)))
        }
        throw CorpusError.media(.fileNotFound(url(rest)))
    }

    /// Checks a source name.
    ///
    /// - Parameter name: the name.
    /// - Throws: `CorpusError.invalidSourceName` for an empty or overlong name, or one holding `/`,
    ///   `=`, `+` or control characters (which would make it impossible to type back).
    public static func validate(name: String) throws {
        if name.isEmpty { throw CorpusError.invalidSourceName(name, reason: "it is empty") }
        if name.count > 120 {
            throw CorpusError.invalidSourceName(name, reason: "longer than 120 characters")
        }
        if name.contains(where: { "/=+".contains($0) }) {
            throw CorpusError.invalidSourceName(name, reason: "/, = and + are not allowed")
        }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw CorpusError.invalidSourceName(name, reason: "control characters are not allowed")
        }
    }
}
