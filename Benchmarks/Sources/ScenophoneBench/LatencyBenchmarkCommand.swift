import ArgumentParser
import AudioOutput
import CommandLineSupport
import Corpus
import Engine
import Foundation
import Kernels
import MediaIO
import Vision

/// `scenophone-bench latency`: how long a camera frame takes to be heard, frame arrival → first grain.
struct LatencyBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Time a frame's arrival → the first grain drawn from the p(t) it produced (p50, p99).",
        discussion: """
            A live engine plays into a paced null sink (it keeps a sound card's time) while frames \
            arrive at the page's rate, each stamped as the web server stamps a camera frame. The \
            engine records, per frame, when its p(t) reached the audio thread and when the audio \
            thread rendered the first grain drawn from it. The baseline, timed in the same run \
            between the rounds, is the vision model alone on the same frames (one embedding), the \
            part no scheduling can remove; the ratio says what waiting, search, mapping and the \
            next grain onset add. Goal: p99 < 40 ms.

            The frames are the --input pictures (or videos' first frames), scaled to the model's \
            224×224 as the page scales them; by default the corpus's own thumbnails, one per source.
            """)

    @OptionGroup var playback: PlaybackOptions

    @Option(help: "Camera frames per second (the page sends about 10).")
    var fps = 10.0

    @Option(help: "Seconds of frames per round.")
    var seconds = 10.0

    @Option(help: "Rounds; the vision-alone baseline is timed before each.")
    var rounds = 3

    @OptionGroup(title: "Sound") var sound: SoundOptions

    @OptionGroup var model: ModelOptions

    @Flag(help: "Print the results as JSON.")
    var json = false

    func validate() throws {
        guard fps > 0, fps <= 60 else { throw ValidationError("--fps must be in (0, 60]") }
        guard seconds > 0, rounds >= 1 else {
            throw ValidationError("--seconds and --rounds must be positive")
        }
    }

    func run() async throws {
        let corpus = try Corpus.open(playback.corpusURL)
        let frames = try playback.frames(of: corpus)
        var parameters = LiveParameters(sound: try sound.settings(sourceNames: corpus.sources.map(\.name)))
        // Frames stop between rounds while the baseline runs; the scene must not fade meanwhile.
        parameters.idleTimeout = nil
        let sink = try PacedNullSink()
        let engine = try LiveEngine(
            corpus: corpus, modelDirectory: model.directory, sink: sink, parameters: parameters)
        let baseline = try corpus.loadNetwork(modelDirectory: model.directory)

        var report = LatencyBenchmarkReport(
            corpus: corpus.url.lastPathComponent, frames: frames.count, fps: fps, secondsPerRound: seconds,
            sink: "\(sink.name) (\(sink.format))", openblasCore: BLAS.coreName,
            loadAverageBefore: ProcessorUsage.loadAverage())
        if !json { report.printHeader() }
        try engine.start()
        for round in 1...rounds {
            let visionAlone = try Self.timeEmbeddings(baseline, frames: frames, side: corpus.model.inputSize)
            let stamps = feed(engine, frames: frames)
            guard let summary = LatencySummary(stamps) else {
                try? engine.stop()
                throw LatencyBenchmarkError("no frame reached the audio thread in round \(round)")
            }
            let row = LatencyBenchmarkReport.Round(round: round, latency: summary, visionAloneMs: visionAlone)
            report.rounds.append(row)
            if !json { report.printRound(row) }
        }
        try engine.stop()
        report.underruns = engine.sinkStatistics.underruns
        report.loadAverageAfter = ProcessorUsage.loadAverage()
        report.summarise()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            report.printSummary()
        }
    }

    /// Submits frames at `fps` for `seconds`, lets the last one reach the audio, and returns the stamps.
    private func feed(_ engine: LiveEngine, frames: [LiveFrame]) -> [LatencyStamp] {
        _ = engine.takeLatencyStamps()
        let interval = 1 / fps
        let start = Date()
        var next = 0
        while Date().timeIntervalSince(start) < seconds {
            _ = try? engine.submit(frames[next % frames.count])
            next += 1
            let due = start.addingTimeInterval(Double(next) * interval)
            Thread.sleep(forTimeInterval: max(0, due.timeIntervalSinceNow))
        }
        Thread.sleep(forTimeInterval: 0.3)
        return engine.takeLatencyStamps()
    }

    /// The median time of one embedding over every frame, a few times each, in milliseconds.
    private static func timeEmbeddings(_ network: EfficientNetLite, frames: [LiveFrame], side: Int) throws
        -> Double
    {
        var embedding = [Float](repeating: 0, count: EfficientNetLite.embeddingSize)
        var times: [Double] = []
        let clock = ContinuousClock()
        for repeat_ in 0..<max(3, 30 / frames.count) {
            for frame in frames {
                let start = clock.now
                try frame.pixels.withUnsafeBufferPointer { pixels in
                    try embedding.withUnsafeMutableBufferPointer { output in
                        try network.embed(rgb: pixels, width: side, height: side, into: output)
                    }
                }
                // The first pass warms caches and is not counted.
                if repeat_ > 0 { times.append((clock.now - start) / .milliseconds(1)) }
            }
        }
        return LatencyBenchmarkReport.median(times)
    }
}

/// The benchmark could not measure.
struct LatencyBenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
