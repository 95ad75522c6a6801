/// The inside view at one moment, sent to every page several times a second as a `state` message.
///
/// On the wire p(t) is sent compactly: `distribution` holds integers 0…1000 relative to the largest
/// bin of all sources, and `distributionMax` that bin's value, so twenty viewers at 15 Hz cost little.
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
    /// p(t) per source, resampled to a few hundred bins over its duration; each sums to the source's
    /// share of the mass, so the lanes compare.
    public var distribution: [[Float]]
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
        case frame, frameSequence, captureTime, visionMilliseconds, secondsSinceCut, nearest, distribution,
            distributionMax, grains
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
        let maximum = distribution.lazy.flatMap { $0 }.filter(\.isFinite).max() ?? 0
        let scale = maximum > 0 ? 1000 / maximum : 0
        try container.encode(
            distribution.map { lane in lane.map { $0.isFinite ? Int(($0 * scale).rounded()) : 0 } },
            forKey: .distribution)
        try container.encode(maximum, forKey: .distributionMax)
        try container.encode(grains, forKey: .grains)
        try container.encode(labels, forKey: .labels)
        try container.encode(level, forKey: .level)
        try container.encode(underruns, forKey: .underruns)
        try container.encode(cameraActive, forKey: .cameraActive)
        try container.encodeIfPresent(recording, forKey: .recording)
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
        distribution: [[Float]] = [],
        grains: [Grain] = [], labels: [Label] = [], level: Level = Level(peak: 0, rms: 0), underruns: Int = 0,
        cameraActive: Bool = false
    ) {
        self.frame = frame
        self.frameSequence = frameSequence
        self.captureTime = captureTime
        self.visionMilliseconds = visionMilliseconds
        self.secondsSinceCut = secondsSinceCut
        self.nearest = nearest
        self.distribution = distribution
        self.grains = grains
        self.labels = labels
        self.level = level
        self.underruns = underruns
        self.cameraActive = cameraActive
    }
}
