import AudioOutput
import Corpus
import Engine
import Foundation
import Synchronization
import Vision

/// The proof that the audio never starves: a live engine on a paced null sink, with the audio
/// thread's allocations counted, measured while frames keep its vision loop busy.
///
/// `runFlatOut` feeds frames itself (the next one the moment the vision loop takes the last);
/// `measure` only watches, for a test that feeds the engine another way (a web client).
public enum LiveSoak {
    /// What a soak saw.
    public struct Report: Sendable, CustomStringConvertible {
        public var seconds: Double
        public var framesSubmitted: UInt64
        public var framesAnalysed: UInt64
        public var underruns: Int
        public var allocations: Int
        /// Major page faults of the audio thread from its start to the end of the soak: waits for the disk.
        public var audioThreadMajorFaults: Int
        public var periodsCounted: Int
        public var statistics: AudioSinkStatistics
        public var latency: LatencySummary?
        /// `/proc/loadavg` at the end: how busy the machine was.
        public var loadAverage: String

        /// Frames the vision loop analysed per second.
        public var visionRate: Double { Double(framesAnalysed) / seconds }

        public var description: String {
            var text = String(
                format:
                    "%.1f s: %llu frames analysed (%.1f/s), %d underruns, %d allocations in %d periods, "
                    + "%d audio-thread major faults; ",
                seconds, framesAnalysed, visionRate, underruns, allocations, periodsCounted,
                audioThreadMajorFaults)
            text += "\(statistics)"
            if let latency {
                text += String(
                    format: "; frame → first grain p50 %.1f ms, p99 %.1f ms (%d)", latency.toFirstGrain.p50,
                    latency.toFirstGrain.p99, latency.count)
            }
            return text + "; load \(loadAverage)"
        }
    }

    /// The soak length: `SCENOPHONE_SOAK_SECONDS` when set, else `fallback`.
    ///
    /// - Parameter fallback: seconds to run by default.
    public static func seconds(default fallback: Double) -> Double {
        ProcessInfo.processInfo.environment["SCENOPHONE_SOAK_SECONDS"].flatMap(Double.init) ?? fallback
    }

    /// An engine over `corpus` playing into a paced null sink of the standard format, wrapped to
    /// count the audio thread's allocations.
    ///
    /// - Parameters:
    ///   - corpus: the corpus bundle.
    ///   - parameters: sound parameters.
    ///   - options: engine options.
    /// - Returns: the engine (not started) and its counting sink.
    /// - Throws: when the corpus or the model cannot be loaded.
    public static func makeEngine(
        corpus: URL, parameters: LiveParameters = LiveParameters(), options: LiveOptions = LiveOptions()
    ) throws -> (LiveEngine, AllocationCountingSink) {
        try makeEngine(corpus: try Corpus.open(corpus), parameters: parameters, options: options)
    }

    /// An engine over an open corpus (e.g. one just dropped from the page cache); see the above.
    ///
    /// - Parameters:
    ///   - corpus: the open corpus.
    ///   - parameters: sound parameters.
    ///   - options: engine options.
    /// - Returns: the engine (not started) and its counting sink.
    /// - Throws: when the model cannot be loaded.
    public static func makeEngine(
        corpus: Corpus, parameters: LiveParameters = LiveParameters(), options: LiveOptions = LiveOptions()
    ) throws -> (LiveEngine, AllocationCountingSink) {
        let sink = AllocationCountingSink(wrapping: try PacedNullSink())
        let engine = try LiveEngine(
            corpus: corpus, modelDirectory: Paths.modelDirectory, sink: sink,
            parameters: parameters, options: options)
        return (engine, sink)
    }

    /// Starts the engine, keeps its vision loop busy for `seconds`, stops it and reports.
    ///
    /// - Parameters:
    ///   - engine: an engine made by `makeEngine`, not started.
    ///   - sink: its counting sink.
    ///   - frames: pictures submitted in turn, each the moment the previous one was taken.
    ///   - seconds: how long.
    /// - Returns: what the sink, the counter and the engine saw.
    /// - Throws: when the engine cannot start or stop.
    public static func runFlatOut(
        engine: LiveEngine, sink: AllocationCountingSink, frames: [LiveFrame], seconds: Double
    ) throws -> Report {
        try engine.start()
        let stop = Atomic<Bool>(false)
        let feeding = DispatchSemaphore(value: 0)
        let feeder = Thread {
            var next = 0
            while !stop.load(ordering: .relaxed) {
                if engine.isFrameWaiting {
                    usleep(500)
                    continue
                }
                _ = try? engine.submit(frames[next % frames.count])
                next += 1
            }
            feeding.signal()
        }
        feeder.start()
        let report = measure(engine: engine, sink: sink, seconds: seconds)
        stop.store(true, ordering: .relaxed)
        feeding.wait()
        try engine.stop()
        return report
    }

    /// Lets a running engine play for `seconds` and reports what happened meanwhile.
    ///
    /// - Parameters:
    ///   - engine: a started engine made by `makeEngine`.
    ///   - sink: its counting sink.
    ///   - seconds: how long to watch.
    /// - Returns: the report; the engine keeps running.
    public static func measure(engine: LiveEngine, sink: AllocationCountingSink, seconds: Double) -> Report {
        let before = engine.snapshot(grainsAfter: .max)
        _ = engine.takeLatencyStamps()
        let started = Date()
        Thread.sleep(forTimeInterval: seconds)
        let after = engine.snapshot(grainsAfter: .max)
        let faults = (try? ProcessVitals.read(thread: sink.statistics.audioThreadID).majorFaults) ?? -1
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        return Report(
            seconds: Date().timeIntervalSince(started),
            framesSubmitted: after.framesSubmitted - before.framesSubmitted,
            framesAnalysed: after.framesAnalysed - before.framesAnalysed, underruns: sink.underruns,
            allocations: sink.allocationsOnAudioThread, audioThreadMajorFaults: faults,
            periodsCounted: sink.periodsCounted,
            statistics: sink.statistics, latency: LatencySummary(engine.takeLatencyStamps()),
            loadAverage: load.split(separator: " ").prefix(3).joined(separator: " "))
    }
}
