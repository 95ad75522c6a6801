import Foundation
import MediaIO
import Synth

/// Renders a soundtrack for a video, an image or a folder of images, faster than real time but with
/// the live engine's timing.
///
/// Live, the vision loop analyses camera frames as they come and the audio thread draws grains from
/// whatever distribution is current. Offline, frame `k` is analysed at `t = k / visionFPS` seconds
/// of the input, and its distribution becomes current at output sample `round(t × sampleRate)`: the
/// moment its frame would have been analysed (taking the analysis itself as instant). The audio has
/// exactly `round(duration × sampleRate)` frames.
public final class OfflineRenderer {
    /// What to watch.
    public let input: RenderInput
    /// Picture analyses per second of input.
    public let visionFPS: Double
    /// The analyser (and through it the corpus and synthesizer).
    public let analyzer: SceneAnalyzer

    /// Output frames rendered per synthesizer call at most.
    static let block = 4096

    /// Prepares a render.
    ///
    /// - Parameters:
    ///   - input: the picture source.
    ///   - analyzer: the vision side, publishing to its synthesizer.
    ///   - visionFPS: analyses per second, in (0, 120].
    /// - Throws: `EngineError.invalidInput` for a bad rate.
    public init(input: RenderInput, analyzer: SceneAnalyzer, visionFPS: Double = 10) throws {
        guard visionFPS > 0, visionFPS <= 120 else {
            throw EngineError.invalidInput(
                input.picture ?? URL(fileURLWithPath: "."), "vision rate \(visionFPS) fps must be in (0, 120]"
            )
        }
        self.input = input
        self.analyzer = analyzer
        self.visionFPS = visionFPS
    }

    /// The number of output frames the render produces.
    public var outputFrames: Int { Int((input.duration * Double(analyzer.synth.sampleRate)).rounded()) }

    /// The number of pictures the render analyses.
    public var analysisCount: Int { Int((input.duration * visionFPS).rounded(.up)) }

    /// Runs the render.
    ///
    /// - Parameters:
    ///   - audio: receives the output in order, interleaved, in blocks of at most 4096 frames.
    ///   - grain: receives every grain as it starts, in order.
    ///   - progress: told after each analysed picture how many are done.
    /// - Returns: what was rendered.
    /// - Throws: `MediaIOError` when decoding the input fails, `EngineError` when it holds no
    ///   picture, or what `audio` and `grain` throw.
    @discardableResult
    public func render(
        audio: (UnsafeBufferPointer<Float>) throws -> Void, grain: ((GrainEvent) throws -> Void)? = nil,
        progress: ((Int) -> Void)? = nil
    ) throws -> RenderSummary {
        let synth = analyzer.synth
        let sampleRate = Double(synth.sampleRate)
        let total = outputFrames
        let pictures = try input.pictures(fps: visionFPS, inputSize: analyzer.corpus.model.inputSize)
        defer { pictures.close() }
        var buffer = [Float](repeating: 0, count: Self.block * synth.channels)
        var rendered = 0
        var analysed = 0
        var previousTime: Double?
        var peak: Float = 0
        var tick = 0
        while rendered < total || tick == 0 {
            let time = Double(tick) / visionFPS
            // One publication per vision frame, numbered from 1.
            let generation = UInt64(tick) + 1
            switch try pictures.picture(at: time, previousTime: previousTime) {
            case .new(let frame):
                try frame.pixels.withUnsafeBufferPointer {
                    try analyzer.analyze(
                        rgb: $0, width: frame.width, height: frame.height, time: time, generation: generation)
                }
                analysed += 1
            case .unchanged:
                guard try analyzer.republish(time: time, generation: generation) else {
                    throw EngineError.invalidInput(
                        input.picture ?? URL(fileURLWithPath: "."), "no picture to analyse")
                }
            }
            previousTime = time
            tick += 1
            let end = min(total, Int((Double(tick) / visionFPS * sampleRate).rounded()))
            while rendered < end {
                let count = min(Self.block, end - rendered)
                try buffer.withUnsafeMutableBufferPointer { output in
                    synth.render(into: output.baseAddress!, frames: count)
                    try audio(UnsafeBufferPointer(rebasing: output[0..<(count * synth.channels)]))
                }
                peak = max(peak, synth.status.peak)
                rendered += count
                if let grain { try synth.drainGrainEvents(grain) }
            }
            progress?(tick)
        }
        let status = synth.status
        return RenderSummary(
            duration: Double(total) / sampleRate, frames: total, analysedPictures: analysed,
            visionFrames: tick,
            grains: status.grainsStarted, stolenGrains: status.grainsStolen, peak: peak)
    }
}
