import Foundation
import MediaIO

/// How `demo --media DIR` turns a folder of media into corpus sources and camera inputs.
///
/// - Photo + recording pairs: when `DIR/CREDITS.md` has a table whose rows name an image file and
///   say "pair with `recording`", each image is paired with the first recording named (found by
///   its file name without extension anywhere in `DIR`); rows marked "held-out" are kept aside as
///   camera inputs. Without such a table, an image and a recording with the same file name
///   (`rain.jpg` + `rain.ogg`) make a pair, and unpaired images are held out.
/// - Videos with a sound track are sources of their own.
struct MediaPairing {
    /// A photo standing for a recording.
    struct Pair {
        var name: String
        var picture: URL
        var sound: URL
    }

    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff"]
    static let soundExtensions: Set<String> = ["wav", "ogg", "flac", "mp3", "m4a", "opus", "aac"]
    static let videoExtensions: Set<String> = ["mp4", "mkv", "webm", "mov", "m4v", "avi"]

    var pairs: [Pair]
    /// Photos with no recording: inputs the corpus has not seen.
    var heldOut: [URL]
    /// Videos with sound.
    var videos: [URL]

    /// Looks through a folder (and its subfolders, two levels deep).
    ///
    /// - Parameter directory: the media folder.
    /// - Throws: `MediaPairing.Failure` when the folder is missing or holds nothing usable.
    init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else { throw Failure(description: "\(directory.path): no such folder") }
        let files = Self.files(in: directory, depth: 2)
        let byExtension = { (extensions: Set<String>) in
            files.filter { extensions.contains($0.pathExtension.lowercased()) }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
        let images = byExtension(Self.imageExtensions)
        let sounds = byExtension(Self.soundExtensions)
        let soundByStem = Dictionary(sounds.map { ($0.deletingPathExtension().lastPathComponent, $0) }) {
            a, _ in a
        }
        videos = byExtension(Self.videoExtensions).filter { (try? MediaProbe.probe($0).audio) != nil }
        pairs = []
        heldOut = []
        let credits = directory.appendingPathComponent("CREDITS.md")
        let table = (try? String(contentsOf: credits, encoding: .utf8)).map(Self.creditPairings) ?? [:]
        for image in images {
            let fileName = image.lastPathComponent
            let stem = image.deletingPathExtension().lastPathComponent
            let recording = table.isEmpty ? stem : table[fileName] ?? nil
            if let recording, let sound = soundByStem[recording] {
                pairs.append(Pair(name: recording, picture: image, sound: sound))
            } else {
                heldOut.append(image)
            }
        }
        guard !pairs.isEmpty || !videos.isEmpty else {
            throw Failure(
                description: "\(directory.path): found no photo + recording pairs and no videos with sound "
                    + "(pairs come from CREDITS.md's \"pair with\" column, or share a file name)")
        }
    }

    /// Image file name → the first recording its CREDITS.md row suggests pairing with (nil when
    /// the row has none, e.g. a held-out photo).
    static func creditPairings(_ markdown: String) -> [String: String?] {
        var table: [String: String?] = [:]
        for line in markdown.split(separator: "\n") where line.hasPrefix("|") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = cells.first, let image = backticked(first).first,
                imageExtensions.contains((image as NSString).pathExtension.lowercased())
            else { continue }
            let suggestion = cells.first { $0.lowercased().contains("pair with") }
            table[image] = suggestion.flatMap { backticked($0).first }
        }
        return table
    }

    private static func backticked(_ text: String) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter {
            $0.offset % 2 == 1
        }
        .map { String($0.element) }
    }

    private static func files(in directory: URL, depth: Int) -> [URL] {
        guard depth >= 0, let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else {
            return []
        }
        return names.filter { !$0.hasPrefix(".") }.flatMap { name -> [URL] in
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                return []
            }
            return isDirectory.boolValue ? files(in: url, depth: depth - 1) : [url]
        }
    }

    /// A media folder the demo cannot use.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}
