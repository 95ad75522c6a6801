import AudioOutput
import Corpus
import Foundation
import Synchronization
import Synth
import Vision

/// The vision thread: takes the newest frame, embeds it, measures its distance to every corpus
/// frame, maps the distances to p(t), smooths it and hands it to the synth; then prepares what a
/// snapshot shows. It also drains grain events and watches for the camera going quiet.
///
/// All its buffers are made once; it runs until the mailbox is closed.
final class LiveVisionLoop: @unchecked Sendable {
    /// What the last analysed frame looked like, for snapshots.
    struct Analysis: Sendable {
        var frameID: UInt64 = 0
        var nearest: [LiveSnapshot.Neighbour] = []
        var labels: [LiveSnapshot.Label] = []
        var curves: [[Float]] = []
        /// Seconds from the frame's arrival until its p(t) was published.
        var visionSeconds: Double?
    }

    let mailbox: LatestFrameMailbox
    private let model: EfficientNetLite0
    private let labels: ImageNetLabels
    private let search: NearestFrameSearch
    private let corpus: Corpus
    private let bank: SoundBank
    private let synth: GranularSynth
    private let output: OutputStage
    private let collector: GrainCollector
    private let bins: TimelineBins
    private let parameters: Mutex<LiveParameters>
    private let parametersChanged = Atomic<Bool>(false)
    private let analysis = Mutex(Analysis())
    private let analysed = Atomic<UInt64>(0)
    private let failures = Atomic<Int>(0)
    private let stateValue = Atomic<Int>(0)
    private let done = DispatchSemaphore(value: 0)

    private var rgb: [UInt8] = []
    private let embedding: UnsafeMutableBufferPointer<Float>
    private let logits: UnsafeMutableBufferPointer<Float>
    private let distances: UnsafeMutableBufferPointer<Float>
    private let scratch: UnsafeMutableBufferPointer<Float>
    private let neighbours: UnsafeMutableBufferPointer<Neighbor>
    private let probabilities: UnsafeMutableBufferPointer<Double>
    private var timeWeights: [Double]
    private var smoother: ProbabilitySmoother
    private var haveDistances = false
    private var lastFrameID: UInt64 = 0
    private var republished: UInt64 = 0
    private var lastArrival: Int64 = 0

    init(
        model: EfficientNetLite0, labels: ImageNetLabels, corpus: Corpus, bank: SoundBank,
        synth: GranularSynth,
        output: OutputStage, collector: GrainCollector, parameters: LiveParameters, options: LiveOptions
    ) {
        mailbox = LatestFrameMailbox()
        self.model = model
        self.labels = labels
        self.corpus = corpus
        self.bank = bank
        self.synth = synth
        self.output = output
        self.collector = collector
        self.parameters = Mutex(parameters)
        search = NearestFrameSearch(corpus: corpus)
        bins = TimelineBins(
            spans: corpus.frames.map { ($0.source, $0.audioSpan) }, durations: corpus.sources.map(\.duration),
            binsPerSource: options.binsPerSource)
        let frameCount = corpus.frameCount
        embedding = .allocate(capacity: EfficientNetLite0.embeddingSize)
        logits = .allocate(capacity: EfficientNetLite0.classCount)
        distances = .allocate(capacity: frameCount)
        scratch = .allocate(capacity: frameCount)
        neighbours = .allocate(capacity: max(1, min(options.nearestCount, frameCount)))
        probabilities = .allocate(capacity: frameCount)
        timeWeights = []
        smoother = ProbabilitySmoother(count: frameCount, timeConstant: parameters.smoothing)
        timeWeights = playableTimeWeights(parameters)
    }

    deinit {
        embedding.deallocate()
        logits.deallocate()
        distances.deallocate()
        scratch.deallocate()
        neighbours.deallocate()
        probabilities.deallocate()
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

    /// Replaces the parameters; the loop re-maps the current distances at once.
    func update(_ parameters: LiveParameters) throws {
        try synth.update(parameters.grains)
        self.parameters.withLock { $0 = parameters }
        parametersChanged.store(true, ordering: .releasing)
        mailbox.poke()
    }

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
                let current = parameters.withLock { $0 }
                timeWeights = playableTimeWeights(current)
                // Unsmoothed: a control the user just moved should be heard at once, not faded in.
                smoother.reset()
                // A frame about to be analysed uses the new values; otherwise re-shape the current p(t) now.
                var isFrame = false
                if case .frame = outcome { isFrame = true }
                if haveDistances && !isFrame {
                    republished += 1
                    publish(frameID: lastFrameID, at: MonotonicClock.now(), parameters: current)
                }
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
        let frame = delivery.frame
        do {
            try withRGB(frame) { pixels in
                try model.embed(
                    rgb: pixels, width: frame.width, height: frame.height, into: embedding, logits: logits)
            }
        } catch {
            failures.wrappingAdd(1, ordering: .relaxed)
            return
        }
        let found = search.nearest(to: UnsafeBufferPointer(embedding), scratch: scratch, into: neighbours)
        // `nearest` leaves every distance in its scratch buffer.
        _ = distances.update(fromContentsOf: scratch)
        haveDistances = true
        lastFrameID = delivery.id
        republished = 0
        if stateValue.load(ordering: .relaxed) != 1 {
            // Coming back from silence: the old scene has faded, take the new one as it is.
            if stateValue.load(ordering: .relaxed) == 2 { smoother.reset() }
            stateValue.store(1, ordering: .relaxed)
        }
        let current = parameters.withLock { $0 }
        let curves = publish(frameID: delivery.id, at: delivery.arrival, parameters: current)
        let published = MonotonicClock.now()
        collector.published(
            generation: LiveEngine.generation(frameID: delivery.id, republished: 0), frameID: delivery.id,
            arrival: delivery.arrival, analysisStart: start, at: published)
        output.fade(to: 1, over: current.fadeIn)
        lastArrival = delivery.arrival
        analysed.wrappingAdd(1, ordering: .relaxed)

        let nearest = (0..<found).map { index -> LiveSnapshot.Neighbour in
            let neighbour = neighbours[index]
            let corpusFrame = corpus.frames[neighbour.frame]
            return LiveSnapshot.Neighbour(
                frame: neighbour.frame, source: corpusFrame.source,
                sourceName: corpus.sources[corpusFrame.source].name, time: corpusFrame.time,
                distance: neighbour.distance)
        }
        let top = labels.top(5, logits: UnsafeBufferPointer(logits)).map {
            LiveSnapshot.Label(name: $0.name, probability: $0.probability)
        }
        analysis.withLock {
            $0 = Analysis(
                frameID: delivery.id, nearest: nearest, labels: top, curves: curves,
                visionSeconds: Double(published - delivery.arrival) / 1e9)
        }
    }

    /// Maps the current distances to p(t), smooths, publishes; returns p(t) per source for drawing.
    @discardableResult
    private func publish(frameID: UInt64, at time: Int64, parameters: LiveParameters) -> [[Float]] {
        timeWeights.withUnsafeBufferPointer { weights in
            _ = parameters.mapping.map(
                distances: UnsafeBufferPointer(distances), timeWeights: weights, into: probabilities,
                scratch: scratch)
        }
        smoother.timeConstant = parameters.smoothing
        let smoothed = smoother.blend(UnsafeBufferPointer(probabilities), at: Double(time) / 1e9)
        // The frame count always matches: the bank was made from this corpus.
        try! synth.publish(
            smoothed, generation: LiveEngine.generation(frameID: frameID, republished: republished),
            frameTime: Double(time) / 1e9)
        let curves = bins.curves(smoothed)
        if republished > 0 { analysis.withLock { $0.curves = curves } }
        return curves
    }

    /// Fades out once no frame has come for the idle timeout.
    private func checkIdle() {
        guard stateValue.load(ordering: .relaxed) == 1 else { return }
        let current = parameters.withLock { $0 }
        guard let timeout = current.idleTimeout else { return }
        if Double(MonotonicClock.now() - lastArrival) / 1e9 > timeout {
            stateValue.store(2, ordering: .relaxed)
            output.fade(to: 0, over: current.fadeOut)
        }
    }

    /// Each frame's share of the timeline, zero for sources muted live (volume 0), so that no grain
    /// is spent on a source nobody can hear.
    private func playableTimeWeights(_ parameters: LiveParameters) -> [Double] {
        var weights = bank.frameTimeWeights()
        let volumes = parameters.grains.sourceVolumes
        if !volumes.isEmpty {
            for (index, frame) in bank.frames.enumerated() where volumes[frame.source] == 0 {
                weights[index] = 0
            }
        }
        return weights
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
