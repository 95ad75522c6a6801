import Foundation
import MediaIO

/// Where a render goes, by the output's extension: a float WAV, a FLAC, or the input's picture
/// with the new soundtrack (`.mp4`, `.mkv`, `.webm`, `.mov`, `.m4v`).
///
/// Nothing appears under the output's name until the render is complete.
public struct RenderOutput: Sendable {
    /// What is written.
    public enum Format: Sendable, Equatable {
        /// 32-bit float WAV, the synthesis as it is.
        case wav
        /// Lossless FLAC (24-bit).
        case flac
        /// The input's picture with the soundtrack, in this container.
        case video
    }

    /// The file to write.
    public let url: URL
    /// What it will hold.
    public let format: Format

    /// Checks an output path.
    ///
    /// - Parameters:
    ///   - url: the file to write; its extension picks the format.
    ///   - overwrite: whether an existing file may be replaced.
    /// - Throws: `EngineError.invalidOutput` for an unknown extension, a missing folder, or an
    ///   existing file without `overwrite`.
    public init(_ url: URL, overwrite: Bool) throws {
        let ext = url.pathExtension.lowercased()
        switch ext {
        case "wav": format = .wav
        case "flac": format = .flac
        case _ where Muxer.supportedExtensions.contains(ext): format = .video
        default:
            throw EngineError.invalidOutput(
                url,
                "unknown output type '.\(ext)' (use .wav, .flac or "
                    + Muxer.supportedExtensions.map { ".\($0)" }
                    .joined(separator: ", ") + ")")
        }
        try Self.checkWritable(url, overwrite: overwrite)
        self.url = url
    }

    /// Checks a file to be written (the output itself, or a grain log): its folder exists, it is not
    /// a folder, and it is replaced only with `overwrite`.
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - overwrite: whether an existing file may be replaced.
    /// - Throws: `EngineError.invalidOutput` naming the problem.
    public static func checkWritable(_ url: URL, overwrite: Bool) throws {
        var isDirectory: ObjCBool = false
        let folder = url.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw EngineError.invalidOutput(url, "the folder \(folder.path) does not exist")
        }
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw EngineError.invalidOutput(url, "is a folder") }
            guard overwrite else {
                throw EngineError.invalidOutput(url, "exists (add --overwrite to replace it)")
            }
        }
    }

    /// Checks that the input can go under this output (a picture to mux).
    ///
    /// - Parameter input: the render's input.
    /// - Throws: `EngineError.invalidOutput` when a video output is asked for a folder of images.
    public func check(for input: RenderInput) throws {
        if format == .video, input.picture == nil {
            throw EngineError.invalidOutput(
                url, "a video output needs one video or image as input; render a folder to .wav or .flac")
        }
    }

    /// Starts the WAV the samples go into: the output itself, or a hidden file beside it.
    ///
    /// - Parameters:
    ///   - sampleRate: in Hz.
    ///   - channels: 1 or 2.
    /// - Returns: the writer.
    /// - Throws: `MediaIOError` when the file cannot be created.
    public func makeWAVWriter(sampleRate: Int, channels: Int) throws -> WAVWriter {
        let target =
            format == .wav
            ? url
            : url.deletingLastPathComponent().appendingPathComponent(
                ".\(url.lastPathComponent).soundtrack-\(UInt32.random(in: 0...UInt32.max)).wav")
        return try WAVWriter(url: target, sampleRate: sampleRate, channels: channels)
    }

    /// Completes the output from the finished WAV: nothing more for WAV, FLAC encoding or muxing
    /// under the input's picture otherwise (the intermediate WAV is then removed).
    ///
    /// - Parameters:
    ///   - wav: the finished soundtrack.
    ///   - input: the render's input, whose picture a video output keeps.
    /// - Throws: `MediaIOError` when ffmpeg fails.
    public func complete(wav: URL, input: RenderInput) throws {
        guard format != .wav else { return }
        defer { try? FileManager.default.removeItem(at: wav) }
        switch format {
        case .wav: break
        case .flac: try Muxer.encodeFLAC(wav: wav, output: url)
        case .video:
            guard let picture = input.picture else { try check(for: input); return }
            try Muxer.replaceAudio(picture: picture, audio: wav, output: url)
        }
    }
}
