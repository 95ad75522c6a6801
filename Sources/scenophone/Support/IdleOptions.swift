import ArgumentParser

/// What the live commands' sound does when frames stop: keep the last scene, then fade out.
struct IdleOptions: ParsableArguments {
    @Option(name: .customLong("idle-timeout"), help: "Seconds without frames before the sound fades out.")
    var idleTimeout = 10.0

    @Flag(name: .customLong("keep-last-scene"), help: "Never fade out when frames stop: keep the last scene.")
    var keepLastScene = false

    func validate() throws {
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be > 0 seconds") }
    }

    /// The engine's idle timeout: nil keeps the last scene for ever.
    var timeout: Double? { keepLastScene ? nil : idleTimeout }
}
