import Corpus
import Engine
import Synth
import Vision

extension SoundSettings {
    /// The analyser this sound asks for: the one place `render` and `evaluate` build it, so every
    /// analysis setting reaches both and `evaluate` measures what `render` plays.
    ///
    /// - Parameters:
    ///   - corpus: the corpus.
    ///   - network: the embedding network (the corpus's model).
    ///   - synth: the synthesizer playing the corpus.
    /// - Returns: the analyser.
    /// - Throws: `EngineError` or `SynthError` as ``SceneAnalyzer/init(corpus:network:synth:mapping:smoothing:similarity:evidence:neighborCount:computeLogits:)``.
    func makeAnalyzer(corpus: Corpus, network: EfficientNetLite, synth: GranularSynth) throws
        -> SceneAnalyzer
    {
        try SceneAnalyzer(
            corpus: corpus, network: network, synth: synth, mapping: distanceMapping, smoothing: smoothing,
            similarity: similarity, evidence: evidence)
    }
}
