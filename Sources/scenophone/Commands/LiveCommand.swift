import ArgumentParser
import AudioOutput
import CommandLineSupport
import Corpus
import Engine
import Foundation
import MediaIO
import Synchronization
import Vision

/// `scenophone live`: the soundscape of a camera or a video, played as it happens.
struct LiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Play the soundscape of a camera or a video in real time through the sound card.",
        discussion: """
            Frames from the camera (V4L2, through ffmpeg) or from a video played at its own pace are \
            analysed by the vision loop; the audio loop plays grains of the corpus recordings whose \
            pictures look most like them, through ALSA on a real-time thread.

            Without a sound card, --sink null plays into a paced stand-in that keeps a card's time \
            and counts the underruns a card would have had; add --record to keep the sound. The \
            underrun count is printed at the end. Stop with Ctrl-C.
            """)

    /// Where the sound goes.
    enum SinkChoice: String, ExpressibleByArgument, CaseIterable {
        case alsa, null
    }

    @Option(help: "The corpus to play from (made with 'scenophone index').")
    var corpus: String

    @Option(help: "A V4L2 camera device to look through, e.g. /dev/video0.")
    var camera: String?

    @Option(help: "A video (or image) file to play as if it were the camera, at its own pace.")
    var input: String?

    @Flag(help: "Start the input again when it ends (otherwise the session ends with it).")
    var loop = false

    @Option(help: "alsa: the sound card; null: a paced stand-in for machines without one.")
    var sink = SinkChoice.alsa

    @Option(help: "The ALSA device (see 'aplay -L'): default, hw:0, plughw:1,0, …")
    var device = "default"

    @Option(help: "Also save the sound to this WAV file.")
    var record: String?

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(name: .customLong("vision-fps"), help: "Frames per second taken from the camera or input.")
    var visionFPS = 10.0

    @Option(help: "Frames per audio period (the render block).")
    var period = AudioFormat.standard.periodFrames

    @Option(
        name: .customLong("buffer-periods"), help: "Periods in the device buffer (latency = period × this).")
    var bufferPeriods = AudioFormat.standard.bufferPeriods

    @OptionGroup var idle: IdleOptions

    @OptionGroup(title: "Sound") var sound: SoundOptions

    @OptionGroup(title: "OSC") var osc: OSCOptions

    @Option(help: "Seed of the grain randomness (random by default).")
    var seed: UInt64?

    @OptionGroup var model: ModelOptions

    @Flag(help: "Print the final report as JSON.")
    var json = false

    func validate() throws {
        guard (camera == nil) != (input == nil) else {
            throw ValidationError("give exactly one of --camera DEVICE or --input FILE")
        }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be > 0 seconds") }
        guard visionFPS > 0, visionFPS <= 60 else { throw ValidationError("--vision-fps must be in (0, 60]") }
        if let record, !record.lowercased().hasSuffix(".wav") {
            throw ValidationError("--record writes a WAV file: give a name ending in .wav, not '\(record)'")
        }
        try format.validate()
    }

    private var format: AudioFormat {
        AudioFormat(sampleRate: 48_000, channels: 2, periodFrames: period, bufferPeriods: bufferPeriods)
    }

    func run() async throws {
        let corpus = try Corpus.open(URL(fileURLWithPath: self.corpus))
        let reader = try openReader(inputSize: corpus.model.inputSize)
        let audioSink = try makeSink()
        let sound = try self.sound.settings(sourceNames: corpus.sources.map(\.name)) { warning in
            FileHandle.standardError.write(Data("scenophone: \(warning)\n".utf8))
        }
        let parameters = LiveParameters(sound: sound, idleTimeout: idle.timeout)
        let engine = try LiveEngine(
            corpus: corpus, modelDirectory: model.directory, sink: audioSink, parameters: parameters,
            options: LiveOptions(seed: seed, recording: record.map { URL(fileURLWithPath: $0) }))
        if !engine.audioResidency.isLocked {
            FileHandle.standardError.write(Data("warning: \(engine.audioResidency)\n".utf8))
        }

        let session = LiveSession(engine: engine, reader: reader)
        let interrupt = InterruptWatch()
        try engine.start()
        let oscSession = try await osc.start { engine }
        session.startFeeding()
        let started = Date()
        let status = StatusLine()
        while !interrupt.fired && !session.inputEnded {
            if let duration, Date().timeIntervalSince(started) >= duration { break }
            try? await Task.sleep(for: .milliseconds(100))
            status.show(engine.snapshot(grainsAfter: .max))
        }
        status.finish()
        await oscSession?.stop()
        if let counts = oscSession?.receiver?.counters.statistics {
            FileHandle.standardError.write(
                Data(
                    "OSC in: \(counts.packets) packets, \(counts.applied) applied, \(counts.refused) refused, \(counts.malformed) malformed, \(counts.oversized) oversized\n"
                        .utf8))
        }
        session.stopFeeding()
        let stamps = engine.takeLatencyStamps()
        let snapshot = engine.snapshot(grainsAfter: .max)
        try engine.stop()
        if let error = session.inputError { throw error }
        let report = LiveReport(
            engine: engine, snapshot: snapshot, seconds: Date().timeIntervalSince(started),
            latency: LatencySummary(stamps), recording: record)
        if json {
            print(try report.json())
        } else {
            print(report.text)
        }
    }

    /// The sink `--sink` asks for; a missing sound card suggests the null sink.
    private func makeSink() throws -> any AudioSink {
        switch sink {
        case .null:
            return try PacedNullSink(format: format)
        case .alsa:
            do {
                return try ALSASink(device: device, format: format)
            } catch {
                guard error.isMissingDevice else { throw error }
                throw AdvisedError(
                    error,
                    advice:
                        "or play into the paced null sink instead ('--sink null', with '--record FILE.wav' to keep the sound)"
                )
            }
        }
    }

    private func openReader(inputSize: Int) throws -> VideoFrameReader {
        if let camera {
            return try VideoFrameReader.camera(device: camera, fps: visionFPS)
        }
        // The network looks at the central 0.875 of the short side, decoded as the corpus was.
        return try VideoFrameReader(
            url: URL(fileURLWithPath: input!), fps: visionFPS,
            scaling: SourceIndexer.embeddingScaling(inputSize: inputSize), realtime: true,
            loop: loop)
    }
}

/// Reads frames from the camera or input on a thread of its own and submits them to the engine.
private final class LiveSession: @unchecked Sendable {
    let engine: LiveEngine
    let reader: VideoFrameReader
    private let ended = Atomic<Bool>(false)
    private let failure = Mutex<Error?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    init(engine: LiveEngine, reader: VideoFrameReader) {
        self.engine = engine
        self.reader = reader
    }

    var inputEnded: Bool { ended.load(ordering: .acquiring) }
    var inputError: Error? { failure.withLock { $0 } }

    func startFeeding() {
        let thread = Thread { [self] in
            do {
                while let frame = try reader.next() { try engine.submit(frame) }
            } catch {
                failure.withLock { $0 = error }
            }
            ended.store(true, ordering: .releasing)
            finished.signal()
        }
        thread.name = "sceno-input"
        thread.start()
    }

    func stopFeeding() {
        reader.cancel()
        finished.wait()
    }
}

/// Turns Ctrl-C (and SIGTERM) into a flag the session polls, so it can fade out and report.
private final class InterruptWatch: @unchecked Sendable {
    private let flag = Atomic<Bool>(false)
    private var sources: [DispatchSourceSignal] = []

    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [unowned self] in flag.store(true, ordering: .releasing) }
            source.resume()
            sources.append(source)
        }
    }

    var fired: Bool { flag.load(ordering: .acquiring) }
}
