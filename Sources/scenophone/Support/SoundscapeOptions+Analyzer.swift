import Corpus
import Engine
import Synth
import Vision

extension SoundscapeOptions {
    /// The analyser these options ask for: the one place `render` and `evaluate` build it, so
    /// every analysis option reaches both and `evaluate` measures what `render` plays.
    ///
    /// - Parameters:
    ///   - corpus: the corpus.
    ///   - network: the embedding network (the corpus's model).
    ///   - synth: the synthesizer playing the corpus.
    /// - Returns: the analyser.
    /// - Throws: `EngineError` or `SynthError` as ``SceneAnalyzer/init(corpus:network:synth:mapping:smoothing:neighborCount:computeLogits:)``.
    func makeAnalyzer(corpus: Corpus, network: EfficientNetLite0, synth: GranularSynth) throws
        -> SceneAnalyzer
    {
        try SceneAnalyzer(
            corpus: corpus, network: network, synth: synth, mapping: distanceMapping, smoothing: smoothing)
    }
}
