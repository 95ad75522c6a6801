import AudioOutput
import Corpus
import Foundation
import Kernels
import MediaIO
import Synchronization
import Synth
import Vision

/// Scenophone live: camera frames in, a soundscape out, as the paper's two asynchronous loops.
///
/// - The **vision loop** runs on its own thread. `submit(_:)` leaves a frame for it and returns at
///   once; a frame not yet taken when a newer one comes is replaced (latest wins), so the loop
///   always works on the present. Each frame is embedded, compared with every corpus frame, mapped
///   to p(t), smoothed and handed to the synth by atomic swap: the same `SceneAnalyzer` as an
///   offline render.
/// - The **audio loop** runs in the sink's thread: the synth renders grains drawn from whatever
///   p(t) is current, then a gain stage fades in and out, meters, and copies to the taps. It never
///   waits for vision, allocates nothing and takes no locks.
///
/// When frames stop the last scene keeps playing; after `LiveParameters.idleTimeout` it fades out
/// smoothly, and the next frame fades it back in. `snapshot(grainsAfter:)` gives a UI everything
/// it draws; `takeLatencyStamps()` gives a benchmark each frame's arrival → first grain times.
///
/// OpenBLAS is set to one thread when the engine starts: its worker threads spin, and would take
/// the core the audio thread needs. The corpus audio is read in and locked in memory when the engine
/// is built (see `audioResidency`), so a grain never waits for the disk.
public final class LiveEngine: @unchecked Sendable {
    /// The corpus the sound comes from.
    public let corpus: Corpus
    /// Where the sound goes.
    public let sink: any AudioSink
    /// What the engine was built with.
    public let options: LiveOptions
    /// Whether the corpus audio is locked in memory (made resident when the engine was built).
    public let audioResidency: AudioResidency
    private let synth: GranularSynth
    private let renderer: LiveRenderer
    private let collector: GrainCollector
    private let vision: LiveVisionLoop
    private let recorder: LiveRecorder?
    private let lifecycle = Mutex<Lifecycle>(.ready)
    private let held = Atomic<Bool>(false)
    /// Told of every parameter change once it is in force, whoever made it (the page, OSC, a preset).
    private let parameterObservers = Mutex<[@Sendable (LiveParameters) -> Void]>([])

    private enum Lifecycle {
        case ready, running, stopped
    }

    /// Builds the engine: loads the model, adapts the corpus for the synth, prepares every buffer,
    /// and reads all the corpus audio into memory, locked there.
    ///
    /// - Parameters:
    ///   - corpus: an open corpus; the network is the one it was embedded with.
    ///   - modelDirectory: where the models are installed, or `nil` for the default directory.
    ///   - sink: where to play; 48 kHz, mono or stereo. The engine starts and stops it.
    ///   - parameters: the initial sound (its source mixer is fitted to the corpus's sources) and
    ///     idle behaviour.
    ///   - options: fixed choices (snapshot sizes, seed, taps, recording).
    /// - Throws: `CorpusError` when the corpus's model is not installed or the installed weights are
    ///   not the corpus's, `VisionError` if the model cannot load; `LiveEngineError.incompatible`
    ///   when the sink's format does not fit the corpus;
    ///   `SynthError` for a bad parameter; `MediaIOError` if the recording cannot be created.
    public init(
        corpus: Corpus, modelDirectory: URL? = nil, sink: any AudioSink,
        parameters: LiveParameters = LiveParameters(),
        options: LiveOptions = LiveOptions()
    ) throws {
        let model = try corpus.loadNetwork(modelDirectory: modelDirectory)
        guard corpus.frameCount > 0 else {
            throw LiveEngineError.incompatible("\(corpus.url.path) has no frames; add a source first")
        }
        let bank = try SoundBank(corpus: corpus)
        guard sink.format.sampleRate == bank.sampleRate else {
            throw LiveEngineError.incompatible(
                "the corpus audio is \(bank.sampleRate) Hz but \(sink.name) plays \(sink.format.sampleRate) Hz"
            )
        }
        guard sink.format.channels == 1 || sink.format.channels == 2 else {
            throw LiveEngineError.incompatible(
                "\(sink.name) has \(sink.format.channels) channels (1 or 2 work)")
        }
        try parameters.validate()
        var parameters = parameters
        parameters.sound = parameters.sound.withSourceCount(corpus.sources.count)
        let sound = parameters.sound
        // Grains read the corpus audio on the audio thread: a page still on disk would stall it.
        audioResidency = corpus.makeAudioResident()
        self.corpus = corpus
        self.sink = sink
        synth = try GranularSynth(
            bank: bank,
            configuration: SynthConfiguration(
                channels: sink.format.channels, maxVoices: sound.maxVoices,
                seed: options.seed ?? UInt64.random(in: 0...UInt64.max)),
            parameters: sound.grainParameters)
        recorder = try options.recording.map {
            try LiveRecorder(url: $0, sampleRate: bank.sampleRate, channels: sink.format.channels)
        }
        var options = options
        if let recorder { options.taps.append(recorder.ring) }
        self.options = options
        let clock = BlockClock(periodFrames: sink.format.periodFrames, sampleRate: bank.sampleRate)
        renderer = LiveRenderer(
            synth: synth, output: OutputStage(sampleRate: bank.sampleRate, taps: options.taps), clock: clock)
        collector = GrainCollector(synth: synth, clock: clock)
        let analyzer = try SceneAnalyzer(
            corpus: corpus, network: model, synth: synth, mapping: sound.distanceMapping,
            smoothing: sound.smoothing, similarity: sound.similarity, evidence: sound.evidence,
            neighborCount: options.nearestCount, computeLogits: true)
        vision = try LiveVisionLoop(
            analyzer: analyzer, labels: try ImageNetLabels(contentsOf: model.files.labels),
            output: renderer.output,
            collector: collector, parameters: parameters, options: options)
    }

    /// Starts the audio and vision loops. Silence plays until the first frame is analysed.
    ///
    /// - Throws: `LiveEngineError.alreadyStarted` when started twice or after `stop()`;
    ///   `LiveEngineError.sink` when the sink cannot start.
    public func start() throws(LiveEngineError) {
        try lifecycle.withLock { (state: inout Lifecycle) throws(LiveEngineError) in
            guard state == .ready else { throw .alreadyStarted }
            BLAS.setThreads(1)
            let renderer = self.renderer
            do throws(AudioSinkError) {
                try sink.start { block in renderer.render(block) }
            } catch {
                throw .sink(error)
            }
            vision.start()
            state = .running
        }
    }

    /// Fades out (50 ms), stops both loops and completes the recording, if any.
    ///
    /// - Throws: the recording's write error, if it had one (the sound itself has stopped either way).
    public func stop() throws {
        let wasRunning = lifecycle.withLock { (state: inout Lifecycle) -> Bool in
            defer { state = .stopped }
            return state == .running
        }
        guard wasRunning else { return }
        renderer.output.fade(to: 0, over: 0.05)
        // Let the fade reach the output: 50 ms of ramp plus the device buffer.
        Thread.sleep(forTimeInterval: 0.06 + sink.format.bufferSeconds)
        sink.stop()
        vision.stop()
        try recorder?.finish()
    }

    /// Leaves a frame for the vision loop, replacing one it has not taken yet. Returns at once.
    ///
    /// - Parameter frame: an RGB or RGBA picture of any size up to 4096×4096.
    /// - Returns: the frame's id (1, 2, …), as snapshots and latency stamps report it.
    /// - Throws: `LiveEngineError.invalidFrame` for a malformed frame (nothing is queued).
    @discardableResult
    public func submit(_ frame: LiveFrame) throws(LiveEngineError) -> UInt64 {
        try submit(frame, arrival: MonotonicClock.now())
    }

    /// Leaves a frame for the vision loop with the time it arrived (see `submit(_:)`).
    ///
    /// - Parameters:
    ///   - frame: an RGB or RGBA picture of any size up to 4096×4096.
    ///   - arrival: when its last byte arrived, as `MonotonicClock.now()` (CLOCK_MONOTONIC ns);
    ///     the latency stamps count from it.
    /// - Returns: the frame's id.
    /// - Throws: `LiveEngineError.invalidFrame` for a malformed frame (nothing is queued).
    @discardableResult
    public func submit(_ frame: LiveFrame, arrival: Int64) throws(LiveEngineError) -> UInt64 {
        try frame.validate()
        // Held: the last scene plays on and the new picture is not looked at.
        guard !isHeld else { return 0 }
        return vision.mailbox.put(frame, arrival: arrival)
    }

    /// Holds the camera: frames are ignored (``submit(_:arrival:)`` returns 0) and the last scene
    /// plays on without fading out, until released.
    ///
    /// - Parameter hold: true to hold, false to look again.
    public func setHold(_ hold: Bool) {
        held.store(hold, ordering: .releasing)
        vision.setHold(hold)
    }

    /// Whether the camera is held.
    public var isHeld: Bool { held.load(ordering: .acquiring) }

    /// Leaves a decoded video or camera frame for the vision loop (see `submit(_:)`).
    ///
    /// - Parameter frame: an RGB24 frame from MediaIO.
    /// - Returns: the frame's id.
    /// - Throws: `LiveEngineError.invalidFrame` for a malformed frame.
    @discardableResult
    public func submit(_ frame: RGBFrame) throws(LiveEngineError) -> UInt64 {
        try submit(LiveFrame(frame))
    }

    /// Whether a submitted frame is still waiting for the vision loop.
    public var isFrameWaiting: Bool { vision.mailbox.hasPending }

    /// Changes the sound while it plays; each change goes only where it matters: grain parameters
    /// (and volumes) reach the synth at its next block with p(t) left as it is, mapping parameters
    /// re-map the last distances at once.
    ///
    /// - Parameter change: the values to change.
    /// - Returns: the sound now in force.
    /// - Throws: ``SoundModelError`` naming a bad key or value, or a parameter fixed at start
    ///   (nothing changes).
    @discardableResult
    public func update(_ change: SoundChange) throws(SoundModelError) -> SoundSettings {
        let sound = try vision.update { current throws(SoundModelError) in try current.applying(change) }
        notifyParameterObservers()
        return sound
    }

    /// Replaces the whole sound (a preset, a reset to the defaults) with the same routing as
    /// ``update(_:)``; the parameters fixed at start keep the values the engine started with.
    ///
    /// - Parameter sound: the new sound; its source mixer is fitted to the corpus.
    /// - Returns: the sound now in force.
    @discardableResult
    public func replaceSound(with sound: SoundSettings) -> SoundSettings {
        let fitted = sound.withSourceCount(corpus.sources.count)
        let replaced: SoundSettings
        do {
            replaced = try vision.update { current in fitted.keepingStartParameters(of: current) }
        } catch {
            preconditionFailure("a whole sound with the start parameters kept was refused: \(error)")
        }
        notifyParameterObservers()
        return replaced
    }

    /// Calls `observer` after every change of the parameters (``update(_:)``, ``replaceSound(with:)``),
    /// with every parameter then in force, on the thread that made the change: a session recording
    /// logs each change whether the page, OSC or a preset made it.
    ///
    /// - Parameter observer: the observer; it must not change the parameters itself.
    public func observeParameters(_ observer: @escaping @Sendable (LiveParameters) -> Void) {
        parameterObservers.withLock { $0.append(observer) }
    }

    private func notifyParameterObservers() {
        let parameters = self.parameters
        for observer in parameterObservers.withLock({ $0 }) { observer(parameters) }
    }

    /// The sound in force.
    public var sound: SoundSettings { vision.currentParameters.sound }

    /// The parameters in force.
    public var parameters: LiveParameters { vision.currentParameters }

    /// How many distance passes the vision loop has made (one per analysed frame, and one per
    /// change that moves the mapping's cutoff or the source weights): lets a test see that a grain
    /// change did not run one.
    public var distancePassCount: Int { vision.distancePassCount }

    /// What a UI draws: the last analysed frame's neighbours, labels and p(t), the grains started
    /// since `cursor`, the output level and the counters.
    ///
    /// Several viewers can each keep their own cursor: grains are not consumed by reading them.
    ///
    /// - Parameter cursor: the `grainCursor` of the viewer's previous snapshot (0 at first).
    /// - Returns: the snapshot.
    public func snapshot(grainsAfter cursor: UInt64 = 0) -> LiveSnapshot {
        let analysis = vision.latest
        let (grains, last) = collector.grains(after: cursor)
        let level = renderer.output.readLevel()
        let mailbox = vision.mailbox.counts
        let curves = corpus.sources.indices.map { index in
            LiveSnapshot.SourceCurve(
                source: index, name: corpus.sources[index].name, duration: corpus.sources[index].duration,
                probability: analysis.curves.isEmpty
                    ? [Float](repeating: 0, count: options.binsPerSource) : analysis.curves[index])
        }
        return LiveSnapshot(
            frameID: analysis.frameID, visionSeconds: analysis.visionSeconds, nearest: analysis.nearest,
            curves: curves, labels: analysis.labels,
            grains: grains, grainCursor: last, peak: level.peak, rms: level.rms, state: vision.state,
            framesSubmitted: mailbox.submitted, framesAnalysed: vision.counts.analysed,
            framesReplaced: mailbox.replaced, lastCutFrameID: analysis.lastCut?.frameID,
            secondsSinceCut: analysis.lastCut.map { Double(MonotonicClock.now() - $0.arrival) / 1e9 },
            outputTime: Double(renderer.frames) / Double(sink.format.sampleRate), underruns: sink.underruns)
    }

    /// The latency stamps (arrival → first grain) completed since the last call.
    public func takeLatencyStamps() -> [LatencyStamp] {
        collector.takeLatencyStamps()
    }

    /// The sink's underruns, frames and timing.
    public var sinkStatistics: AudioSinkStatistics { sink.statistics }

    /// Samples the recording lost because its writer fell behind (0 without a recording).
    public var recordingDroppedSamples: Int { recorder?.droppedSamples ?? 0 }

    /// The generation number a publication carries: the frame id, and how many times that frame's
    /// distances were re-mapped after a parameter change (low 20 bits). Increases with each publication.
    static func generation(frameID: UInt64, republished: UInt64) -> UInt64 {
        frameID << 20 | min(republished, (1 << 20) - 1)
    }

    /// The frame id a generation number came from.
    static func frameID(ofGeneration generation: UInt64) -> UInt64 { generation >> 20 }
}
