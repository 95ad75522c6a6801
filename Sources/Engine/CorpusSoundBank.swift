import Corpus
import Synth

extension SoundBank {
    /// Describes a corpus's audio to the synthesizer: every source's samples (borrowed from the
    /// corpus's memory map, which the bank keeps alive) and every frame's audio span, in samples.
    ///
    /// - Parameter corpus: an open corpus.
    /// - Throws: ``SynthError/invalidSoundBank(_:)`` when the sources disagree on the sample rate or a
    ///   span does not fit its audio.
    public init(corpus: Corpus) throws {
        guard let sampleRate = corpus.sources.first?.sampleRate else {
            throw SynthError.invalidSoundBank("the corpus \(corpus.url.path) has no sources")
        }
        let sources = try corpus.sources.map { source in
            guard source.sampleRate == sampleRate else {
                throw SynthError.invalidSoundBank(
                    "source '\(source.name)' is at \(source.sampleRate) Hz, others at \(sampleRate) Hz")
            }
            return SoundSource(
                name: source.name, samples: source.audio, channels: source.channels,
                weight: Double(source.weight), muted: source.muted)
        }
        let rate = Double(sampleRate)
        let frames = corpus.frames.map { frame in
            let available = corpus.sources[frame.source].audioFrameCount
            // Outward rounding: a span covers at least the seconds the corpus gives it.
            let start = min(
                max(Int((frame.audioSpan.lowerBound * rate).rounded(.down)), 0), max(available - 1, 0))
            let end = min(max(Int((frame.audioSpan.upperBound * rate).rounded(.up)), start + 1), available)
            return FrameSpan(source: frame.source, start: start, end: end)
        }
        try self.init(sampleRate: sampleRate, sources: sources, frames: frames, owner: corpus)
    }
}
