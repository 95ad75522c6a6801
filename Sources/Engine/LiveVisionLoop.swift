import AudioOutput
import Corpus
import Foundation
import Synchronization
import Synth
import Vision

/// The vision thread: takes the newest frame and has the ``SceneAnalyzer`` embed it, compare it with
/// the corpus and publish its p(t) to the synth; then prepares what a snapshot shows. When a control
/// moves it re-publishes the current distances with the new settings at once; it also drains grain
/// events and watches for the camera going quiet.
///
/// The analyser's buffers are made once; it runs until the mailbox is closed.
final class LiveVisionLoop: @unchecked Sendable {
    /// What the last analysed frame looked like, for snapshots.
    struct Analysis: Sendable {
        var frameID: UInt64 = 0
        var nearest: [LiveSnapshot.Neighbour] = []
        var labels: [LiveSnapshot.Label] = []
        var curves: [[Float]] = []
        /// Seconds from the frame's arrival until its p(t) was published.
        var visionSeconds: Double?
        /// The last frame the cut detector found starting a new shot, and when it arrived.
        var lastCut: (frameID: UInt64, arrival: Int64)?
    }

    let mailbox: LatestFrameMailbox
    private let analyzer: SceneAnalyzer
    private let labels: ImageNetLabels
    private let output: OutputStage
    private let collector: GrainCollector
    private var bins: TimelineBins
    private let parameters: Mutex<LiveParameters>
    private let parametersChanged = Atomic<Bool>(false)
    private let analysis = Mutex(Analysis())
    private let analysed = Atomic<UInt64>(0)
    private let failures = Atomic<Int>(0)
    private let stateValue = Atomic<Int>(0)
    private let held = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    private var rgb: [UInt8] = []
    private var lastFrameID: UInt64 = 0
    private var republished: UInt64 = 0
    private var lastArrival: Int64 = 0

    /// Prepares the loop (the thread starts with `start()`).
    ///
    /// - Parameters:
    ///   - analyzer: the pipeline, made with logits; used only by this loop's thread from now on.
    ///   - labels: the ImageNet class names, for the top-5 labels.
    ///   - output: the gain stage the idle fades go to.
    ///   - collector: told of each publication, for the latency stamps.
    ///   - parameters: the initial parameters (the synth and the analyser were made with them; the
    ///     source volumes are handed to the analyser here).
    ///   - options: snapshot sizes.
    /// - Throws: `SynthError.invalidParameter` for source volumes that do not fit the corpus.
    init(
        analyzer: SceneAnalyzer, labels: ImageNetLabels, output: OutputStage, collector: GrainCollector,
        parameters: LiveParameters, options: LiveOptions
    ) throws {
        mailbox = LatestFrameMailbox()
        self.analyzer = analyzer
        self.labels = labels
        self.output = output
        self.collector = collector
        self.parameters = Mutex(parameters)
        let corpus = analyzer.corpus
        bins = TimelineBins(
            spans: corpus.frames.map { ($0.source, $0.audioSpan) }, durations: corpus.sources.map(\.duration),
            binsPerSource: options.binsPerSource)
        try analyzer.setSourceVolumes(parameters.sound.sources.map(\.effectiveVolume))
    }

    /// Starts the thread.
    func start() {
        let thread = Thread { [self] in
            run()
            done.signal()
        }
        thread.name = "sceno-vision"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Ends the thread and waits for it.
    func stop() {
        mailbox.close()
        done.wait()
        done.signal()
    }

    /// Changes the sound and sends each change only where it matters: grain parameters to the
    /// synth (p(t) untouched), mapping parameters and source mutes to the analyser, whose current
    /// distances the loop then re-maps at once.
    ///
    /// - Parameter change: makes the new sound from the one in force.
    /// - Returns: the sound now in force.
    /// - Throws: what `change` throws, or ``SoundModelError/fixedWhilePlaying(_:)``; nothing changes then.
    func update(_ change: (SoundSettings) throws(SoundModelError) -> SoundSettings) throws(SoundModelError)
        -> SoundSettings
    {
        // Under the lock, so that concurrent updates reach the synth, the analyser and
        // `currentParameters` in the same order.
        let (sound, remap) = try parameters.withLock {
            (current: inout LiveParameters) throws(SoundModelError) -> (SoundSettings, Bool) in
            let next = try change(current.sound)
            let effects = current.sound.effects(of: next)
            if effects.contains(.start) {
                let fixed = current.sound.changedParameters(comparedWith: next).filter {
                    (try? SoundModel.parameter(named: $0).effect) == .start
                }
                throw .fixedWhilePlaying(fixed.first ?? "")
            }
            do {
                // Both were derived from valid settings, so the synth and the analyser accept them.
                if effects.contains(.grains) { try analyzer.synth.update(next.grainParameters) }
                if effects.contains(.mapping) {
                    try analyzer.setListening(
                        mapping: next.distanceMapping, smoothing: next.smoothing, evidence: next.evidence)
                    let volumes = next.sources.map(\.effectiveVolume)
                    if volumes != current.sound.sources.map(\.effectiveVolume) {
                        try analyzer.setSourceVolumes(volumes)
                    }
                }
            } catch {
                preconditionFailure("valid sound settings were refused: \(error)")
            }
            current.sound = next
            return (next, effects.contains(.mapping))
        }
        if remap {
            parametersChanged.store(true, ordering: .releasing)
            mailbox.poke()
        }
        return sound
    }

    /// Holds or releases the camera: while held, the sound never fades out for want of frames.
    ///
    /// - Parameter hold: whether to hold.
    func setHold(_ hold: Bool) {
        held.store(hold, ordering: .relaxed)
    }

    /// Distance passes made so far (see `SceneAnalyzer.distancePassCount`).
    var distancePassCount: Int { analyzer.distancePassCount }

    /// The parameters in force.
    var currentParameters: LiveParameters { parameters.withLock { $0 } }

    /// The last analysis.
    var latest: Analysis { analysis.withLock { $0 } }

    /// Frames analysed, and frames that could not be.
    var counts: (analysed: UInt64, failed: Int) {
        (analysed.load(ordering: .relaxed), failures.load(ordering: .relaxed))
    }

    /// Waiting, playing or idle.
    var state: LiveSnapshot.State {
        switch stateValue.load(ordering: .relaxed) {
        case 1: .playing
        case 2: .idle
        default: .waiting
        }
    }

    private func run() {
        while true {
            collector.collect()
            let outcome = mailbox.take(timeout: 0.05)
            if case .closed = outcome { return }
            if parametersChanged.exchange(false, ordering: .acquiring) {
                // Unsmoothed: a control the user just moved should be heard at once, not faded in.
                analyzer.reset()
                // A frame about to be analysed uses the new values; otherwise re-shape the current p(t) now.
                if case .frame = outcome {} else { republish() }
            }
            switch outcome {
            case .frame(let delivery):
                analyse(delivery)
            case .timedOut, .woken:
                checkIdle()
            case .closed:
                return
            }
        }
    }

    private func analyse(_ delivery: LatestFrameMailbox.Delivery) {
        let start = MonotonicClock.now()
        // Coming back from silence: the old scene has faded, take the new one as it is.
        if stateValue.load(ordering: .relaxed) == 2 {
            analyzer.reset()
            analyzer.startNewShot()
        }
        let cutsBefore = analyzer.cutCount
        let frame = delivery.frame
        let generation = LiveEngine.generation(frameID: delivery.id, republished: 0)
        do {
            try withRGB(frame) { pixels in
                try analyzer.analyze(
                    rgb: pixels, width: frame.width, height: frame.height,
                    time: Double(delivery.arrival) / 1e9,
                    generation: generation)
            }
        } catch {
            failures.wrappingAdd(1, ordering: .relaxed)
            return
        }
        let published = MonotonicClock.now()
        collector.published(
            generation: generation, frameID: delivery.id, arrival: delivery.arrival, analysisStart: start,
            at: published)
        lastFrameID = delivery.id
        republished = 0
        stateValue.store(1, ordering: .relaxed)
        output.fade(to: 1, over: parameters.withLock { $0.fadeIn })
        lastArrival = delivery.arrival
        analysed.wrappingAdd(1, ordering: .relaxed)

        let corpus = analyzer.corpus
        let nearest = analyzer.nearest.map { neighbour -> LiveSnapshot.Neighbour in
            let corpusFrame = corpus.frames[neighbour.frame]
            return LiveSnapshot.Neighbour(
                frame: neighbour.frame, source: corpusFrame.source,
                sourceName: corpus.sources[corpusFrame.source].name, time: corpusFrame.time,
                distance: neighbour.distance)
        }
        let top = (analyzer.logits.map { labels.top(5, logits: $0) } ?? []).map {
            LiveSnapshot.Label(name: $0.name, probability: $0.probability)
        }
        let curves = bins.curves(analyzer.sparseDistribution)
        let isCut = analyzer.cutCount != cutsBefore
        analysis.withLock {
            $0 = Analysis(
                frameID: delivery.id, nearest: nearest, labels: top, curves: curves,
                visionSeconds: Double(published - delivery.arrival) / 1e9,
                lastCut: isCut ? (delivery.id, delivery.arrival) : $0.lastCut)
        }
    }

    /// Re-maps the last frame's distances with the settings now in force and publishes them as a
    /// new generation of the same frame.
    private func republish() {
        let generation = LiveEngine.generation(frameID: lastFrameID, republished: republished + 1)
        let now = Double(MonotonicClock.now()) / 1e9
        do {
            guard try analyzer.republish(time: now, generation: generation) else { return }
        } catch {
            failures.wrappingAdd(1, ordering: .relaxed)
            return
        }
        republished += 1
        let curves = bins.curves(analyzer.sparseDistribution)
        analysis.withLock { $0.curves = curves }
    }

    /// Fades out once no frame has come for the idle timeout.
    private func checkIdle() {
        guard stateValue.load(ordering: .relaxed) == 1, !held.load(ordering: .relaxed) else { return }
        let current = parameters.withLock { $0 }
        guard let timeout = current.idleTimeout else { return }
        if Double(MonotonicClock.now() - lastArrival) / 1e9 > timeout {
            stateValue.store(2, ordering: .relaxed)
            output.fade(to: 0, over: current.fadeOut)
        }
    }

    /// Calls `body` with the frame's pixels as RGB24, converting RGBA into a reused buffer.
    private func withRGB(_ frame: LiveFrame, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        switch frame.layout {
        case .rgb:
            try frame.pixels.withUnsafeBufferPointer(body)
        case .rgba:
            let count = frame.width * frame.height
            if rgb.count != count * 3 { rgb = [UInt8](repeating: 0, count: count * 3) }
            frame.pixels.withUnsafeBufferPointer { source in
                rgb.withUnsafeMutableBufferPointer { target in
                    for pixel in 0..<count {
                        target[pixel * 3] = source[pixel * 4]
                        target[pixel * 3 + 1] = source[pixel * 4 + 1]
                        target[pixel * 3 + 2] = source[pixel * 4 + 2]
                    }
                }
            }
            try rgb.withUnsafeBufferPointer(body)
        }
    }
}
