import AudioOutput
import Foundation
import Synchronization

/// Records sessions of a live engine, each in a directory of its own under `directory`: the
/// soundscape (16-bit WAV), the grain log (CSV), every parameter change with its time (JSON lines),
/// the camera frames as a video (H.264, 10 frames/s), and an MP4 of the camera picture over the
/// soundscape (its audio lossless, so it equals the WAV sample for sample).
///
/// The audio thread only copies each block into `ring` (a tap, given to the engine in
/// `LiveOptions.taps`); a writer thread drains it all the time, into the session's file while one is
/// recording, and also writes the grains and the camera picture, so the session's time is the
/// output's sample clock and picture, grains and sound line up. Sessions start and stop at any time.
public final class SessionRecorder: @unchecked Sendable {
    /// Frames per second of the camera video.
    public static let videoFramesPerSecond = 10

    /// Where sessions are created.
    public let directory: URL
    /// The tap the engine's audio thread writes the output into (four seconds).
    public let ring: SampleRing
    private let sampleRate: Int
    private let channels: Int
    private let videoSide: Int
    private let state = Mutex<State>(State())
    private let latestPicture = Mutex<[UInt8]?>(nil)
    /// Output frames drained from the ring since the engine started: the output clock, as the writer sees it.
    private let drainedFrames = Atomic<Int64>(0)
    private let running = Atomic<Bool>(true)
    private let drained = DispatchSemaphore(value: 0)

    private struct State: @unchecked Sendable {
        var engine: LiveEngine?
        var session: RecordingSession?
        /// The first write error of the session in progress.
        var failure: Error?
        var grainCursor: UInt64 = 0
    }

    /// Prepares recording into `directory` (created when missing) and starts the writer thread.
    ///
    /// - Parameters:
    ///   - directory: where session directories go.
    ///   - sampleRate: the engine's output sample rate.
    ///   - channels: the engine's output channels.
    ///   - videoSide: width and height of the camera frames (the model's input size).
    /// - Throws: `EngineError.invalidOutput` when the directory cannot be created.
    public init(directory: URL, sampleRate: Int, channels: Int, videoSide: Int) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw EngineError.invalidOutput(
                directory, "cannot create the recordings folder: \(error.localizedDescription)")
        }
        self.directory = directory
        self.sampleRate = sampleRate
        self.channels = channels
        self.videoSide = videoSide
        ring = SampleRing(capacity: sampleRate * channels * 4)
        let thread = Thread { [self] in
            drainLoop()
            drained.signal()
        }
        thread.name = "sceno-sessions"
        thread.start()
    }

    /// Connects the engine whose grains and parameters are recorded (its `LiveOptions.taps` must hold
    /// `ring`): every parameter change it makes from now on is logged while a session records.
    ///
    /// - Parameter engine: the engine, before it starts.
    public func attach(_ engine: LiveEngine) {
        state.withLock { $0.engine = engine }
        engine.observeParameters { [weak self] parameters in self?.noteParameters(parameters) }
    }

    /// The directory of the session being recorded, or nil.
    public var currentSession: URL? { state.withLock { $0.session?.directory } }

    /// Starts a session (stopping none: one at a time).
    ///
    /// - Returns: the new session's directory, or the current one's when already recording.
    /// - Throws: `EngineError.invalidOutput` or `MediaIOError` when its files cannot be created.
    @discardableResult
    public func start() throws -> URL {
        try state.withLock { state in
            if let session = state.session { return session.directory }
            let names = state.engine?.corpus.sources.map(\.name) ?? []
            let session = try RecordingSession(
                directory: uniqueSessionDirectory(), startFrame: drainedFrames.load(ordering: .acquiring),
                sampleRate: sampleRate, channels: channels, videoSide: videoSide, sourceNames: names)
            if let engine = state.engine {
                try session.writeParameters(engine.parameters, at: 0)
            }
            state.session = session
            state.failure = nil
            return session.directory
        }
    }

    /// Stops the session being recorded and completes its files (the MP4 takes a moment).
    ///
    /// - Returns: the finished session's directory, or nil when none was recording.
    /// - Throws: the session's first write error, or the failure to complete it.
    @discardableResult
    public func stop() throws -> URL? {
        let (session, failure, engine) = state.withLock { state in
            defer {
                state.session = nil
                state.failure = nil
            }
            return (state.session, state.failure, state.engine)
        }
        guard let session else { return nil }
        if let failure {
            session.abandon()
            throw failure
        }
        var summary = ["corpus": engine?.corpus.url.path ?? ""]
        summary["droppedSamples"] = String(ring.dropped)
        do {
            try session.finish(summary: summary)
        } catch {
            session.abandon()
            throw error
        }
        return session.directory
    }

    /// Notes a camera frame for the video (the latest one is drawn until the next).
    ///
    /// - Parameter frame: a frame of the video's size (others are not recorded).
    public func noteFrame(_ frame: LiveFrame) {
        guard frame.width == videoSide, frame.height == videoSide else { return }
        let rgb: [UInt8]
        switch frame.layout {
        case .rgb: rgb = frame.pixels
        case .rgba:
            rgb = (0..<videoSide * videoSide).flatMap { pixel in frame.pixels[pixel * 4..<pixel * 4 + 3] }
        }
        latestPicture.withLock { $0 = rgb }
    }

    /// Notes the parameters now in force, with the session time, when a session is recording.
    ///
    /// - Parameter parameters: every parameter after the change.
    func noteParameters(_ parameters: LiveParameters) {
        let rendered = drainedFrames.load(ordering: .acquiring) + Int64(ring.available / channels)
        state.withLock { state in
            guard let session = state.session, state.failure == nil else { return }
            let seconds = Double(rendered - session.startFrame) / Double(sampleRate)
            do { try session.writeParameters(parameters, at: seconds) } catch { state.failure = error }
        }
    }

    /// Stops the writer thread, completing a session in progress.
    ///
    /// - Throws: as `stop()`.
    public func close() throws {
        defer {
            if running.exchange(false, ordering: .acquiringAndReleasing) { drained.wait() }
        }
        try stop()
    }

    private func uniqueSessionDirectory() -> URL {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH-mm-ss'Z'"
        let name = "session-" + formatter.string(from: Date())
        var candidate = directory.appendingPathComponent(name)
        var suffix = 2
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = directory.appendingPathComponent("\(name)-\(suffix)")
            suffix += 1
        }
        return candidate
    }

    private func drainLoop() {
        var chunk = [Float](repeating: 0, count: 8192 * channels)
        var lastGrains = Date.distantPast
        while running.load(ordering: .acquiring) {
            usleep(20_000)
            // Whole frames only: the audio thread writes whole blocks.
            while true {
                let count = chunk.withUnsafeMutableBufferPointer { ring.read(into: $0) }
                if count == 0 { break }
                state.withLock { state in
                    if let session = state.session, state.failure == nil {
                        do {
                            try chunk.withUnsafeBufferPointer {
                                try session.writeAudio(
                                    UnsafeBufferPointer(rebasing: $0[0..<count]), channels: channels)
                            }
                        } catch { state.failure = error }
                    }
                    drainedFrames.wrappingAdd(Int64(count / channels), ordering: .releasing)
                }
            }
            let picture = latestPicture.withLock { $0 }
            let pollGrains = Date().timeIntervalSince(lastGrains) >= 0.1
            if pollGrains { lastGrains = Date() }
            state.withLock { state in
                guard let engine = state.engine else { return }
                if pollGrains {
                    let snapshot = engine.snapshot(grainsAfter: state.grainCursor)
                    state.grainCursor = snapshot.grainCursor
                    if let session = state.session, state.failure == nil {
                        do { try session.writeGrains(snapshot.grains) } catch { state.failure = error }
                    }
                }
                if let session = state.session, state.failure == nil {
                    do { try session.catchUpVideo(with: picture) } catch { state.failure = error }
                }
            }
        }
    }
}
