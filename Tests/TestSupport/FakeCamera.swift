import Foundation

/// Videos for Chromium's fake camera (`--use-file-for-fake-video-capture`), made with ffmpeg.
public enum FakeCamera {
    /// A Y4M clip that shows each photo in turn, cropped to fill 640×480, at 10 frames per second.
    /// Chromium plays it in a loop.
    ///
    /// - Parameters:
    ///   - photos: the pictures, in order.
    ///   - secondsEach: how long each is shown.
    ///   - url: the `.y4m` file to write.
    /// - Throws: `TestSupportError` when ffmpeg fails.
    public static func y4m(showing photos: [URL], secondsEach: Double, to url: URL) throws {
        var arguments = ["-v", "error", "-y"]
        var filters: [String] = []
        for (index, photo) in photos.enumerated() {
            arguments += ["-loop", "1", "-t", "\(secondsEach)", "-i", photo.path]
            filters.append(
                "[\(index):v]scale=640:480:force_original_aspect_ratio=increase,crop=640:480,setsar=1,fps=10[v\(index)]"
            )
        }
        let inputs = photos.indices.map { "[v\($0)]" }.joined()
        filters.append("\(inputs)concat=n=\(photos.count):v=1,format=yuv420p")
        arguments += ["-filter_complex", filters.joined(separator: ";"), "-f", "yuv4mpegpipe", url.path]
        let result = try run("ffmpeg", arguments)
        guard result.status == 0 else {
            throw TestSupportError("ffmpeg could not make \(url.path): \(result.standardError)")
        }
    }
}
