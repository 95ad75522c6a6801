/// A change to some sound parameters and source mixer settings; what is absent stays as it is.
///
/// Every way of changing the sound produces one: the page's `parameters` message, an OSC message,
/// a preset, the command line. ``SoundSettings/applying(_:)`` is the one place it is checked.
public struct SoundChange: Sendable, Equatable {
    /// New values by parameter name (a choice's value is the index of its option).
    public var values: [String: Double]
    /// New mixer settings of some sources.
    public var sources: [SourceChange]

    /// One source's new volume or mute.
    public struct SourceChange: Sendable, Equatable, Codable {
        /// The source's index in the corpus.
        public var index: Int
        /// Its linear volume (1: as recorded).
        public var volume: Double?
        /// Whether it is silenced (its volume is kept for unmuting).
        public var muted: Bool?

        /// Creates a source change.
        ///
        /// - Parameters:
        ///   - index: the source.
        ///   - volume: its new volume, or nil.
        ///   - muted: its new mute, or nil.
        public init(index: Int, volume: Double? = nil, muted: Bool? = nil) {
            self.index = index
            self.volume = volume
            self.muted = muted
        }
    }

    /// Creates a change.
    ///
    /// - Parameters:
    ///   - values: new values by parameter name.
    ///   - sources: new source mixer settings.
    public init(_ values: [String: Double] = [:], sources: [SourceChange] = []) {
        self.values = values
        self.sources = sources
    }

    /// The most sources one change may name (a page sends one or two at a time).
    public static let maximumSourceChanges = 1024

    /// Reads a change from a JSON object: parameter names as keys (a number, or for a choice its
    /// name or index) and an optional `sources` array of `{"index", "volume", "muted"}`.
    ///
    /// - Parameters:
    ///   - object: the JSON object.
    ///   - ignoring: keys that belong to the envelope (e.g. `type`), skipped.
    /// - Returns: the change; values are checked against their ranges here.
    /// - Throws: ``SoundModelError`` naming the first unknown key or bad value.
    public static func parse(_ object: [String: JSONValue], ignoring: Set<String> = [])
        throws(SoundModelError)
        -> SoundChange
    {
        var change = SoundChange()
        for key in object.keys.sorted() where !ignoring.contains(key) {
            let value = object[key]!
            if key == "sources" {
                change.sources = try parseSources(value)
            } else {
                let parameter = try SoundModel.parameter(named: key)
                change.values[key] = try parse(value, for: parameter)
            }
        }
        return change
    }

    /// A JSON value as a parameter's value: a number, or a choice's name.
    ///
    /// - Parameters:
    ///   - value: the JSON value.
    ///   - parameter: the parameter it is for.
    /// - Returns: the value, in range.
    /// - Throws: ``SoundModelError`` naming the parameter.
    public static func parse(_ value: JSONValue, for parameter: SoundParameter) throws(SoundModelError)
        -> Double
    {
        switch value {
        case .string(let text):
            return try parameter.value(parsing: text)
        case .number(let number):
            try parameter.check(number)
            return number
        default:
            throw .invalidValue(
                parameter: parameter.name, text: value.summary, expected: parameter.rangeDescription)
        }
    }

    private static func parseSources(_ value: JSONValue) throws(SoundModelError) -> [SourceChange] {
        guard case .array(let entries) = value, entries.count <= maximumSourceChanges else {
            throw .invalidValue(
                parameter: "sources", text: value.summary,
                expected: "an array of at most \(maximumSourceChanges) {\"index\", \"volume\", \"muted\"}")
        }
        return try entries.map { (entry) throws(SoundModelError) -> SourceChange in
            guard case .object(let fields) = entry, case .number(let number) = fields["index"],
                let index = Int(exactly: number), index >= 0
            else {
                throw .invalidValue(
                    parameter: "sources", text: entry.summary, expected: "{\"index\": a source number ≥ 0, …}"
                )
            }
            var change = SourceChange(index: index)
            for (key, value) in fields where key != "index" {
                switch (key, value) {
                case ("volume", .number(let volume)):
                    guard SoundModel.sourceVolumeRange.contains(volume) else {
                        throw .outOfRange(
                            parameter: "sources.volume", value: volume,
                            description: SoundModel.sourceVolumeDescription)
                    }
                    change.volume = volume
                case ("muted", .bool(let muted)):
                    change.muted = muted
                case ("volume", _):
                    throw .invalidValue(
                        parameter: "sources.volume", text: value.summary,
                        expected: SoundModel.sourceVolumeDescription)
                case ("muted", _):
                    throw .invalidValue(
                        parameter: "sources.muted", text: value.summary, expected: "true or false")
                default:
                    throw .unknownParameter("sources.\(key)")
                }
            }
            return change
        }
    }
}
