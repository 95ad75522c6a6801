import Foundation
import MediaIO
import TestSupport
import Testing

@testable import Corpus

/// The search index a large corpus stores (format version 3): written with the corpus, read back
/// at open and used by the search, rebuilt when the frames change, refused when damaged, and
/// computed at open for a corpus written before it existed.
@Suite struct SearchIndexTests {
    static let dimension = 256
    static let framesPerSource = 3_500
    /// The components every index of these embeddings keeps.
    static let components = NearestFrameSearch.Strategy.components(forDimension: dimension)

    /// A source of clips drifting through a 16-dimensional latent space (neighbours in time are
    /// neighbours in space, as in video), 1 ms of mono audio per frame.
    static func source(name: String, seed: UInt64) -> PreparedSource {
        var generator = SplitMix(seed: seed)
        func unit() -> Float { Float(Double(generator.next() >> 11) / Double(1 << 53)) - 0.5 }
        let rank = 16
        let axes = (0..<rank * dimension).map { _ in unit() }
        var latent = [Float](repeating: 0, count: rank)
        var embeddings = [Float](repeating: 0, count: framesPerSource * dimension)
        for frame in 0..<framesPerSource {
            for axis in 0..<rank {
                let step = unit() * 4 / Float(axis + 1).squareRoot()
                latent[axis] = frame % 100 == 0 ? step : latent[axis] + 0.1 * step
            }
            for i in 0..<dimension {
                var value: Float = 1 + unit() * 0.1
                for axis in 0..<rank { value += latent[axis] * axes[axis * dimension + i] }
                embeddings[frame * dimension + i] = max(0, value)
            }
        }
        let thumbnail: [UInt8] = [0xFF, 0xD8, 0x55, 0xFF, 0xD9]
        return PreparedSource(
            name: name, kind: .video, frameTimes: (0..<framesPerSource).map { Double($0) / 1_000 },
            embeddings: embeddings, thumbnails: [[UInt8]](repeating: thumbnail, count: framesPerSource),
            audio: AudioClip(
                sampleRate: 48_000, channels: 1,
                samples: [Float](repeating: 0.01, count: framesPerSource * 48)))
    }

    static func write(sources: Int, to url: URL) throws -> URL {
        try CorpusFixtures.write(
            (0..<sources).map { source(name: "clip \($0)", seed: UInt64(20 + $0)) }, to: url,
            model: CorpusFixtures.model(dimension: dimension))
    }

    private func manifest(_ url: URL) throws -> CorpusManifest {
        try CorpusManifest.decode(CorpusBundle.readManifest(url), corpus: url)
    }

    /// Every finite distance of the bounded pass is the exact one, every infinite one is beyond
    /// the cutoff, for a few queries between consecutive frames.
    private func expectExactWithinTheCutoff(_ search: NearestFrameSearch, corpus: Corpus) {
        let exact = NearestFrameSearch(corpus: corpus, measure: search.measure, strategy: .exact)
        let workspace = search.makeWorkspace()
        var pruned = [Float](repeating: 0, count: corpus.frameCount)
        var all = [Float](repeating: 0, count: corpus.frameCount)
        var nearest = [Neighbor](repeating: Neighbor(frame: 0, distance: 0), count: 8)
        for frame in stride(from: 150, to: corpus.frameCount - 1, by: 2_300) {
            let a = corpus.embedding(ofFrame: frame)
            let b = corpus.embedding(ofFrame: frame + 1)
            let raw = (0..<Self.dimension).map { (a[$0] + b[$0]) / 2 }
            var query = raw
            raw.withUnsafeBufferPointer { r in
                query.withUnsafeMutableBufferPointer { search.transform(r, into: $0) }
            }
            let pass = query.withUnsafeBufferPointer { q in
                all.withUnsafeMutableBufferPointer { exact.distances(to: q, into: $0) }
                return pruned.withUnsafeMutableBufferPointer { d in
                    nearest.withUnsafeMutableBufferPointer { n in
                        search.distances(
                            to: q, cutoff: 0.4, eligible: nil, workspace: workspace, into: d, nearest: n)
                    }
                }
            }
            #expect(pass.bounded && pass.exactDistances < corpus.frameCount / 4, "\(pass)")
            // The surviving blocks' frames are bounded once, not once per round and again for the
            // exact distances.
            #expect(pass.boundedFrames <= pass.survivingBlocks * NearestFrameSearch.blockFrames, "\(pass)")
            let nearestDistance = Double(all.min()!)
            let reach = nearestDistance + 0.4 * (pass.scale - nearestDistance)
            var mismatches = 0
            for i in all.indices {
                if pruned[i].isFinite {
                    if abs(pruned[i] - all[i]) > 1e-4 * all[i] + 1e-5 { mismatches += 1 }
                } else if Double(all[i]) <= reach {
                    mismatches += 1
                }
            }
            #expect(mismatches == 0, "query between frames \(frame) and \(frame + 1)")
        }
    }

    @Test(arguments: [SimilarityMeasure.cosine, .euclidean, .centredCosine])
    func aLargeCorpusStoresItsIndexAndSearchesWithIt(measure: SimilarityMeasure) throws {
        let directory = try TemporaryDirectory()
        let url = try Self.write(sources: 3, to: directory.file("large.scenophone"))
        let record = try #require(try manifest(url).searchIndex)
        #expect(record.frameCount == 3 * Self.framesPerSource && record.components == Self.components)
        let corpus = try Corpus.open(url)
        #expect(corpus.formatVersion == 3 && corpus.searchIndex != nil)
        let search = NearestFrameSearch(corpus: corpus, measure: measure)
        #expect(search.usesStoredIndex && search.boundComponents == Self.components)
        expectExactWithinTheCutoff(search, corpus: corpus)
    }

    @Test func theIndexFollowsTheFramesAndASmallCorpusHasNone() throws {
        let directory = try TemporaryDirectory()
        let url = try Self.write(sources: 4, to: directory.file("large.scenophone"))
        let first = try #require(try manifest(url).searchIndex)
        let writer = try CorpusWriter.edit(url)
        try writer.remove(named: "clip 1")
        try writer.commit()
        let second = try #require(try manifest(url).searchIndex)
        #expect(second.file != first.file && second.frameCount == 3 * Self.framesPerSource)
        #expect(!CorpusFixtures.listing(url.appendingPathComponent("sources")).contains(first.file))
        // A settings change keeps it.
        let settings = try CorpusWriter.edit(url)
        try settings.update(source: "clip 0", weight: 2)
        try settings.commit()
        #expect(try manifest(url).searchIndex == second)
        // Below the bounded search's size there is none.
        let shrinking = try CorpusWriter.edit(url)
        try shrinking.remove(named: "clip 2")
        try shrinking.remove(named: "clip 3")
        try shrinking.commit()
        #expect(try manifest(url).searchIndex == nil)
        #expect(try Corpus.open(url).searchIndex == nil)
    }

    @Test func aDamagedIndexIsRefusedByName() throws {
        let directory = try TemporaryDirectory()
        let url = try Self.write(sources: 3, to: directory.file("large.scenophone"))
        let record = try #require(try manifest(url).searchIndex)
        try CorpusFixtures.flipByte(in: url.appendingPathComponent("sources/\(record.file)"), at: 100_000)
        #expect {
            try Corpus.open(url)
        } throws: { error in
            "\(error)".contains(record.file) && "\(error)".contains("checksum")
        }
    }

    /// Above the hashing limit the index is mapped, not hashed: its header, mean, components and
    /// per-frame lengths are checked at open, its digest by `verifyMedia()`, each naming the file.
    @Test func aLargeCorpusChecksItsIndexDigestOnDemand() throws {
        let directory = try TemporaryDirectory()
        let url = try Self.write(sources: 3, to: directory.file("large.scenophone"))
        let record = try #require(try manifest(url).searchIndex)
        let file = url.appendingPathComponent("sources/\(record.file)")
        func open(_ verification: Corpus.Verification = .standard) throws -> Corpus {
            try Corpus.open(url, expecting: nil, verification: verification, hashLimit: 0)
        }
        // The blob's layout after its 64-byte header: μ (d floats), the components (k × d), the
        // projections (n × k), then the per-frame lengths.
        let (d, k, n) = (Self.dimension, Self.components, 3 * Self.framesPerSource)
        let components = 64 + 4 * d
        let projections = components + 4 * k * d
        let residuals = projections + 4 * n * k
        let projection = projections + 4 * 1_000 + 3
        let clean = try open()
        #expect(!clean.framesHashedAtOpen && clean.searchIndex?.isMapped == true)
        #expect(try Corpus.open(url).framesHashedAtOpen)
        // A flipped projection is found on demand.
        try CorpusFixtures.flipByte(in: file, at: projection)
        let corpus = try open()
        #expect {
            try corpus.verifyMedia()
        } throws: { error in
            "\(error)".contains(record.file) && "\(error)".contains("checksum")
        }
        #expect(throws: CorpusError.self) { try open(.full) }
        try CorpusFixtures.flipByte(in: file, at: projection)
        #expect(throws: Never.self) { try open(.full) }
        // The rest at open: offsets in the header, μ, the first component and the first `r` (the
        // top byte of a float flips its sign).
        for (offset, what) in [
            (20, "header"), (64 + 4 * 5 + 3, "mean"), (components + 4 * 10 + 3, "component"),
            (residuals + 4 * 7 + 3, "length"),
        ] {
            try CorpusFixtures.flipByte(in: file, at: offset)
            #expect {
                try open()
            } throws: { error in
                "\(error)".contains(record.file) && "\(error)".contains(what)
            }
            try CorpusFixtures.flipByte(in: file, at: offset)
        }
    }

    @Test func aVersionTwoCorpusOpensAndComputesItsIndex() throws {
        let directory = try TemporaryDirectory()
        let url = try Self.write(sources: 3, to: directory.file("old.scenophone"))
        let manifestURL = url.appendingPathComponent(CorpusFormat.manifestName)
        var old = try manifest(url)
        let stored = try Corpus.open(url)
        old.version = 2
        old.searchIndex = nil
        try old.encoded().write(to: manifestURL)
        let corpus = try Corpus.open(url)
        #expect(corpus.formatVersion == 2 && corpus.searchIndex == nil)
        let search = NearestFrameSearch(corpus: corpus, measure: .cosine)
        #expect(!search.usesStoredIndex && search.boundComponents == Self.components)
        expectExactWithinTheCutoff(search, corpus: corpus)
        // The index computed at open is the stored one, to the bit.
        let computed = SearchIndex.build(
            rows: corpus.rows, mean: corpus.statistics.mean, components: Self.components)
        let written = try #require(stored.searchIndex)
        #expect(computed.explainedVariance == written.explainedVariance)
        #expect(
            (0..<corpus.frameCount * Self.components).allSatisfy {
                computed.projected[$0] == written.projected[$0]
            })
        // Any edit upgrades it.
        let writer = try CorpusWriter.edit(url)
        try writer.update(source: "clip 0", weight: 1)
        try writer.commit()
        #expect(try manifest(url).version == 3 && manifest(url).searchIndex != nil)
    }

    /// An index of fewer components than the default (64, as written before 128 became it) still
    /// serves searches, and any edit rebuilds it with the default, removing the old file.
    @Test func anIndexOfOtherComponentsIsRebuiltByAnyEdit() throws {
        let directory = try TemporaryDirectory()
        let url = try Self.write(sources: 3, to: directory.file("large.scenophone"))
        var old = try manifest(url)
        let current = try #require(old.searchIndex)
        let corpus = try Corpus.open(url)
        let fewer = SearchIndex.build(rows: corpus.rows, mean: corpus.statistics.mean, components: 32)
        let fewerFile = "\(SourceID.make()).index"
        old.searchIndex = try fewer.write(
            to: url.appendingPathComponent("sources").appendingPathComponent(fewerFile),
            frameBlobs: current.frameBlobs)
        try old.encoded().write(to: url.appendingPathComponent(CorpusFormat.manifestName))
        try FileManager.default.removeItem(
            at: url.appendingPathComponent("sources").appendingPathComponent(current.file))

        let before = try Corpus.open(url)
        #expect(before.searchIndexComponents == 32)
        let search = NearestFrameSearch(corpus: before, measure: .cosine)
        #expect(search.usesStoredIndex && search.boundComponents == 32)
        expectExactWithinTheCutoff(search, corpus: before)

        let writer = try CorpusWriter.edit(url)
        try writer.update(source: "clip 0", weight: 2)
        try writer.commit()
        let rebuilt = try #require(try manifest(url).searchIndex)
        #expect(rebuilt.components == Self.components && rebuilt.file != fewerFile)
        #expect(!CorpusFixtures.listing(url.appendingPathComponent("sources")).contains(fewerFile))
        #expect(try Corpus.open(url).searchIndexComponents == Self.components)
    }
}
