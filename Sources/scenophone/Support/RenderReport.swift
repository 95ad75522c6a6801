import Engine
import Foundation

/// What `render` prints when it is done: as text, or as JSON for scripts.
struct RenderReport: Codable {
    var output: String
    var grainLog: String?
    var seed: UInt64
    var channels: Int
    var sampleRate: Int
    var summary: RenderSummary
    /// Wall-clock seconds for the whole command.
    var seconds: Double

    /// The largest sample in dBFS.
    var peakDecibels: Double { 20 * log10(max(Double(summary.peak), 1e-12)) }

    var text: String {
        var lines = [
            String(
                format:
                    "rendered %.1f s (%@, %d Hz) in %.1f s (%.0f× real time): %d grains from %d vision frames",
                summary.duration, channels == 2 ? "stereo" : "mono", sampleRate, seconds,
                summary.duration / max(seconds, 1e-9), summary.grains, summary.visionFrames),
            String(
                format: "peak %.1f dBFS, seed %llu (pass --seed %llu to get the same bytes)", peakDecibels,
                seed, seed),
            "wrote \(output)",
        ]
        if let grainLog { lines.append("grain log \(grainLog)") }
        return lines.joined(separator: "\n")
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
