/// A token bucket that bounds how fast one client may send camera frames.
///
/// The page sends about 10 frames a second; the bucket refills at `rate` and holds `burst`, so a
/// legitimate client never meets it, and a flood is recognised within a fraction of a second.
struct FrameRateLimiter {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var last: Int64?

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
        tokens = burst
    }

    /// Takes a token for a frame arriving now.
    ///
    /// - Parameter now: monotonic nanoseconds.
    /// - Returns: false when the client is over its rate.
    mutating func admit(at now: Int64) -> Bool {
        if let last { tokens = min(burst, tokens + Double(now - last) * 1e-9 * rate) }
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
