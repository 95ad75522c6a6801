import AudioOutput
import Corpus
import Foundation

/// How a `LiveEngine` is built: fixed for its lifetime (see `LiveParameters` for what can change).
public struct LiveOptions: Sendable {
    /// How many nearest corpus frames a snapshot lists.
    public var nearestCount: Int
    /// Bins across each source's timeline in a snapshot's p(t).
    public var binsPerSource: Int
    /// Seed of the grain randomness; nil picks one at random.
    public var seed: UInt64?
    /// Rings that receive a copy of the output (e.g. a network stream); the engine writes whole
    /// blocks of interleaved samples and drops a block that does not fit.
    public var taps: [SampleRing]
    /// Also save the output to this WAV file (written off the audio thread, completed by `stop()`).
    public var recording: URL?

    /// Creates options.
    ///
    /// - Parameters:
    ///   - nearestCount: nearest frames per snapshot.
    ///   - binsPerSource: p(t) bins per source.
    ///   - seed: grain randomness seed (nil: random).
    ///   - taps: rings to copy the output into.
    ///   - recording: a WAV file to save the output to.
    public init(
        nearestCount: Int = 8, binsPerSource: Int = 200, seed: UInt64? = nil,
        taps: [SampleRing] = [], recording: URL? = nil
    ) {
        self.nearestCount = nearestCount
        self.binsPerSource = binsPerSource
        self.seed = seed
        self.taps = taps
        self.recording = recording
    }
}
