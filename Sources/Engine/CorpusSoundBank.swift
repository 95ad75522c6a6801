import Corpus
import Synth

extension SoundBank {
    /// The synth's view of a corpus: its sources' memory-mapped audio (not copied), each frame's
    /// audio span in sample frames, and each source's weight and mute.
    ///
    /// - Parameter corpus: an open corpus; the bank keeps it alive.
    /// - Throws: `SynthError.invalidSoundBank` if the corpus mixes sample rates or a span is empty.
    init(corpus: Corpus) throws {
        let sampleRate = corpus.sources.first?.sampleRate ?? 48_000
        let sources = try corpus.sources.map { source in
            guard source.sampleRate == sampleRate else {
                throw SynthError.invalidSoundBank(
                    "source '\(source.name)' is at \(source.sampleRate) Hz, the others at \(sampleRate) Hz")
            }
            return SoundSource(
                name: source.name, samples: source.audio, channels: source.channels,
                weight: Double(source.weight), muted: source.muted)
        }
        let rate = Double(sampleRate)
        let frames = corpus.frames.map { frame in
            let length = corpus.sources[frame.source].audioFrameCount
            let start = min(
                max(Int((frame.audioSpan.lowerBound * rate).rounded(.down)), 0), max(length - 1, 0))
            let end = min(max(Int((frame.audioSpan.upperBound * rate).rounded(.up)), start + 1), length)
            return FrameSpan(source: frame.source, start: start, end: end)
        }
        try self.init(sampleRate: sampleRate, sources: sources, frames: frames, owner: corpus)
    }
}
