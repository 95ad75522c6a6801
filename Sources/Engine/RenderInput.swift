import Corpus
import Foundation
import MediaIO

/// What an offline render watches: a video, a still image, or a folder of stills shown one after
/// another, each for a fixed time.
public enum RenderInput: Sendable {
    /// A video file; the render is as long as the file.
    case video(URL, duration: Double)
    /// Still images in order, each shown for `duration` seconds (one image is a folder of one).
    case stills([URL], duration: Double)

    /// The picture file extensions taken from a folder.
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff"]

    /// Works out what a path is: a folder of images, a still image or a video.
    ///
    /// - Parameters:
    ///   - url: the file or folder.
    ///   - imageDuration: seconds each still image is shown.
    /// - Returns: the input.
    /// - Throws: `EngineError.invalidInput` for an empty folder, a file without a picture or a bad
    ///   duration; `MediaIOError` for a missing or unreadable file.
    public static func resolve(_ url: URL, imageDuration: Double) throws -> RenderInput {
        guard imageDuration > 0, imageDuration.isFinite else {
            throw EngineError.invalidInput(
                url, "the duration of each image must be positive, not \(imageDuration)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw MediaIOError.fileNotFound(url)
        }
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
            let images =
                names
                .filter {
                    !$0.hasPrefix(".")
                        && imageExtensions.contains(($0 as NSString).pathExtension.lowercased())
                }
                .sorted { $0.localizedStandardCompare($1) == .orderedAscending }
                .map { url.appendingPathComponent($0) }
            guard !images.isEmpty else {
                throw EngineError.invalidInput(
                    url,
                    "the folder holds no images (" + imageExtensions.sorted().joined(separator: ", ") + ")")
            }
            return .stills(images, duration: imageDuration)
        }
        let info = try MediaProbe.probe(url)
        guard info.video != nil else { throw MediaIOError.noVideoStream(url) }
        if info.isStillImage { return .stills([url], duration: imageDuration) }
        guard let duration = info.duration, duration > 0 else { throw MediaIOError.noContent(url) }
        return .video(url, duration: duration)
    }

    /// The length of the render in seconds.
    public var duration: Double {
        switch self {
        case .video(_, let duration): return duration
        case .stills(let images, let duration): return Double(images.count) * duration
        }
    }

    /// The file whose picture goes under the soundtrack when muxing, if there is a single one.
    public var picture: URL? {
        switch self {
        case .video(let url, _): return url
        case .stills(let images, _): return images.count == 1 ? images[0] : nil
        }
    }

    /// Opens the picture source for `fps` analyses a second, decoded as a corpus is for a network
    /// of `inputSize` pixels.
    func pictures(fps: Double, inputSize: Int) throws -> PictureSequence {
        let scaling = SourceIndexer.embeddingScaling(inputSize: inputSize)
        switch self {
        case .video(let url, _):
            return .video(try VideoFrameReader(url: url, fps: fps, scaling: scaling))
        case .stills(let images, let duration):
            return .stills(images, duration: duration, scaling: scaling)
        }
    }
}
