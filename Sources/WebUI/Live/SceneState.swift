/// The inside view at one moment, sent to every page several times a second as a `state` message.
///
/// p(t) is drawn for a few sources only, whatever the corpus holds: the sources that hold the mass
/// now (`ProminentSources`) and those the viewer pinned, as `lanes`; the rest is summed into
/// `others` (how many, how much mass) and a strip of the whole corpus (`archive`: mass per bucket
/// of consecutive sources). So a message stays a few kilobytes, and its encoding a fixed cost, for
/// 8 sources or 5 000.
///
/// On the wire each lane's curve holds integers 0…1000 relative to the largest bin of the lanes
/// sent (`laneMax`), and the archive integers 0…1000 relative to its largest bucket (`archiveMax`),
/// so twenty viewers at 15 Hz cost little.
public struct SceneState: Encodable, Equatable, Sendable {
    /// The engine's count of frames it has embedded (nil before the first).
    public var frame: UInt64?
    /// The camera client's own sequence number and capture time of that frame, echoed for its display.
    public var frameSequence: UInt32?
    public var captureTime: Double?
    /// Milliseconds from that frame's arrival until its p(t) reached the audio thread.
    public var visionMilliseconds: Double?
    /// Seconds since the last cut the engine detected in the camera's pictures (its evidence
    /// restarted there); nil before any.
    public var secondsSinceCut: Double?
    /// The nearest corpus frames, nearest first.
    public var nearest: [NearestFrame]
    /// The sources drawn as rows, pinned ones first: p(t) resampled to a few hundred bins over each
    /// one's duration; each lane sums to its source's share of the mass, so the lanes compare.
    public var lanes: [Lane]
    /// Lanes of sources some viewer pinned that are not in `lanes`; `viewed(pinning:)` moves a
    /// viewer's own into `lanes`. Never sent.
    public var pinnable: [Lane]
    /// Sources in the corpus.
    public var sourceCount: Int
    /// The mass over every source (1 once a frame has been analysed, 0 before).
    public var totalMass: Float
    /// p(t) mass per bucket of consecutive sources, the whole corpus in order: source `s` of `S`
    /// is in bucket `⌊s·B/S⌋` of `B`, one source per bucket up to `B` sources.
    public var archive: [Float]
    /// Grains started since the previous state.
    public var grains: [Grain]
    /// Top ImageNet labels of the camera frame, most likely first.
    public var labels: [Label]
    /// Output level.
    public var level: Level
    /// Buffers the sound device had to play without fresh audio since the server started.
    public var underruns: Int
    /// Whether a camera is sending frames now.
    public var cameraActive: Bool
    /// Session recording: nil when the server cannot record (started without `--record`).
    public var recording: RecordingStatus?

    private enum CodingKeys: String, CodingKey {
        case frame, frameSequence, captureTime, visionMilliseconds, secondsSinceCut, nearest, lanes, laneMax,
            others, sourceCount, archive, archiveMax, grains
        case labels, level, underruns, cameraActive, recording
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(frame, forKey: .frame)
        try container.encodeIfPresent(frameSequence, forKey: .frameSequence)
        try container.encodeIfPresent(captureTime, forKey: .captureTime)
        try container.encodeIfPresent(visionMilliseconds, forKey: .visionMilliseconds)
        try container.encodeIfPresent(secondsSinceCut, forKey: .secondsSinceCut)
        try container.encode(nearest, forKey: .nearest)
        let laneMax = lanes.lazy.flatMap(\.curve).filter(\.isFinite).max() ?? 0
        try container.encode(
            lanes.map { WireLane($0, maximum: laneMax) }, forKey: .lanes)
        try container.encode(laneMax, forKey: .laneMax)
        let shown = lanes.reduce(Float(0)) { $0 + ($1.mass.isFinite ? $1.mass : 0) }
        try container.encode(
            Others(count: max(0, sourceCount - lanes.count), mass: max(0, totalMass - shown)), forKey: .others
        )
        try container.encode(sourceCount, forKey: .sourceCount)
        let archiveMax = archive.lazy.filter(\.isFinite).max() ?? 0
        try container.encode(Self.quantised(archive, maximum: archiveMax), forKey: .archive)
        try container.encode(archiveMax, forKey: .archiveMax)
        try container.encode(grains, forKey: .grains)
        try container.encode(labels, forKey: .labels)
        try container.encode(level, forKey: .level)
        try container.encode(underruns, forKey: .underruns)
        try container.encode(cameraActive, forKey: .cameraActive)
        try container.encodeIfPresent(recording, forKey: .recording)
    }

    /// Values as integers 0…1000 of `maximum` (non-finite ones as 0).
    fileprivate static func quantised(_ values: [Float], maximum: Float) -> [Int] {
        let scale = maximum > 0 ? 1000 / maximum : 0
        return values.map { $0.isFinite ? Int(($0 * scale).rounded()) : 0 }
    }

    /// The state as one viewer sees it: the lanes of the sources it pinned first (in its order),
    /// then the sources that hold the mass, each source once.
    ///
    /// - Parameter pinned: the viewer's pinned sources.
    /// - Returns: the state to send it.
    public func viewed(pinning pinned: [Int]) -> SceneState {
        var view = self
        view.pinnable = []
        guard !pinned.isEmpty else { return view }
        var front: [Lane] = []
        for source in pinned where !front.contains(where: { $0.source == source }) {
            guard
                var lane = lanes.first(where: { $0.source == source })
                    ?? pinnable.first(where: { $0.source == source })
            else { continue }
            lane.pinned = true
            front.append(lane)
        }
        view.lanes = front + lanes.filter { lane in !front.contains { $0.source == lane.source } }
        return view
    }

    /// One source drawn as a row.
    public struct Lane: Equatable, Sendable {
        public var source: Int
        /// Its share of the p(t) mass (the sum of `curve`).
        public var mass: Float
        /// p(t) over its duration, in equal bins.
        public var curve: [Float]
        /// Whether the viewer pinned it (it is drawn whatever its mass).
        public var pinned: Bool

        public init(source: Int, mass: Float, curve: [Float], pinned: Bool = false) {
            self.source = source
            self.mass = mass
            self.curve = curve
            self.pinned = pinned
        }
    }

    /// A lane as sent: its curve quantised against the largest bin of the lanes sent.
    private struct WireLane: Encodable {
        var source: Int
        var mass: Float
        var pinned: Bool
        var curve: [Int]

        init(_ lane: Lane, maximum: Float) {
            source = lane.source
            mass = lane.mass.isFinite ? lane.mass : 0
            pinned = lane.pinned
            curve = SceneState.quantised(lane.curve, maximum: maximum)
        }
    }

    /// The sources not drawn as rows: how many, and how much of the mass they hold.
    private struct Others: Encodable {
        var count: Int
        var mass: Float
    }

    public struct NearestFrame: Codable, Equatable, Sendable {
        /// Corpus frame index (its thumbnail is `/corpus/frames/<index>.jpg`).
        public var index: Int
        public var source: Int
        /// Seconds into the source.
        public var time: Double
        /// Distance in the similarity measure's space (see `LiveSnapshot.Neighbour`).
        public var distance: Float
        /// Whether the frame is a picture taught as an example of the source (`scenophone teach`).
        public var example: Bool

        public init(index: Int, source: Int, time: Double, distance: Float, example: Bool = false) {
            self.index = index
            self.source = source
            self.time = time
            self.distance = distance
            self.example = example
        }
    }

    public struct Grain: Codable, Equatable, Sendable {
        public var source: Int
        /// Seconds into the source where the grain reads.
        public var time: Double
        public var duration: Double
        public var gain: Float
        /// −1 (left) … 1 (right).
        public var pan: Float

        public init(source: Int, time: Double, duration: Double, gain: Float, pan: Float) {
            self.source = source
            self.time = time
            self.duration = duration
            self.gain = gain
            self.pan = pan
        }
    }

    public struct Label: Codable, Equatable, Sendable {
        public var name: String
        public var probability: Float

        public init(name: String, probability: Float) {
            self.name = name
            self.probability = probability
        }
    }

    public struct Level: Codable, Equatable, Sendable {
        /// Peak and RMS of the last block, linear full scale.
        public var peak: Float
        public var rms: Float

        public init(peak: Float, rms: Float) {
            self.peak = peak
            self.rms = rms
        }
    }

    public init(
        frame: UInt64? = nil, frameSequence: UInt32? = nil, captureTime: Double? = nil,
        visionMilliseconds: Double? = nil, secondsSinceCut: Double? = nil, nearest: [NearestFrame] = [],
        lanes: [Lane] = [], pinnable: [Lane] = [], sourceCount: Int = 0, totalMass: Float = 0,
        archive: [Float] = [],
        grains: [Grain] = [], labels: [Label] = [], level: Level = Level(peak: 0, rms: 0), underruns: Int = 0,
        cameraActive: Bool = false
    ) {
        self.frame = frame
        self.frameSequence = frameSequence
        self.captureTime = captureTime
        self.visionMilliseconds = visionMilliseconds
        self.secondsSinceCut = secondsSinceCut
        self.nearest = nearest
        self.lanes = lanes
        self.pinnable = pinnable
        self.sourceCount = sourceCount
        self.totalMass = totalMass
        self.archive = archive
        self.grains = grains
        self.labels = labels
        self.level = level
        self.underruns = underruns
        self.cameraActive = cameraActive
    }
}
