import Foundation
import TestSupport
import Testing
import Vision

@testable import Corpus

/// `CorpusMerge`: shards of a list merge into the corpus one writer would have made, in list
/// order, and every refusal leaves nothing at the destination (or the previous corpus unchanged).
@Suite struct CorpusMergeTests {
    /// A list of five sources (the strings stand for the files; the fixtures write the content).
    private let list = SourceList(entries: ["a.mp4", "b.mp4", "c.mp4", "d.mp4", "e.mp4"])

    private func source(_ position: Int) -> PreparedSource {
        CorpusFixtures.video(name: "s\(position)", frames: 1 + position % 3, seed: position + 1)
    }

    /// Writes shard K of N of `list`, as `index --shard K/N` would.
    @discardableResult
    private func writeShard(
        _ index: Int, of count: Int, in directory: TemporaryDirectory, list: SourceList? = nil,
        model: ModelIdentity = CorpusFixtures.model()
    ) throws -> URL {
        let list = list ?? self.list
        let url = directory.file("shard-\(index).scenophone")
        let writer = try CorpusWriter.create(at: url, model: model)
        let shard = CorpusShard(index: index, of: count, list: list)
        writer.shard = shard
        for position in shard.inputs { try writer.add(prepared: source(position)) }
        try writer.commit()
        return url
    }

    /// The blob's bytes after its 64-byte header (which holds the random source id).
    private func payload(_ url: URL) throws -> Data {
        try Data(contentsOf: url).dropFirst(64)
    }

    private func inode(_ url: URL) -> UInt64 {
        var info = stat()
        stat(url.path, &info)
        return UInt64(info.st_ino)
    }

    @Test func shardsMergeIntoTheCorpusOneWriterMakes() throws {
        let directory = try TemporaryDirectory()
        let whole = try CorpusFixtures.write((0..<5).map(source), to: directory.file("whole.scenophone"))
        // Given out of order: shards are merged in shard order.
        let shards = try [2, 0, 1].map { try writeShard($0, of: 3, in: directory) }
        let merged = directory.file("merged.scenophone")
        let summary = try CorpusMerge.merge(shards, into: merged)
        #expect(summary.sources == 5 && summary.shardCount == 3 && summary.missingShards.isEmpty)
        #expect(summary.linkedBlobs == 15 && summary.copiedBlobs == 0)

        let expected = try Corpus.open(whole, verification: .full)
        let corpus = try Corpus.open(merged, verification: .full)
        #expect(corpus.sources.map(\.name) == ["s0", "s1", "s2", "s3", "s4"])
        #expect(corpus.sources.map(\.frames) == expected.sources.map(\.frames))
        #expect(allEmbeddings(corpus) == allEmbeddings(expected))
        #expect(corpus.statistics == expected.statistics)
        #expect(corpus.frames == expected.frames)
        for (mine, theirs) in zip(corpus.sources, expected.sources) {
            for kind in ["audio", "frames", "thumbs"] {
                let blob = merged.appendingPathComponent("sources/\(mine.id).\(kind)")
                #expect(
                    try payload(blob) == payload(whole.appendingPathComponent("sources/\(theirs.id).\(kind)"))
                )
            }
        }
        // The blobs are the shards' own files, linked, not copies; the merged corpus is no shard.
        let first = try Corpus.open(shards[1])
        #expect(
            inode(merged.appendingPathComponent("sources/\(first.sources[0].id).audio"))
                == inode(shards[1].appendingPathComponent("sources/\(first.sources[0].id).audio")))
        let manifest = try CorpusManifest.decode(CorpusBundle.readManifest(merged), corpus: merged)
        #expect(manifest.shard == nil && manifest.generation == 1)
    }

    @Test func wholeCorporaMergeInTheOrderGivenWithTheirExamplesAndCategories() throws {
        let directory = try TemporaryDirectory()
        let one = try CorpusFixtures.write([source(0), source(1)], to: directory.file("one.scenophone"))
        let two = try CorpusFixtures.write([source(2)], to: directory.file("two.scenophone"))
        let writer = try CorpusWriter.edit(two)
        try writer.setCategory("rain", ofSource: "s2")
        let origin = CorpusInputFile(
            role: "picture", fileName: "pier.jpg", bytes: 3, sha256: String(repeating: "1", count: 64))
        try writer.addExample(
            TaughtPicture(
                embedding: [Float](repeating: 0.5, count: 16), thumbnailJPEG: [0xFF, 0xD8, 0xFF, 0xD9],
                origin: origin),
            to: "s2", span: 0.5..<1.5)
        try writer.commit()

        let merged = directory.file("merged.scenophone")
        _ = try CorpusMerge.merge([two, one], into: merged)
        let corpus = try Corpus.open(merged, verification: .full)
        #expect(corpus.sources.map(\.name) == ["s2", "s0", "s1"])
        #expect(corpus.sources[0].category == "rain")
        #expect(corpus.examples.count == 1 && corpus.examples[0].span == 0.5..<1.5)
        #expect(corpus.examples[0].source == 0 && corpus.examples[0].picture.fileName == "pier.jpg")
        // The stored statistics count the sources' frames, not the examples, as one writer's do.
        let expected = try CorpusFixtures.write(
            [source(2), source(0), source(1)], to: directory.file("expected.scenophone"))
        func stored(_ url: URL) throws -> CorpusStatistics? {
            try CorpusManifest.decode(CorpusBundle.readManifest(url), corpus: url).statistics
        }
        #expect(try stored(merged) != nil && stored(merged) == stored(expected))
    }

    @Test func anIncompleteSetIsRefusedUnlessAllowed() throws {
        let directory = try TemporaryDirectory()
        let shards = try [0, 2].map { try writeShard($0, of: 3, in: directory) }
        let merged = directory.file("merged.scenophone")
        let error = try #require(throws: CorpusError.self) { try CorpusMerge.merge(shards, into: merged) }
        #expect("\(error)".contains("1/3") && "\(error)".contains("--allow-missing"), "\(error)")
        #expect(CorpusFixtures.listing(directory.url) == ["shard-0.scenophone", "shard-2.scenophone"])

        let summary = try CorpusMerge.merge(
            shards, into: merged, options: CorpusMerge.Options(allowMissing: true))
        #expect(summary.missingShards == [1])
        #expect(try Corpus.open(merged).sources.map(\.name) == ["s0", "s3", "s4"])
    }

    @Test func shardsThatDoNotBelongTogetherAreRefused() throws {
        let directory = try TemporaryDirectory()
        let zero = try writeShard(0, of: 2, in: directory)
        let merged = directory.file("merged.scenophone")
        func refusal(_ inputs: [URL]) throws -> String {
            let error = try #require(throws: CorpusError.self) { try CorpusMerge.merge(inputs, into: merged) }
            #expect(!FileManager.default.fileExists(atPath: merged.path))
            return "\(error)"
        }
        // Another cut of the list, another list, a whole corpus among shards, the same corpus twice.
        let elsewhere = try TemporaryDirectory()
        let cut = try writeShard(1, of: 3, in: elsewhere)
        #expect(try refusal([zero, cut]).contains("one list cut into one N"))
        let another = try TemporaryDirectory()
        let longer = SourceList(entries: list.entries + ["f.mp4"])
        let foreign = try writeShard(1, of: 2, in: another, list: longer)
        #expect(try refusal([zero, foreign]).contains("shard 1/2 of a list of 6 sources"))
        let whole = try CorpusFixtures.write([source(4)], to: directory.file("whole.scenophone"))
        #expect(try refusal([zero, whole]).contains("is a whole corpus"))
        #expect(try refusal([zero, zero]).contains("given twice"))
        // A shard edited after indexing no longer holds its block of the list.
        let one = try writeShard(1, of: 2, in: directory)
        let editor = try CorpusWriter.edit(one)
        try editor.remove(named: "s4")
        try editor.commit()
        #expect(try refusal([zero, one]).contains("changed after indexing"))
    }

    @Test func anotherModelOrADuplicateSourceIsRefused() throws {
        let directory = try TemporaryDirectory()
        let one = try CorpusFixtures.write([source(0)], to: directory.file("one.scenophone"))
        let lite = try CorpusFixtures.write(
            [source(1)], to: directory.file("other-model.scenophone"),
            model: CorpusFixtures.model(weights: String(repeating: "cd", count: 32)))
        let merged = directory.file("merged.scenophone")
        let mismatch = try #require(throws: CorpusError.self) {
            try CorpusMerge.merge([one, lite], into: merged)
        }
        #expect("\(mismatch)".contains("other-model.scenophone") && "\(mismatch)".contains("two models"))
        let twin = try CorpusFixtures.write([source(0)], to: directory.file("twin.scenophone"))
        let duplicate = try #require(throws: CorpusError.self) {
            try CorpusMerge.merge([one, twin], into: merged)
        }
        #expect("\(duplicate)".contains("twin.scenophone") && "\(duplicate)".contains("'s0' is also in"))
        #expect(!FileManager.default.fileExists(atPath: merged.path))
    }

    @Test func shardsOnAnotherFileSystemAreCopiedAndChecked() throws {
        // /dev/shm is a tmpfs, another file system than the temporary directory's on most Linux
        // machines; hard links cannot cross file systems, so the merge copies.
        let shm = URL(fileURLWithPath: "/dev/shm")
        var here = stat()
        var there = stat()
        let directory = try TemporaryDirectory()
        guard stat(shm.path, &there) == 0, stat(directory.url.path, &here) == 0, here.st_dev != there.st_dev
        else {
            try Test.cancel(
                "/dev/shm is missing or on the temporary directory's file system: no copy to test")
        }
        let remote = shm.appendingPathComponent("scenophone-merge-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: remote, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: remote) }
        let shards = try (0..<2).map { index -> URL in
            let url = remote.appendingPathComponent("shard-\(index).scenophone")
            let writer = try CorpusWriter.create(at: url, model: CorpusFixtures.model())
            let shard = CorpusShard(index: index, of: 2, list: list)
            writer.shard = shard
            for position in shard.inputs { try writer.add(prepared: source(position)) }
            try writer.commit()
            return url
        }
        let merged = directory.file("merged.scenophone")
        let summary = try CorpusMerge.merge(shards, into: merged)
        #expect(summary.copiedBlobs == 15 && summary.linkedBlobs == 0)
        let whole = try CorpusFixtures.write((0..<5).map(source), to: directory.file("whole.scenophone"))
        let corpus = try Corpus.open(merged, verification: .full)
        // The expected corpus is held open: its embeddings live as long as it does.
        let expected = try Corpus.open(whole)
        #expect(allEmbeddings(corpus) == allEmbeddings(expected))
        #expect(corpus.sources.map(\.name) == ["s0", "s1", "s2", "s3", "s4"])

        // A damaged blob is refused on the way, and its partial copy does not stay behind.
        try CorpusFixtures.flipByte(in: try CorpusFixtures.blob(shards[0], source: 1, kind: "thumbs"), at: 66)
        let again = directory.file("again.scenophone")
        let error = try #require(throws: CorpusError.self) { try CorpusMerge.merge(shards, into: again) }
        #expect("\(error)".contains("shard-0.scenophone") && "\(error)".contains(".thumbs does not match"))
        #expect(!FileManager.default.fileExists(atPath: again.path))
    }

    @Test func aDamagedBlobIsRefusedNamingTheShardAndTheBlob() throws {
        let directory = try TemporaryDirectory()
        let shards = try [0, 1].map { try writeShard($0, of: 2, in: directory) }
        let audio = try CorpusFixtures.blob(shards[1], source: 1, kind: "audio")
        try CorpusFixtures.flipByte(in: audio, at: 100_000)
        let merged = directory.file("merged.scenophone")
        let error = try #require(throws: CorpusError.self) { try CorpusMerge.merge(shards, into: merged) }
        #expect("\(error)".contains("shard-1.scenophone"), "\(error)")
        #expect("\(error)".contains("sources/\(audio.lastPathComponent) does not match its checksum"))
        // Nothing is left: no corpus, no staging directory.
        #expect(CorpusFixtures.listing(directory.url) == ["shard-0.scenophone", "shard-1.scenophone"])
    }

    @Test func aFailedOverwriteLeavesThePreviousCorpusUnchanged() throws {
        let directory = try TemporaryDirectory()
        let merged = try CorpusFixtures.write([source(4)], to: directory.file("merged.scenophone"))
        let before = try Data(contentsOf: merged.appendingPathComponent("manifest.json"))
        let blobs = CorpusFixtures.listing(merged.appendingPathComponent("sources"))
        let shards = try [0, 1].map { try writeShard($0, of: 2, in: directory) }
        let frames = try CorpusFixtures.blob(shards[1], source: 2, kind: "frames")
        try CorpusFixtures.flipByte(in: frames, at: 70)
        #expect(throws: CorpusError.self) {
            try CorpusMerge.merge(shards, into: merged, options: CorpusMerge.Options(overwrite: true))
        }
        #expect(try Data(contentsOf: merged.appendingPathComponent("manifest.json")) == before)
        #expect(CorpusFixtures.listing(merged.appendingPathComponent("sources")) == blobs)
        #expect(try Corpus.open(merged, verification: .full).sources.map(\.name) == ["s4"])
    }

    @Test func shardsAreContiguousBalancedBlocksCoveringTheList() throws {
        for count in 1...20 {
            for shards in 1...count {
                let blocks = (0..<shards).map {
                    CorpusShard.inputs(ofShard: $0, of: shards, listCount: count)
                }
                #expect(blocks.first?.lowerBound == 0 && blocks.last?.upperBound == count)
                #expect(zip(blocks, blocks.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                let sizes = blocks.map(\.count)
                #expect(sizes.min()! >= 1 && sizes.max()! - sizes.min()! <= 1)
            }
        }
        #expect(try CorpusShard.parse("3/8") == (3, 8))
        for bad in ["8/8", "-1/4", "1/0", "1", "a/b", "1/2/3"] {
            #expect(throws: CorpusError.self) { try CorpusShard.parse(bad) }
        }
    }

    @Test func aListIsOneSourceALineWhateverItsCommentsAndLineEnds() throws {
        let text =
            "# an archive\r\nriver.mp4\r\n\r\n  rain=rain.jpg+rain.ogg@rain  \r\n#street.mp4\r\nmy café.mkv"
        let list = SourceList.parse(text)
        #expect(list.entries == ["river.mp4", "rain=rain.jpg+rain.ogg@rain", "my café.mkv"])
        #expect(
            list.sha256 == SourceList.parse("river.mp4\nrain=rain.jpg+rain.ogg@rain\nmy café.mkv\n").sha256)
        #expect(
            list.sha256 != SourceList.parse("rain=rain.jpg+rain.ogg@rain\nriver.mp4\nmy café.mkv\n").sha256)
    }
}

/// Every embedding of a corpus, frame after frame (they live in one mapped file per source).
private func allEmbeddings(_ corpus: Corpus) -> [Float] {
    (0..<corpus.frameCount).flatMap { Array(corpus.embedding(ofFrame: $0)) }
}
