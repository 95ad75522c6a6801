import Corpus
import Engine
import Foundation
import TestSupport
import Testing

/// The real-time proof: real Vision, a real corpus from `../shared/media`, the vision loop fed as
/// fast as it takes frames, the synth on a paced null sink: zero underruns, zero allocations and
/// zero major page faults on the audio thread, the corpus audio dropped from the page cache before
/// the engine was built (`AudioResidencyTests` shows a thread reading it cold does fault).
/// `SCENOPHONE_SOAK_SECONDS` makes it longer (the 60 s).
@Suite struct LiveEngineSoakTests {
    @Test func theAudioNeverStarvesWhileVisionRunsFlatOut() throws {
        let corpus = try SoundscapeCorpus.shared()
        let (directory, copy) = try corpus.coldCopy()
        let cold = try Corpus.open(copy)
        cold.dropAudioFromPageCache()
        let (engine, sink) = try LiveSoak.makeEngine(corpus: cold)
        let frames = corpus.scenes.map { LiveFrame($0.photo) }
        let report = try LiveSoak.runFlatOut(
            engine: engine, sink: sink, frames: frames, seconds: LiveSoak.seconds(default: 8))
        print("live soak: \(report)")
        #expect(report.underruns == 0, "\(report)")
        #expect(report.allocations == 0, "\(report)")
        #expect(report.audioThreadMajorFaults == 0, "\(report)")
        // The counter saw (nearly) every period of the run, and vision really ran flat out.
        let periods = report.seconds * 48_000 / Double(sink.format.periodFrames)
        #expect(Double(report.periodsCounted) > 0.9 * periods - 32, "\(report)")
        #expect(report.visionRate > 1, "\(report)")
        #expect((report.latency?.count ?? 0) > 0, "\(report)")
        withExtendedLifetime(directory) {}
    }
}
