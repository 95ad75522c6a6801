/// Polls `condition` every 20 ms until it holds or `timeout` passes.
///
/// Assertions about the hub's counters wait for the server this way instead of sleeping a fixed
/// time, which a loaded two-core machine may not honour.
///
/// - Parameters:
///   - timeout: the longest wait.
///   - condition: what the server should reach.
/// - Returns: whether the condition held in time.
func eventually(within timeout: Duration = .seconds(15), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return true
}
