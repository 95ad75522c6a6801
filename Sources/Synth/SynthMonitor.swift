import Synchronization

/// The atomics through which the audio thread publishes a ``SynthStatus``: stored once per render
/// call with relaxed ordering (each value is independent; a reader may see a mix of two calls).
struct SynthMonitor: ~Copyable, Sendable {
    let peak = Atomic<UInt32>(0)
    /// Mean square of the last block; the reader takes the root (`squareRoot` is not provably lock-free).
    let meanSquare = Atomic<UInt32>(0)
    let framesRendered = Atomic<Int>(0)
    let grainsStarted = Atomic<Int>(0)
    let grainsStolen = Atomic<Int>(0)
    let grainsDropped = Atomic<Int>(0)
    let activeVoices = Atomic<Int>(0)
    let generation = Atomic<UInt64>(0)
    let frameTime = Atomic<UInt64>(0)

    /// Reads every value.
    func read(eventsDropped: Int) -> SynthStatus {
        SynthStatus(
            peak: Float(bitPattern: peak.load(ordering: .relaxed)),
            rms: Float(bitPattern: meanSquare.load(ordering: .relaxed)).squareRoot(),
            framesRendered: framesRendered.load(ordering: .relaxed),
            grainsStarted: grainsStarted.load(ordering: .relaxed),
            grainsStolen: grainsStolen.load(ordering: .relaxed),
            grainsDropped: grainsDropped.load(ordering: .relaxed),
            eventsDropped: eventsDropped,
            activeVoices: activeVoices.load(ordering: .relaxed),
            generation: generation.load(ordering: .relaxed),
            frameTime: Double(bitPattern: frameTime.load(ordering: .relaxed)))
    }
}
