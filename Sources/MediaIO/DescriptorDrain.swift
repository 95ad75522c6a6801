import Foundation

/// A thread that reads a file descriptor until end of file and hands every chunk to a closure.
///
/// Pipes from a child must be drained concurrently: a child blocked on one full pipe (say its
/// stderr) would never write the pipe the caller is waiting on, and both would hang.
final class DescriptorDrain: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private var joined = false

    /// Starts draining.
    ///
    /// - Parameters:
    ///   - descriptor: the read end; it is not closed here.
    ///   - chunkSize: the size of each read.
    ///   - consume: called on the drain's thread with each chunk, in order.
    ///   - atEnd: called on the drain's thread after the last chunk.
    init(
        descriptor: Int32, chunkSize: Int = 65_536,
        consume: @escaping @Sendable (UnsafeRawBufferPointer) -> Void,
        atEnd: @escaping @Sendable () -> Void = {}
    ) {
        let finished = self.finished
        let thread = Thread {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let count = read(descriptor, buffer.baseAddress, chunkSize)
                if count > 0 {
                    consume(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
            atEnd()
            finished.signal()
        }
        thread.name = "scenophone.drain"
        thread.start()
    }

    /// Waits until the descriptor has reached end of file and every chunk has been consumed.
    func join() {
        if joined { return }
        finished.wait()
        joined = true
    }
}
