/// Every live parameter's current value, sent to each page so its controls show what is in force.
public struct ParameterSettings: Codable, Equatable, Sendable {
    public var grainRate: Double
    public var grainDuration: [Double]
    public var temperature: Double
    public var topK: Int
    public var smoothing: Double
    public var volume: Double
    public var sources: [Source]

    /// One source's mixer settings.
    public struct Source: Codable, Equatable, Sendable {
        public var volume: Double
        public var muted: Bool

        public init(volume: Double, muted: Bool) {
            self.volume = volume
            self.muted = muted
        }
    }

    public init(
        grainRate: Double, grainDuration: [Double], temperature: Double, topK: Int, smoothing: Double,
        volume: Double, sources: [Source]
    ) {
        self.grainRate = grainRate
        self.grainDuration = grainDuration
        self.temperature = temperature
        self.topK = topK
        self.smoothing = smoothing
        self.volume = volume
        self.sources = sources
    }
}
