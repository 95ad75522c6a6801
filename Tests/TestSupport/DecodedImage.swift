import Foundation
import MediaIO

/// An image decoded to RGB24 by the `ffmpeg` program, for tests that start from a picture file.
public struct DecodedImage: Sendable {
    public var width: Int
    public var height: Int
    /// `width × height × 3` bytes, row-major.
    public var rgb: [UInt8]

    /// Decodes the first frame of `url`.
    ///
    /// - Parameter url: any image ffmpeg reads.
    /// - Throws: when ffprobe or ffmpeg fail.
    public init(contentsOf url: URL) throws {
        let probe = try run(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                "-of", "csv=p=0:s=x", url.path,
            ])
        let size = probe.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "x")
        guard probe.status == 0, size.count == 2, let w = Int(size[0]), let h = Int(size[1]) else {
            throw DecodeError(url: url, reason: "ffprobe: \(probe.standardError)")
        }
        let decoder = try ChildProcess(
            executable: "ffmpeg",
            arguments: [
                "-v", "error", "-i", url.path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
            ], subject: url)
        // One byte more than the picture, to notice a decoder that writes too much.
        var data = [UInt8](repeating: 0, count: w * h * 3 + 1)
        let count = try data.withUnsafeMutableBytes { try decoder.readFully(into: $0) }
        if count != w * h * 3 { decoder.cancel() }  // it may be blocked writing more
        let status = decoder.wait()
        guard status == 0, count == w * h * 3 else {
            throw DecodeError(
                url: url, reason: "ffmpeg produced \(count) bytes for \(w)×\(h) (status \(status))")
        }
        width = w
        height = h
        rgb = Array(data.prefix(w * h * 3))
    }

    /// Why a picture could not be decoded.
    public struct DecodeError: Error, CustomStringConvertible {
        public var url: URL
        public var reason: String
        public var description: String { "\(url.path): \(reason)" }
    }
}
