import Synchronization
import Synth

/// Drains the synth's grain events off the audio thread's ring and keeps them for the UI and the
/// latency stamps. Any non-real-time thread; serialised by its own lock.
final class GrainCollector: Sendable {
    /// How many recent grains are kept for snapshots (about 40 s at 100 grains/s).
    static let retained = 4096

    private struct State {
        var recent: [LiveSnapshot.Grain] = []
        /// Index in `recent` of the oldest grain once it has wrapped around.
        var oldest = 0
        var lastSequence: UInt64 = 0
        var latency = LatencyTracker()
    }

    private let synth: GranularSynth
    private let clock: BlockClock
    private let sampleRate: Double
    private let state = Mutex(State())

    init(synth: GranularSynth, clock: BlockClock) {
        self.synth = synth
        self.clock = clock
        sampleRate = Double(synth.sampleRate)
    }

    /// Notes a publication, so the first grain drawn from it can be stamped.
    func published(
        generation: UInt64, frameID: UInt64, arrival: Int64, analysisStart: Int64, at time: Int64
    ) {
        state.withLock {
            $0.latency.published(
                generation: generation, frameID: frameID, arrival: arrival, analysisStart: analysisStart,
                at: time)
        }
    }

    /// Moves every pending event out of the synth's ring.
    func collect() {
        state.withLock { state in
            synth.drainGrainEvents { event in
                state.latency.grainStarted(
                    generation: event.generation, times: clock.times(of: event.outputFrame))
                state.lastSequence += 1
                let grain = LiveSnapshot.Grain(
                    sequence: state.lastSequence, outputTime: Double(event.outputFrame) / sampleRate,
                    source: Int(event.source), sourceTime: Double(event.sourceFrame) / sampleRate,
                    duration: Double(event.length) / sampleRate, gain: event.gain, pan: event.pan,
                    frameID: LiveEngine.frameID(ofGeneration: event.generation))
                if state.recent.count < Self.retained {
                    state.recent.append(grain)
                } else {
                    state.recent[state.oldest] = grain
                    state.oldest = (state.oldest + 1) % Self.retained
                }
            }
        }
    }

    /// Grains with a sequence number above `cursor`, oldest first, and the last sequence number.
    func grains(after cursor: UInt64) -> (grains: [LiveSnapshot.Grain], last: UInt64) {
        collect()
        return state.withLock { state in
            let count = state.recent.count
            let newer = Int(min(UInt64(count), state.lastSequence - min(cursor, state.lastSequence)))
            var result: [LiveSnapshot.Grain] = []
            result.reserveCapacity(newer)
            for offset in (count - newer)..<count {
                result.append(state.recent[(state.oldest + offset) % max(count, 1)])
            }
            return (result, state.lastSequence)
        }
    }

    /// The latency stamps finished since the last call.
    func takeLatencyStamps() -> [LatencyStamp] {
        collect()
        return state.withLock { $0.latency.take() }
    }
}
