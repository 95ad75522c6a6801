import ArgumentParser
import AudioOutput
import CommandLineSupport
import Corpus
import Engine
import Foundation
import MediaIO

/// `scenophone-bench soak`: an unattended run condensed, with what must stay flat read at its start
/// and end.
struct SoakBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract:
            "Play for a long time; print RSS, open fds, underruns and audio-thread major faults at start and end.",
        discussion: """
            A live engine plays into a paced null sink (it keeps a sound card's time) while its \
            vision loop is fed flat out: the next frame the moment it took the last. Every \
            --camera-loss-every seconds the frames stop for --camera-loss-length seconds (the scene \
            must fade out and come back); with --restart-every the engine is also torn down and built \
            again in the same process. The corpus audio is dropped from the page \
            cache first (unless --warm-cache), so a grain that read an unlocked page would wait for \
            the disk: that shows as a major fault on the audio thread.

            The goals: 0 underruns, 0 audio-thread major faults, resident memory growing less than \
            5 %, and the same number of open descriptors at the end as at the start. The baseline is \
            the run's own start, measured after --warm-up seconds. Exit status 0 whatever the figures; \
            the JSON's goalsMet says whether they were met.

            The frames are the --input pictures; by default the corpus's own thumbnails, one per source.
            """)

    @OptionGroup var playback: PlaybackOptions

    @Option(help: "Seconds measured (after the warm-up).")
    var seconds = 600.0

    @Option(help: "Seconds played before the first measurement.")
    var warmUp = 5.0

    @Option(help: "Seconds of frames between camera losses (0: never lose the camera).")
    var cameraLossEvery = 30.0

    @Option(help: "Seconds without frames at each camera loss (longer than 2 s, so the scene fades out).")
    var cameraLossLength = 4.0

    @Option(
        help:
            "Seconds between in-process engine rebuilds (0: never). Not part of the goals: the allocator keeps about 25 MB after the first few rebuilds (the heap in use stays flat)."
    )
    var restartEvery = 0.0

    @Flag(help: "Leave the corpus audio in the page cache instead of dropping it first.")
    var warmCache = false

    @OptionGroup var model: ModelOptions

    @Flag(help: "Print the results as JSON.")
    var json = false

    /// Seconds without frames before the scene fades, and the fade: short, so that a camera loss of
    /// a few seconds goes through the whole fade-out and fade-in.
    static let idleTimeout = 1.5
    static let fadeOut = 0.5

    func validate() throws {
        guard seconds > 0, warmUp >= 0 else { throw ValidationError("--seconds must be > 0, --warm-up ≥ 0") }
        guard cameraLossEvery >= 0, restartEvery >= 0 else {
            throw ValidationError("--camera-loss-every and --restart-every must be ≥ 0 (0: never)")
        }
        guard cameraLossLength > Self.idleTimeout + Self.fadeOut else {
            throw ValidationError(
                "--camera-loss-length must be longer than \(Self.idleTimeout + Self.fadeOut) s (idle timeout and fade)"
            )
        }
    }

    func run() async throws {
        let url = playback.corpusURL
        // Held only through `first`, which the first engine takes: a second reference here would keep
        // the first corpus (and its locked audio) mapped for the whole run, and a restart would look
        // like 31 MiB of growth.
        var first: Corpus? = try Corpus.open(url)
        if !warmCache { first?.dropAudioFromPageCache() }
        let frames = try playback.frames(of: first!)
        var parameters = LiveParameters()
        parameters.idleTimeout = Self.idleTimeout
        parameters.fadeOut = Self.fadeOut
        let plan = SoakPlan(
            seconds: seconds, warmUp: warmUp, cameraLossEvery: cameraLossEvery > 0 ? cameraLossEvery : nil,
            cameraLossLength: cameraLossLength, restartEvery: restartEvery > 0 ? restartEvery : nil)
        // Each restart opens the corpus again, as a restarted server does; the first engine takes
        // the corpus whose audio was just dropped from the page cache.
        let runner = SoakRunner(frames: frames, plan: plan) {
            let corpus = try first ?? Corpus.open(url)
            first = nil
            return try LiveEngine(
                corpus: corpus, modelDirectory: model.directory, sink: try PacedNullSink(),
                parameters: parameters)
        }
        let bar = ProgressBar(total: Int(warmUp + seconds), unit: "s")
        let report = try runner.run(startedCold: !warmCache) { fraction in
            bar.update(done: Int(fraction * (warmUp + seconds)), label: "soak")
        }
        bar.finish()
        let result = SoakBenchmarkReport(report: report)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print("bench soak: \(url.lastPathComponent), \(frames.count) frames in turn, paced null sink")
            print(report)
            print(result.goalsMet ? "goals met" : "GOALS NOT MET")
        }
    }
}
