import Foundation
import MediaIO

/// A session directory written by `SessionRecorder`, read back the way a user's tools would:
/// ffprobe for the videos, ffmpeg to decode both soundtracks, the CSV and JSON lines as text.
public struct RecordedSession {
    /// The session directory.
    public var directory: URL
    /// `session.mp4` as ffprobe sees it.
    public var movie: MediaInfo
    /// `camera.mp4` as ffprobe sees it.
    public var camera: MediaInfo
    /// Seconds of sound in `soundscape.wav`.
    public var soundSeconds: Double
    /// Whether the MP4's audio decodes to exactly the samples of `soundscape.wav`.
    public var movieAudioEqualsSoundscape: Bool
    /// Bytes of 16-bit PCM decoded from the soundscape (0: silent file or none).
    public var soundscapeBytes: Int
    /// Peak absolute 16-bit sample of the soundscape: it is not silence.
    public var soundscapePeak: Int
    /// The grain log's rows (header excluded), split into fields.
    public var grains: [[String]]
    /// The parameter changes, each a JSON object with `time` and `parameters`.
    public var parameterChanges: [[String: Any]]
    /// `session.json`.
    public var summary: [String: String]

    /// Reads a session directory.
    ///
    /// - Parameter directory: the session.
    /// - Throws: when a file is missing or ffmpeg cannot decode it.
    public init(_ directory: URL) throws {
        self.directory = directory
        let file = { (name: String) in directory.appendingPathComponent(name) }
        movie = try MediaProbe.probe(file("session.mp4"))
        camera = try MediaProbe.probe(file("camera.mp4"))
        let wavPCM = try Self.decodePCM(file("soundscape.wav"))
        let moviePCM = try Self.decodePCM(file("session.mp4"))
        let wavInfo = try MediaProbe.probe(file("soundscape.wav"))
        let channels = wavInfo.audio?.channels ?? 2
        soundSeconds = Double(wavPCM.count / 2 / channels) / Double(wavInfo.audio?.sampleRate ?? 48_000)
        movieAudioEqualsSoundscape = wavPCM == moviePCM
        soundscapeBytes = wavPCM.count
        soundscapePeak = wavPCM.withUnsafeBytes { raw in
            raw.bindMemory(to: Int16.self).reduce(0) { max($0, abs(Int($1))) }
        }
        let csv = try String(contentsOf: file("grains.csv"), encoding: .utf8)
        grains = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        let lines = try String(contentsOf: file("parameters.jsonl"), encoding: .utf8).split(separator: "\n")
        parameterChanges = try lines.map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: file("session.json")))
            as? [String: String]
            ?? [:]
    }

    /// The first audio stream of a file decoded by ffmpeg to 16-bit little-endian PCM.
    private static func decodePCM(_ url: URL) throws -> Data {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scenophone-pcm-\(UInt32.random(in: 0...UInt32.max)).raw")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try run(
            "ffmpeg",
            ["-nostdin", "-v", "error", "-y", "-i", url.path, "-map", "0:a:0", "-f", "s16le", output.path])
        guard result.status == 0 else {
            throw FixtureError("ffmpeg could not decode \(url.path): \(result.standardError)")
        }
        return try Data(contentsOf: output)
    }
}
