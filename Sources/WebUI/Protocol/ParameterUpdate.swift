/// A change to the live synthesis parameters; absent fields stay as they are.
///
/// Ranges follow what the sliders on the page offer; values outside them are refused rather than
/// clamped, since only a broken or hostile client sends them.
public struct ParameterUpdate: Codable, Equatable, Sendable {
    /// Grain onsets per second (paper: ~100).
    public var grainRate: Double?
    /// Shortest and longest grain, seconds (paper: 0.05–0.1).
    public var grainDuration: [Double]?
    /// Mapping temperature, relative to the spread of the distances.
    public var temperature: Double?
    /// Keep only the k nearest corpus frames (0: all).
    public var topK: Int?
    /// Time constant of the temporal smoothing of p(t), seconds (0: none).
    public var smoothing: Double?
    /// Master output gain, linear.
    public var volume: Double?
    /// Per-source gain and mute.
    public var sources: [SourceUpdate]?

    /// One source's mixer settings.
    public struct SourceUpdate: Codable, Equatable, Sendable {
        public var index: Int
        public var volume: Double?
        public var muted: Bool?

        public init(index: Int, volume: Double? = nil, muted: Bool? = nil) {
            self.index = index
            self.volume = volume
            self.muted = muted
        }
    }

    public init(
        grainRate: Double? = nil, grainDuration: [Double]? = nil, temperature: Double? = nil,
        topK: Int? = nil, smoothing: Double? = nil, volume: Double? = nil, sources: [SourceUpdate]? = nil
    ) {
        self.grainRate = grainRate
        self.grainDuration = grainDuration
        self.temperature = temperature
        self.topK = topK
        self.smoothing = smoothing
        self.volume = volume
        self.sources = sources
    }

    /// Accepted ranges, shared with the page's sliders (the page reads them from the welcome message).
    public static let grainRateRange = 1.0...1000.0
    public static let grainDurationRange = 0.005...1.0
    public static let temperatureRange = 0.01...100.0
    public static let topKRange = 0...100_000
    public static let smoothingRange = 0.0...10.0
    public static let volumeRange = 0.0...4.0
    public static let maximumSourceUpdates = 1024

    /// Checks every present field.
    ///
    /// - Throws: `ProtocolViolation.malformed` naming the first field out of range.
    public func validate() throws(ProtocolViolation) {
        try check("grainRate", grainRate, in: Self.grainRateRange)
        if let grainDuration {
            guard grainDuration.count == 2 else {
                throw .malformed("\"grainDuration\" must be [shortest, longest] in seconds")
            }
            try check("grainDuration", grainDuration[0], in: Self.grainDurationRange)
            try check("grainDuration", grainDuration[1], in: Self.grainDurationRange)
            guard grainDuration[0] <= grainDuration[1] else {
                throw .malformed("\"grainDuration\": the shortest grain is longer than the longest")
            }
        }
        try check("temperature", temperature, in: Self.temperatureRange)
        if let topK, !Self.topKRange.contains(topK) {
            throw .malformed("\"topK\" must be within \(Self.topKRange)")
        }
        try check("smoothing", smoothing, in: Self.smoothingRange)
        try check("volume", volume, in: Self.volumeRange)
        if let sources {
            guard sources.count <= Self.maximumSourceUpdates else {
                throw .malformed("\"sources\" lists more than \(Self.maximumSourceUpdates) entries")
            }
            for source in sources {
                guard source.index >= 0 else { throw .malformed("\"sources\": negative source index") }
                try check("sources.volume", source.volume, in: Self.volumeRange)
            }
        }
    }

    private func check(_ name: String, _ value: Double?, in range: ClosedRange<Double>)
        throws(ProtocolViolation)
    {
        guard let value else { return }
        guard value.isFinite, range.contains(value) else {
            throw .malformed("\"\(name)\" must be a number within \(range.lowerBound)…\(range.upperBound)")
        }
    }
}
