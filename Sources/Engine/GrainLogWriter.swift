import Foundation
import Synth

/// Writes every grain of a render to a CSV file: one row per grain with its output time, source,
/// source time, duration, gain, pan, playback rate, corpus frame and distribution generation.
///
/// Times are in seconds. The file appears under its name only when ``finish()`` succeeds.
public final class GrainLogWriter {
    /// The header row.
    public static let header =
        "output_time,source,source_name,source_time,duration,gain,pan,rate,frame,generation"

    /// The final file.
    public let url: URL
    private let temporaryURL: URL
    private let handle: FileHandle
    private let sampleRate: Double
    private let names: [String]
    private var text = ""

    /// Starts a log.
    ///
    /// - Parameters:
    ///   - url: the CSV file to create (replaced if it exists).
    ///   - bank: the synthesizer's bank, for source names and the sample rate.
    /// - Throws: `EngineError.invalidOutput` when the file cannot be created.
    public init(url: URL, bank: SoundBank) throws {
        self.url = url
        temporaryURL = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).partial-\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: temporaryURL.path, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporaryURL.path)
        else {
            throw EngineError.invalidOutput(url, "cannot create the grain log (is the folder writable?)")
        }
        self.handle = handle
        sampleRate = Double(bank.sampleRate)
        names = bank.sources.map { Self.quoted($0.name) }
        text = Self.header + "\n"
    }

    /// Appends one grain.
    ///
    /// - Parameter event: the grain.
    /// - Throws: `EngineError.invalidOutput` when the disk write fails.
    public func write(_ event: GrainEvent) throws {
        let source = Int(event.source)
        let seconds = { (frames: Int64) in String(format: "%.6f", Double(frames) / self.sampleRate) }
        text += seconds(event.outputFrame) + ",\(source),\(names[source])," + seconds(event.sourceFrame) + ","
        text +=
            seconds(Int64(event.length))
            + String(format: ",%.6g,%.4f,%.6f,", event.gain, event.pan, event.rate)
        text += "\(event.frame),\(event.generation)\n"
        if text.utf8.count >= 1 << 16 { try flush() }
    }

    /// Flushes and moves the log to its name.
    ///
    /// - Throws: `EngineError.invalidOutput` when a write or the rename fails (nothing is left behind).
    public func finish() throws {
        do {
            try flush()
            try handle.close()
            guard rename(temporaryURL.path, url.path) == 0 else {
                throw EngineError.invalidOutput(url, "cannot move the grain log into place")
            }
        } catch {
            abandon()
            throw error
        }
    }

    /// Gives up: removes the partial file.
    public func abandon() {
        try? handle.close()
        unlink(temporaryURL.path)
    }

    private func flush() throws {
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw EngineError.invalidOutput(url, "cannot write the grain log: \(error.localizedDescription)")
        }
        text = ""
    }

    /// A CSV field: quoted when it holds a comma, a quote or a line break.
    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
