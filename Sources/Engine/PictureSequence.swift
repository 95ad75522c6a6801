import Corpus
import Foundation
import MediaIO

/// The pictures of a ``RenderInput`` in time order, read as the render reaches them.
enum PictureSequence {
    case video(VideoFrameReader)
    case stills([URL], duration: Double, scaling: FrameScaling)

    /// What is on screen at `time`.
    enum Picture {
        /// A new picture to analyse.
        case new(RGBFrame)
        /// The same picture as at the previous call (a still, or a video that ended early).
        case unchanged
    }

    /// The picture at `time` (calls come at rising times, one per vision frame).
    ///
    /// - Parameters:
    ///   - time: seconds from the start of the input.
    ///   - previousTime: the time of the previous call, or nil for the first.
    /// - Returns: a new picture or `.unchanged`.
    /// - Throws: `MediaIOError` when decoding fails.
    func picture(at time: Double, previousTime: Double?) throws -> Picture {
        switch self {
        case .video(let reader):
            // The reader delivers exactly one frame per 1/fps; past the picture's end, hold the last.
            guard let frame = try reader.next() else { return .unchanged }
            return .new(frame)
        case .stills(let images, let duration, let scaling):
            let index = min(Int(time / duration), images.count - 1)
            if let previousTime, min(Int(previousTime / duration), images.count - 1) == index {
                return .unchanged
            }
            return .new(
                try VideoFrameReader.readStill(images[index], scaling: scaling))
        }
    }

    /// Stops any decoder.
    func close() {
        if case .video(let reader) = self { reader.close() }
    }
}
