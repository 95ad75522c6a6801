import Corpus
import Synchronization
import Synth
import Vision

/// The vision side of the engine, the one pipeline behind both the offline renderer and the live
/// loop: a picture → its embedding → the similarity measure's space → the evidence of the current
/// shot (restarted at each cut the ``CutDetector`` finds) → distances to the corpus frames (exact
/// wherever the mapping can use them; see `NearestFrameSearch`) → the smoothed distribution p(t) → an
/// alias table published to the synthesizer.
///
/// Everything is allocated once; ``analyze(rgb:width:height:time:generation:)`` and
/// ``republish(time:generation:)`` allocate nothing beyond what the network does. Not
/// thread-safe: one vision thread analyses, publishes and resets;
/// ``setListening(mapping:smoothing:evidence:)`` and ``setSourceVolumes(_:)`` alone may be called
/// from any thread (they take effect at the next publication).
public final class SceneAnalyzer {
    /// The corpus the pictures are compared with.
    public let corpus: Corpus
    /// The synthesizer the distributions are published to.
    public let synth: GranularSynth
    /// How many nearest frames ``nearest`` keeps.
    public let neighborCount: Int
    private let network: EfficientNetLite
    private let search: NearestFrameSearch
    private let map: ProbabilityMap
    private let embedding: UnsafeMutableBufferPointer<Float>
    /// The last picture in the measure's space.
    private let query: UnsafeMutableBufferPointer<Float>
    private var evidence: SceneEvidence
    private var cuts: CutDetector
    /// The time (as given to `analyze`) of the last picture the cut detector found starting a new
    /// shot; nil before any cut.
    public private(set) var lastCutTime: Double?
    /// The number of cuts detected since the analyser was made.
    public private(set) var cutCount = 0
    private let logitBuffer: UnsafeMutableBufferPointer<Float>?
    private let distanceBuffer: UnsafeMutableBufferPointer<Float>
    private let workspace: SearchWorkspace
    /// The RMS distance from the last picture to every frame (the map's scale).
    private var scale = 0.0
    /// Whether the distances were searched with the mapping and source weights now in force (they
    /// are exact only within that mapping's cutoff, and the cutoff follows the nearest playable frame).
    private var distancesCurrent = false
    private let neighbors: UnsafeMutableBufferPointer<Neighbor>
    private var neighborsFound = 0
    private var hasDistances = false
    private let pending = Mutex(PendingChanges())
    private let passes = Atomic<Int>(0)

    /// Settings asked for from another thread, waiting for the next publication.
    private struct PendingChanges {
        var listening: (mapping: DistanceMapping, smoothing: Double, evidence: Double?)?
        /// The synth's bank with the silenced sources muted, for the frames' time weights.
        var audibleBank: SoundBank?
    }

    /// Prepares the analysis of pictures against a corpus.
    ///
    /// - Parameters:
    ///   - corpus: the corpus; its embeddings must come from `network`'s model.
    ///   - network: the embedding network, used by this analyser only from now on.
    ///   - synth: the synthesizer playing `corpus`'s audio (a bank made from the same corpus, whose
    ///     source weights and mutes p(t) follows).
    ///   - mapping: the distance → probability map.
    ///   - smoothing: the time constant of the temporal smoothing, in seconds.
    ///   - similarity: how pictures are compared with the corpus frames.
    ///   - evidence: the time constant, in seconds, over which the similarity of the current shot's
    ///     pictures accumulates (0: each picture alone).
    ///   - neighborCount: how many nearest frames to keep for display.
    ///   - computeLogits: also compute the 1000 ImageNet logits of every picture (for labels).
    /// - Throws: `EngineError.modelMismatch` when the corpus was built with another model,
    ///   `EngineError.bankMismatch` when the synth's bank has another number of frames,
    ///   ``SynthError`` for bad settings.
    public init(
        corpus: Corpus, network: EfficientNetLite, synth: GranularSynth,
        mapping: DistanceMapping = DistanceMapping(), smoothing: Double = 0.1,
        similarity: SimilarityMeasure = .standard, evidence: Double = SceneAnalyzer.standardEvidence,
        neighborCount: Int = 8, computeLogits: Bool = false
    ) throws {
        try SceneEvidence.validate(timeConstant: evidence)
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
        search = NearestFrameSearch(corpus: corpus, measure: similarity)
        map = try ProbabilityMap(bank: synth.bank, mapping: mapping, timeConstant: smoothing)
        embedding = .allocate(capacity: corpus.embeddingSize)
        embedding.initialize(repeating: 0)
        query = .allocate(capacity: corpus.embeddingSize)
        query.initialize(repeating: 0)
        self.evidence = SceneEvidence(dimension: corpus.embeddingSize, timeConstant: evidence)
        cuts = CutDetector(dimension: corpus.embeddingSize)
        logitBuffer = computeLogits ? .allocate(capacity: EfficientNetLite.classCount) : nil
        logitBuffer?.initialize(repeating: 0)
        distanceBuffer = .allocate(capacity: corpus.frameCount)
        distanceBuffer.initialize(repeating: 0)
        workspace = search.makeWorkspace()
        neighbors = .allocate(capacity: self.neighborCount)
        neighbors.initialize(repeating: Neighbor(frame: 0, distance: 0))
    }

    deinit {
        embedding.deallocate()
        query.deallocate()
        logitBuffer?.deallocate()
        distanceBuffer.deallocate()
        neighbors.deallocate()
    }

    /// The evidence time constant used unless told otherwise, in seconds (see `docs/synthesis.md`).
    public static let standardEvidence = 1.0

    /// The similarity measure pictures are compared with.
    public var similarity: SimilarityMeasure { search.measure }

    /// Analyses a picture and publishes the new distribution to the synthesizer.
    ///
    /// The picture's similarity to every corpus frame joins the evidence of its shot, unless it is
    /// a cut (or the first picture, or earlier than the last one), which starts a new shot. When the
    /// picture cannot be embedded nothing changes: the last distances stay current.
    ///
    /// - Parameters:
    ///   - rgb: `width × height × 3` bytes, row-major RGB24.
    ///   - width: picture columns.
    ///   - height: picture rows.
    ///   - time: when the picture was seen, in seconds on a steady clock (live) or the input's
    ///     timeline (offline); drives the smoothing and is published as the distribution's frame time.
    ///   - generation: the number the distribution carries to the grains drawn from it; larger
    ///     than any published before.
    /// - Throws: `VisionError` for an empty or malformed picture.
    public func analyze(
        rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int, time: Double, generation: UInt64
    ) throws {
        try network.embed(rgb: rgb, width: width, height: height, into: embedding, logits: logitBuffer)
        let cut = cuts.observe(UnsafeBufferPointer(embedding))
        if cut {
            lastCutTime = time
            cutCount += 1
        }
        search.transform(UnsafeBufferPointer(embedding), into: query)
        evidence.add(UnsafeBufferPointer(query), at: time, newShot: cut)
        distancesCurrent = false
        hasDistances = true
        try publish(time: time, generation: generation)
    }

    /// Publishes again from the last picture's distances, without embedding it again, with the
    /// mapping, smoothing and source volumes now in force: for a still that has not changed, or a
    /// control that moved (call ``reset()`` first to make the change heard at once).
    ///
    /// - Parameters:
    ///   - time: when the (same) picture was seen, as for `analyze`.
    ///   - generation: the number the distribution carries, larger than any published before.
    /// - Returns: `false`, publishing nothing, when no picture has been analysed yet.
    /// - Throws: ``SynthError`` only if the corpus and synthesizer disagree (not after `init`).
    @discardableResult
    public func republish(time: Double, generation: UInt64) throws -> Bool {
        guard hasDistances else { return false }
        try publish(time: time, generation: generation)
        return true
    }

    /// Asks for a new mapping, smoothing and evidence from the next publication on; any thread.
    ///
    /// - Parameters:
    ///   - mapping: the distance → probability map.
    ///   - smoothing: the smoothing time constant in seconds.
    ///   - evidence: the evidence time constant in seconds (nil: keep it); it weighs the pictures
    ///     still to come.
    /// - Throws: ``SynthError/invalidParameter(_:)`` for a bad setting (nothing changes).
    public func setListening(mapping: DistanceMapping, smoothing: Double, evidence: Double? = nil) throws {
        try mapping.validate()
        try ProbabilityMap.validate(timeConstant: smoothing)
        if let evidence { try SceneEvidence.validate(timeConstant: evidence) }
        pending.withLock { $0.listening = (mapping, smoothing, evidence) }
    }

    /// Gives no probability to the sources at volume 0 from the next publication on, so that no
    /// grain is spent on a source nobody can hear; any thread.
    ///
    /// The corpus's own source weights and mutes apply as well.
    ///
    /// - Parameter volumes: per source its volume (as `GrainParameters.sourceVolumes`); empty: all heard.
    /// - Throws: ``SynthError/invalidParameter(_:)`` when the count is not the number of sources.
    public func setSourceVolumes(_ volumes: [Float]) throws {
        let sources = synth.bank.sources
        guard volumes.isEmpty || volumes.count == sources.count else {
            throw SynthError.invalidParameter("\(volumes.count) source volumes for \(sources.count) sources")
        }
        let silenced = volumes.isEmpty ? sources.map { _ in false } : volumes.map { $0 == 0 }
        let audible = try synth.bank.with(
            weights: sources.map(\.weight),
            muted: zip(sources, silenced).map { source, silenced in source.muted || silenced })
        pending.withLock { $0.audibleBank = audible }
    }

    /// Distance passes made so far: one per analysed picture, and one per republication after the
    /// mapping or the source weights changed. Any thread.
    public var distancePassCount: Int { passes.load(ordering: .relaxed) }

    /// Forgets the smoothing history: the next distribution is taken as it is.
    public func reset() { map.reset() }

    /// Makes the next picture start a new shot, as after a cut (e.g. when the camera comes back
    /// after a silence): its evidence starts afresh, and it is not compared with the last picture.
    public func startNewShot() {
        evidence.restart()
        cuts.reset()
    }

    /// The distance from the current shot's evidence (the last picture's alone with evidence 0), in
    /// the measure's space, to every corpus frame: exact within the mapping's cutoff, `+∞`
    /// for frames proven beyond it (they get only the floor share of p(t)); ``nearest`` holds the
    /// nearest frames with exact distances.
    public var distances: UnsafeBufferPointer<Float> { UnsafeBufferPointer(distanceBuffer) }

    /// The last picture's nearest corpus frames, nearest first.
    public var nearest: UnsafeBufferPointer<Neighbor> {
        UnsafeBufferPointer(rebasing: neighbors[0..<neighborsFound])
    }

    /// The last picture's ImageNet logits, when asked for at creation.
    public var logits: UnsafeBufferPointer<Float>? { logitBuffer.map { UnsafeBufferPointer($0) } }

    /// The distribution last published (smoothed), one probability per corpus frame: O(frames),
    /// valid until the next publication or read.
    public var distribution: UnsafeBufferPointer<Double> { map.probabilities }

    /// The distribution last published (smoothed), as the frames near the picture and a background
    /// share: what a consumer that runs every picture should read on a large corpus.
    public var sparseDistribution: SparseDistribution { map.current }

    private func publish(time: Double, generation: UInt64) throws {
        let changes = pending.withLock { pending in
            defer { pending = PendingChanges() }
            return pending
        }
        if let listening = changes.listening {
            // The search's cutoff follows the mapping: only a new mapping needs a new pass, not a
            // new smoothing.
            if map.mapping != listening.mapping { distancesCurrent = false }
            map.mapping = listening.mapping
            map.timeConstant = listening.smoothing
            // The query does not change with the evidence's time constant: it weighs the pictures
            // still to come, so no new pass either.
            if let timeConstant = listening.evidence { evidence.timeConstant = timeConstant }
        }
        if let audibleBank = changes.audibleBank {
            map.updateWeights(from: audibleBank)
            distancesCurrent = false
        }
        if !distancesCurrent {
            // Exact distances only where the mapping can use them (see NearestFrameSearch).
            let pass = search.distances(
                to: evidence.current, cutoff: map.likenessCutoff, eligible: map.timeWeights,
                workspace: workspace, into: distanceBuffer, nearest: neighbors)
            neighborsFound = pass.neighborCount
            scale = pass.scale
            distancesCurrent = true
            passes.wrappingAdd(1, ordering: .relaxed)
        }
        let distribution = map.update(distances: distances, scale: scale, time: time)
        try synth.publish(distribution, generation: generation, frameTime: time)
    }
}
