import Foundation

/// A one-line progress bar on stderr — done/total, speed, × real time, ETA — drawn only when
/// stderr is a terminal (a log or a pipe gets nothing), at most ten times a second.
///
/// Any long command can use it: create it with the total, call `update` as work gets done, and
/// `finish` at the end (or on failure) to clear the line.
public final class ProgressBar {
    /// The amount of work in all.
    public let total: Int
    /// What is counted, plural ("frames").
    public let unit: String
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    /// Creates a bar.
    ///
    /// - Parameters:
    ///   - total: the amount of work in all.
    ///   - unit: what is counted, plural.
    ///   - enabled: draw at all; by default only when stderr is a terminal.
    public init(total: Int, unit: String, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.total = max(total, 1)
        self.unit = unit
        self.enabled = enabled
    }

    /// Reports progress; redraws if the last drawing is older than 0.1 s.
    ///
    /// - Parameters:
    ///   - done: work done so far (may pass the estimated total, which then grows).
    ///   - label: what is being worked on.
    ///   - mediaSeconds: seconds of media covered, for the × real-time figure.
    public func update(done: Int, label: String, mediaSeconds: Double? = nil) {
        guard enabled, Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = Date()
        let line = Self.line(
            label: label, done: done, total: total, unit: unit, elapsed: Date().timeIntervalSince(start),
            mediaSeconds: mediaSeconds, width: Self.terminalWidth())
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
        drawn = true
    }

    /// Clears the bar's line.
    public func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        drawn = false
    }

    /// The text of the bar.
    ///
    /// - Parameters:
    ///   - label: what is being worked on (shortened to fit).
    ///   - done: work done.
    ///   - total: work in all.
    ///   - unit: what is counted.
    ///   - elapsed: seconds since the start.
    ///   - mediaSeconds: media seconds covered, or nil.
    ///   - width: the terminal's width in columns.
    /// - Returns: one line, at most `width` characters.
    static func line(
        label: String, done: Int, total: Int, unit: String, elapsed: Double, mediaSeconds: Double?, width: Int
    ) -> String {
        let total = max(total, done, 1)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var figures = "\(done)/\(total) \(unit)"
        if rate > 0 { figures += String(format: "  %.1f %@/s", rate, unit) }
        if let mediaSeconds, elapsed > 0 {
            figures += String(format: "  %.1f× real time", mediaSeconds / elapsed)
        }
        figures += "  ETA " + (rate > 0 ? clock(Double(total - done) / rate) : "--:--")
        let barWidth = max(10, min(30, width - figures.count - 24))
        let filled = Int((Double(done) / Double(total) * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
        let room = max(0, width - figures.count - barWidth - 6)
        let name = label.count > room ? String(label.prefix(max(0, room - 1))) + "…" : label
        return "\(name)  \(bar)  \(figures)"
    }

    /// `m:ss`, or `h:mm:ss` past an hour.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
