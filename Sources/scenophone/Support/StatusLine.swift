import Engine
import Foundation

/// A one-line live status on the terminal (standard error), redrawn in place twice a second;
/// silent when standard error is not a terminal.
final class StatusLine {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastDrawn = Date.distantPast
    private var drewSomething = false

    /// Redraws the line from a snapshot, at most twice a second.
    ///
    /// - Parameter snapshot: the engine's state.
    func show(_ snapshot: LiveSnapshot) {
        guard isTerminal, Date().timeIntervalSince(lastDrawn) >= 0.5 else { return }
        lastDrawn = Date()
        var parts = [String(format: "%6.1f s", snapshot.outputTime)]
        parts.append("frame \(snapshot.frameID) (\(snapshot.framesReplaced) skipped)")
        if let nearest = snapshot.nearest.first {
            parts.append(String(format: "near %@ %.0f s", nearest.sourceName, nearest.time))
        }
        if let label = snapshot.labels.first {
            parts.append(String(format: "%@ %.0f%%", label.name, label.probability * 100))
        }
        let decibels = snapshot.rms > 0 ? 20 * log10(Double(snapshot.rms)) : -.infinity
        parts.append(decibels.isFinite ? String(format: "%.0f dBFS", decibels) : "silent")
        if snapshot.state == .idle { parts.append("idle") }
        parts.append("underruns \(snapshot.underruns)")
        let line = parts.joined(separator: " · ")
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drewSomething = true
    }

    /// Ends the line so that what follows starts on a fresh one.
    func finish() {
        if drewSomething { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
