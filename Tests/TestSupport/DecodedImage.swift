import Foundation

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ffmpeg", "-v", "error", "-i", url.path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24",
            "-",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, data.count == w * h * 3 else {
            throw DecodeError(url: url, reason: "ffmpeg produced \(data.count) bytes for \(w)×\(h)")
        }
        width = w
        height = h
        rgb = [UInt8](data)
    }

    /// Why a picture could not be decoded.
    public struct DecodeError: Error, CustomStringConvertible {
        public var url: URL
        public var reason: String
        public var description: String { "\(url.path): \(reason)" }
    }
}
