/// The synthesizer's description of the audio it plays: the sources, and for every corpus frame
/// (in corpus order) the span of audio it stands for.
///
/// It deliberately knows nothing about corpora or embeddings: the Engine adapts a corpus into one,
/// and tests build one from plain arrays.
public struct SoundBank: @unchecked Sendable {
    /// Sample rate of every source, in Hz.
    public let sampleRate: Int
    /// The recordings.
    public let sources: [SoundSource]
    /// One span per corpus frame, in the order the distances come in.
    public let frames: [FrameSpan]
    /// Keeps the memory behind the sources' samples alive for as long as the bank is.
    private let owner: AnyObject?

    /// Creates a bank over audio owned elsewhere, checking every span.
    ///
    /// - Parameters:
    ///   - sampleRate: sample rate of every source, in Hz.
    ///   - sources: the recordings.
    ///   - frames: one span per corpus frame.
    ///   - owner: an object that owns the sources' samples; it is retained by the bank.
    /// - Throws: ``SynthError/invalidSoundBank(_:)`` naming the first bad source or frame.
    public init(sampleRate: Int, sources: [SoundSource], frames: [FrameSpan], owner: AnyObject?) throws {
        guard sampleRate > 0 else { throw SynthError.invalidSoundBank("sample rate \(sampleRate) Hz") }
        for source in sources {
            guard source.channels == 1 || source.channels == 2 else {
                throw SynthError.invalidSoundBank(
                    "source '\(source.name)' has \(source.channels) channels (1 or 2 are supported)")
            }
            guard source.samples.count % source.channels == 0 else {
                throw SynthError.invalidSoundBank("source '\(source.name)' ends in a partial sample frame")
            }
            guard source.weight >= 0, source.weight.isFinite else {
                throw SynthError.invalidSoundBank("source '\(source.name)' has weight \(source.weight)")
            }
        }
        for (index, frame) in frames.enumerated() {
            guard sources.indices.contains(frame.source) else {
                throw SynthError.invalidSoundBank("frame \(index) names source \(frame.source)")
            }
            let source = sources[frame.source]
            guard frame.start >= 0, frame.end > frame.start, frame.end <= source.frameCount else {
                throw SynthError.invalidSoundBank(
                    "frame \(index) spans samples \(frame.start)..<\(frame.end) of '\(source.name)', "
                        + "which has \(source.frameCount)")
            }
        }
        self.sampleRate = sampleRate
        self.sources = sources
        self.frames = frames
        self.owner = owner
    }

    /// Creates a bank that owns copies of the given audio (for tests, demos and small corpora).
    ///
    /// - Parameters:
    ///   - sampleRate: sample rate, in Hz.
    ///   - audio: per source its name, interleaved samples and channel count.
    ///   - frames: one span per frame.
    /// - Throws: ``SynthError/invalidSoundBank(_:)`` as ``init(sampleRate:sources:frames:owner:)``.
    public init(
        sampleRate: Int, audio: [(name: String, samples: [Float], channels: Int)], frames: [FrameSpan]
    ) throws {
        let storage = OwnedSamples(audio.map(\.samples))
        let sources = audio.indices.map { index in
            SoundSource(
                name: audio[index].name, samples: storage.buffers[index], channels: audio[index].channels)
        }
        try self.init(sampleRate: sampleRate, sources: sources, frames: frames, owner: storage)
    }

    /// The same audio and frames with each source's weight and mute replaced.
    ///
    /// - Parameter settings: per source its weight and mute, in source order.
    /// - Returns: the updated bank (sharing the audio).
    /// - Throws: ``SynthError/invalidSoundBank(_:)`` if the count or a weight is wrong.
    public func with(weights: [Double], muted: [Bool]) throws -> SoundBank {
        guard weights.count == sources.count, muted.count == sources.count else {
            throw SynthError.invalidSoundBank("expected \(sources.count) source weights and mutes")
        }
        var updated = sources
        for index in updated.indices {
            updated[index].weight = weights[index]
            updated[index].muted = muted[index]
        }
        return try SoundBank(sampleRate: sampleRate, sources: updated, frames: frames, owner: owner)
    }

    /// How much of the timeline each frame holds before its picture is considered: the length of
    /// its span in seconds times its source's weight (zero when muted).
    ///
    /// Weighting by span length makes p(t) a density over audio time: indexing a video at 2 fps
    /// instead of 1 fps leaves it unchanged, and a still photo's mass covers its whole recording.
    ///
    /// - Returns: one non-negative value per frame.
    public func frameTimeWeights() -> [Double] {
        frames.map { frame in
            let source = sources[frame.source]
            return source.muted ? 0 : source.weight * Double(frame.length) / Double(sampleRate)
        }
    }
}

/// Heap copies of sources' samples, freed when the last bank using them goes.
private final class OwnedSamples {
    let buffers: [UnsafeBufferPointer<Float>]

    init(_ arrays: [[Float]]) {
        buffers = arrays.map { array in
            let memory = UnsafeMutableBufferPointer<Float>.allocate(capacity: array.count)
            _ = memory.initialize(from: array)
            return UnsafeBufferPointer(memory)
        }
    }

    deinit { buffers.forEach { $0.deallocate() } }
}
