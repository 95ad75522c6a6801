import Corpus
import Synchronization
import Synth
import Vision

/// The vision side of the engine, shared by the offline renderer and the live loop: a picture →
/// its embedding → distances to every corpus frame → the smoothed distribution p(t) → an alias table
/// published to the synthesizer.
///
/// Everything is allocated once; `analyze` allocates nothing beyond what the network does. Not
/// thread-safe: one vision thread calls `analyze`; ``setListening(mapping:smoothing:)`` alone may be
/// called from any thread (it takes effect at the next analysis).
public final class SceneAnalyzer {
    /// The corpus the pictures are compared with.
    public let corpus: Corpus
    /// The synthesizer the distributions are published to.
    public let synth: GranularSynth
    /// How many nearest frames ``nearest`` keeps.
    public let neighborCount: Int
    private let network: EfficientNetLite0
    private let search: NearestFrameSearch
    private let map: ProbabilityMap
    private let embedding: UnsafeMutableBufferPointer<Float>
    private let logitBuffer: UnsafeMutableBufferPointer<Float>?
    private let distanceBuffer: UnsafeMutableBufferPointer<Float>
    private let neighbors: UnsafeMutableBufferPointer<Neighbor>
    private var neighborsFound = 0
    private var generation: UInt64 = 0
    private let pendingSettings = Mutex<(mapping: DistanceMapping, smoothing: Double)?>(nil)

    /// Prepares the analysis of pictures against a corpus.
    ///
    /// - Parameters:
    ///   - corpus: the corpus; its embeddings must come from `network`'s model.
    ///   - network: the embedding network, used by this analyser only from now on.
    ///   - synth: the synthesizer playing `corpus`'s audio (a bank made from the same corpus).
    ///   - mapping: the distance → probability map.
    ///   - smoothing: the time constant of the temporal smoothing, in seconds.
    ///   - neighborCount: how many nearest frames to keep for display.
    ///   - computeLogits: also compute the 1000 ImageNet logits of every picture (for labels).
    /// - Throws: `EngineError.modelMismatch` when the corpus was built with another model,
    ///   `EngineError.bankMismatch` when the synth's bank has another number of frames,
    ///   ``SynthError`` for bad settings.
    public init(
        corpus: Corpus, network: EfficientNetLite0, synth: GranularSynth,
        mapping: DistanceMapping = DistanceMapping(), smoothing: Double = 0.1, neighborCount: Int = 8,
        computeLogits: Bool = false
    ) throws {
        guard corpus.model == network.identity else {
            throw EngineError.modelMismatch(
                corpus: corpus.url, corpusModel: corpus.model, network: network.identity)
        }
        guard synth.bank.frames.count == corpus.frameCount else {
            throw EngineError.bankMismatch(frames: synth.bank.frames.count, corpusFrames: corpus.frameCount)
        }
        self.corpus = corpus
        self.synth = synth
        self.network = network
        self.neighborCount = max(1, neighborCount)
        search = NearestFrameSearch(corpus: corpus)
        map = try ProbabilityMap(bank: synth.bank, mapping: mapping, timeConstant: smoothing)
        embedding = .allocate(capacity: corpus.embeddingSize)
        embedding.initialize(repeating: 0)
        logitBuffer = computeLogits ? .allocate(capacity: EfficientNetLite0.classCount) : nil
        logitBuffer?.initialize(repeating: 0)
        distanceBuffer = .allocate(capacity: corpus.frameCount)
        distanceBuffer.initialize(repeating: 0)
        neighbors = .allocate(capacity: self.neighborCount)
        neighbors.initialize(repeating: Neighbor(frame: 0, distance: 0))
    }

    deinit {
        embedding.deallocate()
        logitBuffer?.deallocate()
        distanceBuffer.deallocate()
        neighbors.deallocate()
    }

    /// Analyses a picture and publishes the new distribution to the synthesizer.
    ///
    /// - Parameters:
    ///   - rgb: `width × height × 3` bytes, row-major RGB24.
    ///   - width: picture columns.
    ///   - height: picture rows.
    ///   - time: when the picture was seen, in seconds on a steady clock (live) or the input's
    ///     timeline (offline); drives the smoothing and is published as the distribution's frame time.
    /// - Throws: `VisionError` for an empty picture.
    public func analyze(rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int, time: Double) throws {
        try network.embed(rgb: rgb, width: width, height: height, into: embedding, logits: logitBuffer)
        neighborsFound = search.nearest(
            to: UnsafeBufferPointer(embedding), scratch: distanceBuffer, into: neighbors)
        try publish(time: time)
    }

    /// Publishes again from the last picture's distances, as a new frame at `time`: for a picture
    /// that has not changed (a still), without embedding it again.
    ///
    /// - Parameter time: when the (same) picture was seen.
    /// - Throws: ``SynthError`` only if the corpus and synthesizer disagree (not after `init`).
    public func repeatLast(time: Double) throws {
        try publish(time: time)
    }

    /// Asks for a new mapping and smoothing from the next analysis on; any thread.
    ///
    /// - Parameters:
    ///   - mapping: the distance → probability map.
    ///   - smoothing: the smoothing time constant in seconds.
    /// - Throws: ``SynthError/invalidParameter(_:)`` for a bad setting (nothing changes).
    public func setListening(mapping: DistanceMapping, smoothing: Double) throws {
        try mapping.validate()
        try ProbabilityMap.validate(timeConstant: smoothing)
        pendingSettings.withLock { $0 = (mapping, smoothing) }
    }

    /// Takes new source weights and mutes (e.g. after `sources set`) into account from the next analysis.
    ///
    /// - Parameter bank: the synthesizer's bank with the new weights and mutes.
    public func updateSourceWeights(from bank: SoundBank) {
        map.updateWeights(from: bank)
    }

    /// Forgets the smoothing history: the next picture's distribution is taken as it is.
    public func reset() { map.reset() }

    /// The number of distributions published so far (the generation of the latest).
    public var publishedGeneration: UInt64 { generation }

    /// The last picture's distance to every corpus frame.
    public var distances: UnsafeBufferPointer<Float> { UnsafeBufferPointer(distanceBuffer) }

    /// The last picture's nearest corpus frames, nearest first.
    public var nearest: UnsafeBufferPointer<Neighbor> {
        UnsafeBufferPointer(rebasing: neighbors[0..<neighborsFound])
    }

    /// The last picture's ImageNet logits, when asked for at creation.
    public var logits: UnsafeBufferPointer<Float>? { logitBuffer.map { UnsafeBufferPointer($0) } }

    /// The distribution last published (smoothed), one probability per corpus frame.
    public var distribution: UnsafeBufferPointer<Double> { map.current }

    private func publish(time: Double) throws {
        if let settings = pendingSettings.withLock({ pending in
            defer { pending = nil }; return pending
        }) {
            map.mapping = settings.mapping
            map.timeConstant = settings.smoothing
        }
        let probabilities = map.update(distances: distances, time: time)
        generation += 1
        try synth.publish(probabilities, generation: generation, frameTime: time)
    }
}
