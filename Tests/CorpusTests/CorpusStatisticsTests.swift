import Foundation
import TestSupport
import Testing

@testable import Corpus

/// The statistics the similarity measures need, stored in the manifest and kept up to date.
@Suite struct CorpusStatisticsTests {
    private func storedStatistics(_ url: URL) throws -> CorpusStatistics? {
        try CorpusManifest.decode(CorpusBundle.readManifest(url), corpus: url).statistics
    }

    private func expectCurrent(_ url: URL, frames: Int) throws {
        let corpus = try Corpus.open(url)
        let computed = CorpusStatistics.compute(rows: corpus.rows)
        #expect(corpus.formatVersion == 3)
        #expect(try storedStatistics(url) == computed)
        #expect(corpus.statistics == computed && computed.frameCount == frames)
    }

    @Test func everyChangeOfSourcesStoresFreshStatistics() throws {
        let directory = try TemporaryDirectory()
        let url = try CorpusFixtures.write(
            [CorpusFixtures.video(name: "river", frames: 3, seed: 1)], to: directory.file("walk.scenophone"))
        try expectCurrent(url, frames: 3)

        let adding = try CorpusWriter.edit(url)
        try adding.add(prepared: CorpusFixtures.video(name: "café", frames: 2, seed: 2))
        try adding.commit()
        try expectCurrent(url, frames: 5)

        let before = try storedStatistics(url)
        let setting = try CorpusWriter.edit(url)
        try setting.update(source: "café", weight: 2, muted: true)
        try setting.commit()
        #expect(try storedStatistics(url) == before)

        let removing = try CorpusWriter.edit(url)
        try removing.remove(named: "river")
        try removing.commit()
        try expectCurrent(url, frames: 2)
    }

    @Test func aVersionOneCorpusOpensAndAnyEditUpgradesIt() throws {
        let directory = try TemporaryDirectory()
        let url = try CorpusFixtures.write(
            [CorpusFixtures.video(name: "river", frames: 4, seed: 3)], to: directory.file("old.scenophone"))
        // Rewrite the manifest as version 1 wrote it: no statistics.
        let manifestURL = url.appendingPathComponent(CorpusFormat.manifestName)
        var manifest = try CorpusManifest.decode(Data(contentsOf: manifestURL), corpus: url)
        manifest.version = 1
        manifest.statistics = nil
        try manifest.encoded().write(to: manifestURL)
        #expect(try storedStatistics(url) == nil)

        let old = try Corpus.open(url)
        #expect(old.formatVersion == 1)
        #expect(
            old.statistics
                == CorpusStatistics.compute(rows: old.rows))

        let writer = try CorpusWriter.edit(url)
        try writer.update(source: "river", weight: 1)
        try writer.commit()
        try expectCurrent(url, frames: 4)
    }
}
