import Foundation
import Synchronization

/// JPEG thumbnails arriving on a drain thread, handed out in order to the frame reader.
final class ThumbnailQueue: @unchecked Sendable {
    private var splitter = JPEGStreamSplitter()  // touched only by the drain thread
    private let images = Mutex<(pending: [[UInt8]], ended: Bool)>(([], false))
    private let available = DispatchSemaphore(value: 0)

    /// Feeds bytes from the pipe (drain thread only).
    func push(_ bytes: UnsafeRawBufferPointer) {
        splitter.push(bytes) { image in
            images.withLock { $0.pending.append(image) }
            available.signal()
        }
    }

    /// Marks the end of the stream, waking a waiting reader (drain thread only).
    func finish() {
        images.withLock { $0.ended = true }
        available.signal()
    }

    /// The next thumbnail, waiting for it; nil once the stream has ended without one.
    func next() -> [UInt8]? {
        while true {
            let taken = images.withLock { state -> (image: [UInt8]?, ended: Bool) in
                if state.pending.isEmpty { return (nil, state.ended) }
                return (state.pending.removeFirst(), false)
            }
            if let image = taken.image { return image }
            if taken.ended { return nil }
            available.wait()
        }
    }
}
