import AudioOutput
import Corpus
import Engine
import Foundation
import TestSupport
import Testing
import Vision

/// A stopped engine is freed with its corpus once the last reference goes: a server that restarts
/// its engine does not keep the old one's model, buffers and locked audio.
@Suite struct EngineReleaseTests {
    @Test func aStoppedEngineIsFreed() throws {
        weak var released: LiveEngine?
        weak var corpus: Corpus?
        do {
            let (engine, _) = try LiveSoak.makeEngine(corpus: try SoundscapeCorpus.shared().url)
            released = engine
            corpus = engine.corpus
            try engine.start()
            Thread.sleep(forTimeInterval: 0.5)
            try engine.stop()
        }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(released == nil, "the engine outlived its last reference")
        #expect(corpus == nil, "the corpus outlived its engine")
    }
}
