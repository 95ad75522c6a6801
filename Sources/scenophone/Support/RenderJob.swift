import CommandLineSupport
import Corpus
import Engine
import Foundation
import Synth
import Vision

/// One offline render from start to finish, shared by `render` and `demo`: synthesizer, analyser,
/// renderer, WAV (and grain log) written atomically, then FLAC encoding or muxing as the output asks.
struct RenderJob {
    var corpus: Corpus
    var network: EfficientNetLite
    var input: RenderInput
    var output: RenderOutput
    var grainLog: URL?
    var visionFPS: Double
    var seed: UInt64
    var channels: Int
    var sound: SoundOptions

    /// Renders, with a progress bar on a terminal.
    ///
    /// - Returns: what was written.
    /// - Throws: `EngineError`, `MediaIOError` or `SynthError` naming the file or setting at fault;
    ///   nothing is left at the output or grain log then.
    func run() throws -> RenderReport {
        let started = Date()
        let settings = try sound.settings(sourceNames: corpus.sources.map(\.name)) { warning in
            FileHandle.standardError.write(Data("scenophone: \(warning)\n".utf8))
        }
        let synth = try GranularSynth(
            bank: SoundBank(corpus: corpus),
            configuration: SynthConfiguration(channels: channels, maxVoices: settings.maxVoices, seed: seed),
            parameters: settings.grainParameters)
        let analyzer = try settings.makeAnalyzer(corpus: corpus, network: network, synth: synth)
        let renderer = try OfflineRenderer(input: input, analyzer: analyzer, visionFPS: visionFPS)
        let wav = try output.makeWAVWriter(sampleRate: synth.sampleRate, channels: synth.channels)
        let log = try grainLog.map { try GrainLogWriter(url: $0, bank: synth.bank) }
        let bar = ProgressBar(total: renderer.analysisCount, unit: "frames")
        let summary: RenderSummary
        do {
            summary = try renderer.render(
                audio: { try wav.write($0) }, grain: log.map { log in { try log.write($0) } },
                progress: { done in
                    bar.update(done: done, label: "rendering", mediaSeconds: Double(done) / visionFPS)
                })
            bar.finish()
            try wav.finish()
            try log?.finish()
            try output.complete(wav: wav.url, input: input)
        } catch {
            bar.finish()
            wav.abandon()
            log?.abandon()
            throw error
        }
        return RenderReport(
            output: output.url.path, grainLog: grainLog?.path, seed: seed, channels: channels,
            sampleRate: synth.sampleRate, summary: summary, seconds: Date().timeIntervalSince(started))
    }
}
