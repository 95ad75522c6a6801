import Corpus
import Foundation
import MediaIO
import TestSupport
import Testing

@Suite struct CorpusFormatTests {
    @Test func writtenContentReadsBackExactly() throws {
        let directory = try TemporaryDirectory()
        let url = try CorpusFixtures.write(
            [
                CorpusFixtures.video(name: "river", frames: 3, seed: 1),
                CorpusFixtures.video(name: "café", frames: 2, seed: 2),
            ],
            to: directory.file("walk.scenophone"))
        let corpus = try Corpus.open(url, expecting: CorpusFixtures.model(), verification: .full)
        #expect(corpus.frameCount == 5 && corpus.sources.map(\.name) == ["river", "café"])
        #expect(corpus.sources.map(\.frames) == [0..<3, 3..<5])
        #expect(corpus.rows.frameCount == 5 && corpus.rows.dimension == 16)
        #expect(Array(corpus.embedding(ofFrame: 4)) == (16..<32).map { Float(2_000 + $0) })
        #expect((0..<5).allSatisfy { Int(bitPattern: corpus.rows.row($0)) % 64 == 0 })
        // Video spans tile the source: half-way between frames, the first from 0, the last to the end.
        #expect(corpus.frames.prefix(3).map(\.audioSpan) == [0..<0.5, 0.5..<1.5, 1.5..<3])
        #expect(corpus.frames[3].source == 1 && corpus.frames[4].time == 1)
        let cafe = corpus.sources[1]
        #expect(cafe.channels == 2 && cafe.sampleRate == 48_000 && cafe.duration == 2)
        #expect(cafe.audioFrameCount == 96_000)
        #expect(cafe.audio[2 * 1_000] == 2 + 1_000 * 1e-6 && cafe.audio[2 * 1_000 + 1] == 2.5 + 1_000 * 1e-6)
        #expect(corpus.thumbnailJPEG(ofFrame: 4) == [0xFF, 0xD8, 2, 1, 0xFF, 0xD9])
        #expect(cafe.weight == 1 && !cafe.muted)
        #expect(corpus.sizeOnDisk > 5 * 48_000 * 2 * 4)
    }

    @Test func aStillStandsForItsWholeRecording() throws {
        let directory = try TemporaryDirectory()
        var still = CorpusFixtures.video(name: "rain", frames: 5)
        still.kind = .still
        still.frameTimes = [0]
        still.embeddings = Array(still.embeddings.prefix(16))
        still.thumbnails = [still.thumbnails[0]]
        let corpus = try Corpus.open(try CorpusFixtures.write([still], to: directory.file("c.scenophone")))
        #expect(corpus.frameCount == 1)
        #expect(corpus.frames[0].audioSpan == 0..<5)
        #expect(corpus.sources[0].kind == .still)
    }

    @Test func anotherModelsCorpusIsRefused() throws {
        let directory = try TemporaryDirectory()
        let url = try CorpusFixtures.write(
            [CorpusFixtures.video(name: "a", frames: 1)], to: directory.file("c.scenophone"))
        let other = CorpusFixtures.model(weights: String(repeating: "cd", count: 32))
        let error = try #require(throws: CorpusError.self) { try Corpus.open(url, expecting: other) }
        guard case .modelMismatch = error else {
            Issue.record("expected a model mismatch, got \(error)")
            return
        }
        #expect("\(error)".contains("c.scenophone") && "\(error)".contains("re-index"))
        var imagenet = CorpusFixtures.model()
        imagenet.normalization = .imagenet
        #expect(throws: CorpusError.self) { try Corpus.open(url, expecting: imagenet) }
    }

    /// Flipped bytes anywhere are caught: at open in what search reads, by `verifyMedia` in the rest.
    @Test(arguments: [
        ("manifest", 200, true), ("frames", 64 + 5, true), ("frames", 64 + 3 * 16 * 4 + 10, true),
        ("frames", 3, true), ("audio", 64 + 1_000, false), ("thumbs", 64 + 2, false),
    ])
    func flippedBytesAreDetected(file: String, offset: Int, atOpen: Bool) throws {
        let directory = try TemporaryDirectory()
        let url = try CorpusFixtures.write(
            [CorpusFixtures.video(name: "a", frames: 3)], to: directory.file("c.scenophone"))
        let target =
            file == "manifest"
            ? url.appendingPathComponent("manifest.json")
            : try CorpusFixtures.blob(url, source: 0, kind: file)
        try CorpusFixtures.flipByte(in: target, at: offset)
        if atOpen {
            let error = try #require(throws: CorpusError.self) { try Corpus.open(url) }
            #expect("\(error)".contains("c.scenophone") && "\(error)".contains("damaged"), "\(error)")
        } else {
            let corpus = try Corpus.open(url)
            let error = try #require(throws: CorpusError.self) { try corpus.verifyMedia() }
            #expect("\(error)".contains(".\(file)") && "\(error)".contains("checksum"), "\(error)")
            #expect(throws: CorpusError.self) { try Corpus.open(url, verification: .full) }
        }
    }

    @Test func truncatedOrMissingBlobsAreDetected() throws {
        let directory = try TemporaryDirectory()
        let url = try CorpusFixtures.write(
            [CorpusFixtures.video(name: "a", frames: 2)], to: directory.file("c.scenophone"))
        let audio = try CorpusFixtures.blob(url, source: 0, kind: "audio")
        let thumbs = try CorpusFixtures.blob(url, source: 0, kind: "thumbs")
        try FileHandle(forUpdating: audio).truncate(atOffset: 1_000)
        #expect(throws: CorpusError.self) { try Corpus.open(url) }
        try FileManager.default.removeItem(at: audio)
        try FileManager.default.removeItem(at: thumbs)
        let error = try #require(throws: CorpusError.self) { try Corpus.open(url) }
        #expect("\(error)".contains("missing"))
    }

    @Test func notACorpusIsSaidSo() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: CorpusError.self) { try Corpus.open(directory.url) }
        let file = directory.file("plain.scenophone")
        try Data("hello".utf8).write(to: file)
        let error = try #require(throws: CorpusError.self) { try Corpus.open(file) }
        #expect("\(error)".contains("plain.scenophone"))
        let missing = try #require(throws: CorpusError.self) {
            try Corpus.open(directory.file("nope.scenophone"))
        }
        #expect("\(missing)".contains("nope.scenophone"))
    }

    @Test func nothingAppearsUntilCommitAndAbandonLeavesNothing() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("new.scenophone")
        do {
            let writer = try CorpusWriter.create(at: url, model: CorpusFixtures.model())
            try writer.add(prepared: CorpusFixtures.video(name: "a", frames: 2))
            #expect(!FileManager.default.fileExists(atPath: url.path))
            writer.abandon()
        }
        #expect(CorpusFixtures.listing(directory.url).isEmpty)
        try CorpusFixtures.write([CorpusFixtures.video(name: "a", frames: 1)], to: url)
        #expect(throws: CorpusError.self) { try CorpusWriter.create(at: url, model: CorpusFixtures.model()) }
    }

    @Test func editsAreAtomicAndDoNotTouchOtherSources() throws {
        let directory = try TemporaryDirectory()
        let url = try CorpusFixtures.write(
            [CorpusFixtures.video(name: "a", frames: 2)], to: directory.file("c.scenophone"))
        let before = CorpusFixtures.listing(url.appendingPathComponent("sources"))
        let frames = try Data(contentsOf: try CorpusFixtures.blob(url, source: 0, kind: "frames"))
        // An abandoned edit changes nothing and leaves no files behind.
        do {
            let writer = try CorpusWriter.edit(url)
            try writer.add(prepared: CorpusFixtures.video(name: "b", frames: 1, seed: 2))
            try writer.update(source: "a", weight: 3)
        }
        #expect(CorpusFixtures.listing(url.appendingPathComponent("sources")) == before)
        #expect(try Corpus.open(url).sources.map(\.weight) == [1])
        // A committed edit adds files for the new source only; the old ones are the same bytes.
        let writer = try CorpusWriter.edit(url)
        try writer.add(prepared: CorpusFixtures.video(name: "b", frames: 1, seed: 2))
        try writer.update(source: "a", weight: 0.5, muted: true, newName: "river")
        try writer.commit()
        let after = CorpusFixtures.listing(url.appendingPathComponent("sources"))
        #expect(Set(before).isSubset(of: after) && after.count == before.count + 3)
        #expect(try Data(contentsOf: try CorpusFixtures.blob(url, source: 0, kind: "frames")) == frames)
        let corpus = try Corpus.open(url)
        #expect(corpus.sources.map(\.name) == ["river", "b"] && corpus.generation == 2)
        #expect(corpus.sources[0].weight == 0.5 && corpus.sources[0].muted)
        // Removing deletes the source's files.
        let remover = try CorpusWriter.edit(url)
        try remover.remove(named: "river")
        try remover.commit()
        #expect(CorpusFixtures.listing(url.appendingPathComponent("sources")).count == 3)
        #expect(try Corpus.open(url).sources.map(\.name) == ["b"])
    }

    @Test func oneWriterAtATime() throws {
        let directory = try TemporaryDirectory()
        let url = try CorpusFixtures.write(
            [CorpusFixtures.video(name: "a", frames: 1)], to: directory.file("c.scenophone"))
        let first = try CorpusWriter.edit(url)
        let error = try #require(throws: CorpusError.self) { try CorpusWriter.edit(url) }
        #expect("\(error)".contains("another scenophone process"))
        first.abandon()
        #expect(throws: Never.self) { try CorpusWriter.edit(url).abandon() }
    }

    @Test func badEditsAreRefused() throws {
        let directory = try TemporaryDirectory()
        let url = try CorpusFixtures.write(
            [
                CorpusFixtures.video(name: "a", frames: 1),
                CorpusFixtures.video(name: "b", frames: 1, seed: 2),
            ],
            to: directory.file("c.scenophone"))
        let writer = try CorpusWriter.edit(url)
        #expect(throws: CorpusError.self) { try writer.remove(named: "zzz") }
        #expect(throws: CorpusError.self) { try writer.update(source: "a", newName: "b") }
        #expect(throws: CorpusError.self) { try writer.update(source: "a", weight: -1) }
        #expect(throws: CorpusError.self) {
            try writer.add(prepared: CorpusFixtures.video(name: "a", frames: 1))
        }
        writer.abandon()
    }

    @Test func readersSurviveTheCorpusBeingReplaced() throws {
        let directory = try TemporaryDirectory()
        let url = try CorpusFixtures.write(
            [CorpusFixtures.video(name: "a", frames: 2)], to: directory.file("c.scenophone"))
        let old = try Corpus.open(url)
        let writer = try CorpusWriter.create(at: url, model: CorpusFixtures.model(), overwrite: true)
        try writer.add(prepared: CorpusFixtures.video(name: "z", frames: 1, seed: 9))
        try writer.commit()
        // The old blobs are deleted, but the open corpus still reads its (mapped) audio.
        #expect(old.sources[0].audio[2 * 47_999] == 1 + 47_999 * 1e-6)
        #expect(try Corpus.open(url).sources.map(\.name) == ["z"])
    }
}
