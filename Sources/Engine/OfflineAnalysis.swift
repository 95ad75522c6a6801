import Foundation
import Synth

/// Walks inputs through a ``SceneAnalyzer`` with the offline renderer's timing, without rendering
/// sound: for measuring the distribution p(t) itself (`scenophone evaluate`).
///
/// Frame `k` of an input is analysed at `t = k / visionFPS` seconds, exactly as ``OfflineRenderer``
/// analyses it (a new picture is embedded, an unchanged one republished), so whatever the analyser
/// does over time (smoothing, and any evidence it accumulates) is measured as a render would hear it.
/// No grains are drawn, so the result depends on no seed. Inputs are analysed one after another, each
/// from a fresh start (``SceneAnalyzer/reset()``).
public final class OfflineAnalysis {
    /// Picture analyses per second of input.
    public let visionFPS: Double
    /// The analyser (and through it the corpus and synthesizer).
    public let analyzer: SceneAnalyzer
    /// The generation of the next publication: generations rise across inputs, as the synthesizer asks.
    private var generation: UInt64 = 1

    /// Prepares the analysis of inputs.
    ///
    /// - Parameters:
    ///   - analyzer: the vision side, publishing to its synthesizer (which nothing needs to play).
    ///   - visionFPS: analyses per second, in (0, 120].
    /// - Throws: `EngineError.invalidInput` for a bad rate.
    public init(analyzer: SceneAnalyzer, visionFPS: Double) throws {
        guard visionFPS > 0, visionFPS <= 120 else {
            throw EngineError.invalidInput(
                URL(fileURLWithPath: "."), "vision rate \(visionFPS) fps must be in (0, 120]")
        }
        self.analyzer = analyzer
        self.visionFPS = visionFPS
    }

    /// The number of vision frames an input gets (as many as a render of it).
    ///
    /// - Parameter input: the input.
    /// - Returns: `⌈duration × visionFPS⌉`, at least 1.
    public func frameCount(of input: RenderInput) -> Int {
        max(1, Int((input.duration * visionFPS).rounded(.up)))
    }

    /// Analyses one input from a fresh start.
    ///
    /// - Parameters:
    ///   - input: the picture source.
    ///   - frame: called for every vision frame, in order, with its time and the distribution
    ///     published then (valid during the call), which stays current until the next frame.
    ///   - progress: told after each vision frame how many are done.
    /// - Returns: the number of pictures embedded (the rest were republished unchanged).
    /// - Throws: `MediaIOError` when decoding fails, `EngineError` when the input holds no picture,
    ///   or what `frame` throws.
    @discardableResult
    public func run(
        _ input: RenderInput,
        frame: (_ time: Double, _ distribution: UnsafeBufferPointer<Double>) throws -> Void,
        progress: ((Int) -> Void)? = nil
    ) throws -> Int {
        analyzer.reset()
        let pictures = try input.pictures(fps: visionFPS, inputSize: analyzer.corpus.model.inputSize)
        defer { pictures.close() }
        var analysed = 0
        var previousTime: Double?
        for tick in 0..<frameCount(of: input) {
            let time = Double(tick) / visionFPS
            switch try pictures.picture(at: time, previousTime: previousTime) {
            case .new(let picture):
                try picture.pixels.withUnsafeBufferPointer {
                    try analyzer.analyze(
                        rgb: $0, width: picture.width, height: picture.height, time: time,
                        generation: generation)
                }
                analysed += 1
            case .unchanged:
                // The analyser still holds the previous input's distances: this input must have its own.
                guard analysed > 0, try analyzer.republish(time: time, generation: generation) else {
                    throw EngineError.invalidInput(
                        input.picture ?? URL(fileURLWithPath: "."), "no picture to analyse")
                }
            }
            generation += 1
            previousTime = time
            try frame(time, analyzer.distribution)
            progress?(tick + 1)
        }
        return analysed
    }
}
