import Foundation

/// Decodes a picture file into RGB24 pixels with the `ffmpeg` program, over a pipe.
///
/// ffmpeg writes the first frame as a binary PPM (a short text header with the size, then the
/// pixels), so one process gives both the size and the pixels. Any format ffmpeg reads works.
enum ImageFileDecoder {
    /// A decoded picture.
    struct Picture {
        var width: Int
        var height: Int
        /// `width × height × 3` bytes, row-major.
        var rgb: [UInt8]
    }

    /// The largest picture accepted, in pixels (16384 × 16384), so a hostile file cannot exhaust memory.
    static let maximumPixels = 16_384 * 16_384

    /// Decodes the first frame of `url`.
    ///
    /// - Parameter url: a picture file.
    /// - Returns: its pixels.
    /// - Throws: `ImageFileError` naming the file and the problem.
    static func decode(_ url: URL) throws -> Picture {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ImageFileError(url: url, problem: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw ImageFileError(url: url, problem: "is a directory, not an image")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        if size == 0 { throw ImageFileError(url: url, problem: "the file is empty (0 bytes), not an image") }

        guard let ffmpeg = ChildProcess.find("ffmpeg") else {
            throw ImageFileError(
                url: url, problem: "cannot decode: ffmpeg is not installed (sudo apt-get install ffmpeg)")
        }
        let output = try ChildProcess.run(
            ffmpeg,
            [
                "-nostdin", "-v", "error", "-max_pixels", String(maximumPixels), "-i", url.path, "-frames:v",
                "1",
                "-f", "image2pipe", "-c:v", "ppm",
                "-pix_fmt", "rgb24", "-",
            ])
        guard output.status == 0, !output.standardOutput.isEmpty else {
            let reason = output.standardError.split(separator: "\n").last.map { ": \($0)" } ?? ""
            throw ImageFileError(url: url, problem: "not an image ffmpeg can read (ffmpeg\(reason))")
        }
        return try parsePPM(output.standardOutput, url: url)
    }

    /// Parses a binary (P6, 8-bit) PPM: `P6 <width> <height> 255` separated by whitespace, then pixels.
    private static func parsePPM(_ data: Data, url: URL) throws -> Picture {
        var fields: [Int] = []
        var index = data.startIndex
        func skipSpace() {
            while index < data.endIndex, data[index] == 0x20 || (0x09...0x0D).contains(data[index]) {
                index += 1
            }
        }
        guard data.count > 2, data[index] == UInt8(ascii: "P"), data[index + 1] == UInt8(ascii: "6") else {
            throw ImageFileError(url: url, problem: "ffmpeg did not produce a PPM image")
        }
        index += 2
        while fields.count < 3 {
            skipSpace()
            var value = 0
            let start = index
            while index < data.endIndex, (0x30...0x39).contains(data[index]), value < 1 << 40 {
                value = value * 10 + Int(data[index] - 0x30)
                index += 1
            }
            guard index > start else {
                throw ImageFileError(url: url, problem: "ffmpeg produced a malformed PPM header")
            }
            fields.append(value)
        }
        index += 1  // the single whitespace byte before the pixels
        let (width, height, maximum) = (fields[0], fields[1], fields[2])
        guard width > 0, height > 0 else {
            throw ImageFileError(url: url, problem: "the image is empty (\(width)×\(height) pixels)")
        }
        guard width * height <= maximumPixels else {
            throw ImageFileError(url: url, problem: "the image is too large (\(width)×\(height) pixels)")
        }
        guard maximum == 255 else {
            throw ImageFileError(url: url, problem: "ffmpeg produced a \(maximum)-level PPM")
        }
        let count = width * height * 3
        guard data.endIndex - index >= count else {
            throw ImageFileError(url: url, problem: "ffmpeg produced a truncated image")
        }
        return Picture(width: width, height: height, rgb: [UInt8](data[index..<(index + count)]))
    }
}
