import AudioOutput
import Corpus
import Foundation

/// An unattended run, condensed: a live engine with its vision loop fed flat out, the camera lost and
/// returning, the engine torn down and built again, with the process's resident memory, descriptors
/// and the audio thread's major page faults read at the start and the end.
///
/// `scenophone-bench soak` runs it for as long as asked; the test suite for two minutes.
public final class SoakRunner {
    /// Builds a fresh engine (not started): once at the start and at every restart.
    public typealias EngineFactory = () throws -> LiveEngine

    private let frames: [LiveFrame]
    private let plan: SoakPlan
    private let makeEngine: EngineFactory

    /// Prepares a soak.
    ///
    /// - Parameters:
    ///   - frames: camera frames, submitted in turn, each the moment the vision loop took the last.
    ///   - plan: length, camera losses and restarts.
    ///   - makeEngine: builds each engine; its corpus should be dropped from the page cache before the
    ///     first (`Corpus.dropAudioFromPageCache()`), so a page fault has a disk to wait for.
    public init(frames: [LiveFrame], plan: SoakPlan, makeEngine: @escaping EngineFactory) {
        precondition(!frames.isEmpty, "a soak needs frames")
        self.frames = frames
        self.plan = plan
        self.makeEngine = makeEngine
    }

    /// Runs the soak.
    ///
    /// - Parameters:
    ///   - startedCold: whether the caller dropped the corpus audio from the page cache (reported).
    ///   - progress: called about twice a second with the fraction done (warm-up included).
    /// - Returns: the vitals at start and end and what happened between.
    /// - Throws: when an engine cannot be built, started or stopped, or `/proc` cannot be read.
    public func run(startedCold: Bool, progress: (Double) -> Void = { _ in }) throws -> SoakReport {
        // Optional only so that a restart can let the old engine go before building the next.
        var engine: LiveEngine! = try makeEngine()
        try engine.start()
        let residency = engine.audioResidency
        var totals = (underruns: 0, faults: 0, frames: UInt64(0))
        var feeder = Feeder(frames: frames)
        let total = plan.warmUp + plan.seconds
        let begun = Date()
        var lastProgress = Date.distantPast

        func feedUntil(_ deadline: Date, feeding: Bool) {
            while Date() < deadline {
                if feeding { feeder.feed(engine) } else { usleep(10_000) }
                if Date().timeIntervalSince(lastProgress) > 0.5 {
                    lastProgress = Date()
                    progress(min(1, Date().timeIntervalSince(begun) / total))
                }
            }
        }

        feedUntil(begun.addingTimeInterval(plan.warmUp), feeding: true)
        let start = try Self.vitals(of: engine)
        let warmUpFrames = engine.snapshot(grainsAfter: .max).framesAnalysed
        let measured = Date()
        let end = measured.addingTimeInterval(plan.seconds)
        var nextLoss = plan.cameraLossEvery.map { measured.addingTimeInterval($0) } ?? .distantFuture
        var nextRestart = plan.restartEvery.map { measured.addingTimeInterval($0) } ?? .distantFuture
        var losses = 0
        var returns = 0
        var restarts = 0

        while Date() < end {
            let now = Date()
            if now >= nextLoss, now.addingTimeInterval(plan.cameraLossLength + 1.5) < end {
                losses += 1
                if try cameraLossAndReturn(of: engine, feed: feedUntil) { returns += 1 }
                nextLoss = Date().addingTimeInterval(plan.cameraLossEvery ?? .infinity)
            } else if now >= nextRestart {
                try Self.add(engine, to: &totals)
                try engine.stop()
                // The old engine goes before the new one is built, as when a server restarts, and
                // glibc gives the freed model and buffers back: otherwise its arenas keep them and
                // every in-process restart would look like growth (a real restart is a new process).
                engine = nil
                releaseFreedMemory()
                engine = try makeEngine()
                try engine.start()
                restarts += 1
                nextRestart = Date().addingTimeInterval(plan.restartEvery ?? .infinity)
            } else {
                feedUntil(min(end, min(nextLoss, nextRestart)), feeding: true)
            }
        }
        let finish = try Self.vitals(of: engine)
        try Self.add(engine, to: &totals)
        try engine.stop()
        progress(1)
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        return SoakReport(
            plan: plan, seconds: Date().timeIntervalSince(measured), start: start, end: finish,
            underruns: totals.underruns, audioThreadMajorFaults: totals.faults,
            framesAnalysed: totals.frames - warmUpFrames,
            cameraLosses: losses, cameraReturns: returns, restarts: restarts, residency: residency,
            startedCold: startedCold, loadAverage: load.split(separator: " ").prefix(3).joined(separator: " ")
        )
    }

    /// Stops the frames for `plan.cameraLossLength`, then feeds them again for a second.
    ///
    /// - Returns: whether the scene behaved: faded out to idle when the loss outlasted the idle
    ///   timeout and its fade, and was playing and audible again a second after the frames returned.
    private func cameraLossAndReturn(of engine: LiveEngine, feed: (Date, Bool) -> Void) throws -> Bool {
        let parameters = engine.parameters
        let expectsIdle =
            parameters.idleTimeout.map { $0 + parameters.fadeOut < plan.cameraLossLength } ?? false
        feed(Date().addingTimeInterval(plan.cameraLossLength), false)
        let wentIdle = engine.snapshot(grainsAfter: .max).state == .idle
        feed(Date().addingTimeInterval(1.5), true)
        let back = engine.snapshot(grainsAfter: .max)
        return (wentIdle || !expectsIdle) && back.state == .playing && back.rms > 0
    }

    /// Adds an engine's underruns, audio-thread major faults and analysed frames to the totals.
    private static func add(
        _ engine: LiveEngine, to totals: inout (underruns: Int, faults: Int, frames: UInt64)
    )
        throws
    {
        let statistics = engine.sinkStatistics
        totals.underruns += statistics.underruns
        totals.faults += try ProcessVitals.read(thread: statistics.audioThreadID).majorFaults
        totals.frames += engine.snapshot(grainsAfter: .max).framesAnalysed
    }

    private static func vitals(of engine: LiveEngine) throws -> ProcessVitals {
        try ProcessVitals.read(thread: engine.sinkStatistics.audioThreadID)
    }

    /// Submits the next frame whenever the vision loop has taken the last one.
    private struct Feeder {
        let frames: [LiveFrame]
        var next = 0

        mutating func feed(_ engine: LiveEngine) {
            if engine.isFrameWaiting {
                usleep(500)
                return
            }
            _ = try? engine.submit(frames[next % frames.count])
            next += 1
        }
    }
}
