import Corpus
import Foundation
import MediaIO

extension LiveFrame {
    /// Camera frames made from a corpus's own pictures: the thumbnail of each source's middle frame
    /// (at most `limit` sources), decoded by ffmpeg and scaled to `side`×`side`.
    ///
    /// - Parameters:
    ///   - corpus: an open corpus.
    ///   - side: the frames' width and height (the model's input size).
    ///   - limit: the most sources to take a picture from.
    /// - Returns: one frame per source that has frames.
    /// - Throws: `MediaIOError` when a thumbnail cannot be decoded.
    public static func thumbnails(of corpus: Corpus, side: Int, limit: Int = 8) throws -> [LiveFrame] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scenophone-thumbnails-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sources = corpus.sources.filter { !$0.frames.isEmpty }.prefix(limit)
        return try sources.enumerated().map { index, source in
            let file = directory.appendingPathComponent("\(index).jpg")
            let middle = source.frames.lowerBound + source.frames.count / 2
            try Data(corpus.thumbnailJPEG(ofFrame: middle)).write(to: file)
            return LiveFrame(try VideoFrameReader.readStill(file, scaling: .exact(width: side, height: side)))
        }
    }
}
