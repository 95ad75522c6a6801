import AudioOutput
import Foundation
import MediaIO

/// Saves the live output to a WAV file without touching the disk from the audio thread: the audio
/// thread copies each block into a ring, and a writer thread drains it into the file.
///
/// The ring holds four seconds; should the writer fall that far behind, the samples that do not fit
/// are dropped and counted (`droppedSamples`) rather than the audio thread waiting.
public final class LiveRecorder: @unchecked Sendable {
    /// The ring the engine's audio thread writes into.
    public let ring: SampleRing
    /// The file being written.
    public let url: URL
    private let writer: WAVWriter
    private let channels: Int
    private let stopped = NSCondition()
    private var isStopping = false
    private var thread: Thread?
    private var writeError: Error?

    /// Creates the file (under a temporary name until `finish()`) and starts the writer thread.
    ///
    /// - Parameters:
    ///   - url: the WAV file.
    ///   - sampleRate: frames per second.
    ///   - channels: interleaved channels.
    /// - Throws: `MediaIOError` when the file cannot be created.
    public init(url: URL, sampleRate: Int, channels: Int) throws {
        self.url = url
        self.channels = channels
        writer = try WAVWriter(url: url, sampleRate: sampleRate, channels: channels)
        ring = SampleRing(capacity: sampleRate * channels * 4)
        let thread = Thread { [self] in drainLoop() }
        thread.name = "sceno-recorder"
        self.thread = thread
        thread.start()
    }

    /// Samples lost because the writer fell behind.
    public var droppedSamples: Int { ring.dropped }

    /// Writes what is left, completes the file and puts it in place.
    ///
    /// - Throws: the first write error, or `MediaIOError` from completing the file.
    public func finish() throws {
        stopped.lock()
        isStopping = true
        stopped.broadcast()
        while thread != nil { stopped.wait() }
        let error = writeError
        stopped.unlock()
        if let error {
            writer.abandon()
            throw error
        }
        try writer.finish()
    }

    private func drainLoop() {
        var chunk = [Float](repeating: 0, count: 8192 * channels)
        var failed = false
        while true {
            stopped.lock()
            if !isStopping { _ = stopped.wait(until: Date(timeIntervalSinceNow: 0.05)) }
            let stopping = isStopping
            stopped.unlock()
            // Drain in whole frames; the audio thread only ever writes whole blocks.
            while !failed {
                let count = chunk.withUnsafeMutableBufferPointer { buffer in
                    ring.read(into: UnsafeMutableBufferPointer(rebasing: buffer[0..<buffer.count]))
                }
                if count == 0 { break }
                do {
                    try chunk.withUnsafeBufferPointer {
                        try writer.write(UnsafeBufferPointer(rebasing: $0[0..<count]))
                    }
                } catch {
                    failed = true
                    stopped.lock()
                    writeError = error
                    stopped.unlock()
                }
            }
            if stopping { break }
        }
        stopped.lock()
        thread = nil
        stopped.broadcast()
        stopped.unlock()
    }
}
