import Foundation
import MediaIO

/// What to index as one source: a picture file (video or photo), optionally a separate recording,
/// optionally a name and a category.
///
/// On the command line a source is written `[NAME=]PICTURE[+SOUND][@CATEGORY]`: `river.mp4`,
/// `rain=rain.jpg+rain.ogg@rain`, or `street.mp4+street-binaural.wav` (a video whose sound comes from
/// another file).
public struct SourceInput: Sendable, Equatable {
    /// The name given by the user, or nil for the picture file's name without extension.
    public var name: String?
    /// The video or photo.
    public var picture: URL
    /// The recording that sounds for it; nil to use the video's own sound track.
    public var sound: URL?
    /// The kind of scene (see ``SourceCategory``), or nil for none.
    public var category: String?

    /// Creates an input.
    ///
    /// - Parameters:
    ///   - name: the source's name, or nil for the picture file's.
    ///   - picture: a video or a photo.
    ///   - sound: a recording to use as its sound (required for a photo).
    ///   - category: the kind of scene, or nil for none.
    public init(name: String? = nil, picture: URL, sound: URL? = nil, category: String? = nil) {
        self.name = name
        self.picture = picture
        self.sound = sound
        self.category = category
    }

    /// The name the source will get.
    public var resolvedName: String {
        name ?? picture.deletingPathExtension().lastPathComponent
    }

    /// Parses a command-line source, `[NAME=]PICTURE[+SOUND][@CATEGORY]`.
    ///
    /// An argument naming an existing file is always that file, whatever characters it contains.
    /// Otherwise a final `@CATEGORY` (after the last `@`, without `/`) is the category, a `NAME=`
    /// prefix (without `/`) names the source, and the rest is split at the `+` whose two sides both
    /// exist.
    /// - Parameters:
    ///   - argument: the argument.
    ///   - exists: whether a path exists (the file system by default).
    /// - Returns: the input.
    /// - Throws: `CorpusError.media(.fileNotFound)` naming the missing file, `.invalidInput` for an
    ///   unusable category after files that exist.
    public static func parse(
        _ argument: String, exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) throws -> SourceInput {
        if !exists(argument), let at = argument.lastIndex(of: "@"), !argument[at...].contains("/") {
            let files = String(argument[..<at])
            let category = String(argument[argument.index(after: at)...])
            // A valid category after missing files: name the missing file, not the whole argument.
            // An invalid one after files that exist: name the category. Otherwise the `@` is part
            // of a (missing) file name.
            if let input = try? parseFiles(files, exists: exists) {
                try SourceCategory.validate(category)
                var categorised = input
                categorised.category = category
                return categorised
            }
            if SourceCategory.isValid(category) { _ = try parseFiles(files, exists: exists) }
        }
        return try parseFiles(argument, exists: exists)
    }

    /// Parses `[NAME=]PICTURE[+SOUND]`, as ``parse(_:exists:)`` without the category.
    private static func parseFiles(_ argument: String, exists: (String) -> Bool) throws -> SourceInput {
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
