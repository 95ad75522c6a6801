import AudioOutput
import Engine
import Foundation

/// What `scenophone live` prints when it ends (as text, or JSON with `--json`).
struct LiveReport: Codable {
    var sink: String
    var format: String
    var realtimeScheduling: Bool
    var seconds: Double
    var outputSeconds: Double
    var framesSubmitted: UInt64
    var framesAnalysed: UInt64
    var framesSkipped: Int
    var underruns: Int
    var longestRenderMilliseconds: Double
    var tightestMarginMilliseconds: Double?
    var latestWakeMilliseconds: Double
    var latency: LatencySummary?
    var recording: String?
    var recordingDroppedSamples: Int

    init(
        engine: LiveEngine, snapshot: LiveSnapshot, seconds: Double, latency: LatencySummary?,
        recording: String?
    ) {
        let statistics = engine.sinkStatistics
        sink = engine.sink.name
        format = engine.sink.format.description
        realtimeScheduling = statistics.realtimeScheduling
        self.seconds = seconds
        outputSeconds = snapshot.outputTime
        framesSubmitted = snapshot.framesSubmitted
        framesAnalysed = snapshot.framesAnalysed
        framesSkipped = snapshot.framesReplaced
        underruns = statistics.underruns
        longestRenderMilliseconds = Double(statistics.longestRender) / 1e6
        tightestMarginMilliseconds =
            statistics.tightestMargin == .max ? nil : Double(statistics.tightestMargin) / 1e6
        latestWakeMilliseconds = Double(statistics.latestWake) / 1e6
        self.latency = latency
        self.recording = recording
        recordingDroppedSamples = engine.recordingDroppedSamples
    }

    /// The report as pretty-printed JSON.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The report as lines of text, the underrun count last.
    var text: String {
        var lines = [
            "sink: \(sink) (\(format), \(realtimeScheduling ? "SCHED_FIFO" : "normal scheduling"))",
            String(
                format: "played %.1f s; frames: %llu submitted, %llu analysed, %d skipped (latest wins)",
                outputSeconds, framesSubmitted, framesAnalysed, framesSkipped),
        ]
        if let latency {
            lines.append(
                String(
                    format:
                        "frame → first grain: p50 %.1f ms, p99 %.1f ms (%d frames); heard after p50 %.1f ms",
                    latency.toFirstGrain.p50, latency.toFirstGrain.p99, latency.count, latency.toAudible.p50))
        }
        var render = String(format: "longest render %.2f ms", longestRenderMilliseconds)
        if let tightestMarginMilliseconds {
            render += String(format: ", tightest margin %.2f ms", tightestMarginMilliseconds)
        }
        if latestWakeMilliseconds > 0 {
            render += String(format: ", latest wake-up %.2f ms", latestWakeMilliseconds)
        }
        lines.append(render)
        if let recording {
            lines.append(
                "recorded \(recording)"
                    + (recordingDroppedSamples > 0 ? " (\(recordingDroppedSamples) samples lost)" : ""))
        }
        lines.append("underruns: \(underruns)")
        return lines.joined(separator: "\n")
    }
}
