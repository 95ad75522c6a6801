import Foundation

extension CorpusManifest {
    /// A picture taught as an example of a source: one embedding, searched like the source's own
    /// frames, whose probability mass is spread over `from..<to` of the source's audio (as a still
    /// photo's is over its whole recording).
    ///
    /// Its two blobs are a one-row frames blob and a thumbnails blob named by its own id, in the
    /// same format as a source's: the frame table's span repeats `from` and `to`.
    struct ExampleRecord: Codable, Equatable {
        /// 32 hex digits; the blobs are `sources/<id>.frames` and `sources/<id>.thumbs`.
        var id: String
        /// The start of the audio it stands for, in seconds of the source.
        var from: Double
        /// The end of the audio it stands for (the source's duration when it covers all of it).
        var to: Double
        /// What it was made from: `role` `"picture"` (a file) or `"camera"` (a frame taught in `serve`).
        var picture: InputRecord
        /// ISO 8601 time it was taught.
        var taught: String
        /// The embedding and its one-row frame table.
        var frames: BlobRecord
        /// The JPEG thumbnail.
        var thumbnails: BlobRecord

        /// The example as a one-frame source record sharing `source`'s timeline, so that the blob
        /// reader checks its frames and thumbnails blobs exactly as it checks a source's.
        ///
        /// - Parameter source: the source it was taught to.
        /// - Returns: a record naming the example's blobs (its audio blob is never opened).
        func blobRecord(of source: SourceRecord) -> SourceRecord {
            var record = source
            record.id = id
            record.name = "\(source.name)' example '\(id)"
            record.kind = .still
            record.frameCount = 1
            record.frames = frames
            record.thumbnails = thumbnails
            record.examples = nil
            return record
        }

        /// The blob files it owns.
        var blobFiles: [String] { [frames.file, thumbnails.file] }
    }
}

extension CorpusManifest.SourceRecord {
    /// The blob files of the source and of its examples: what garbage collection keeps.
    var allBlobFiles: [String] {
        BlobKind.allCases.map { blob($0).file } + (examples ?? []).flatMap(\.blobFiles)
    }
}

extension CorpusBundle {
    /// Checks the sources' examples before any blob is touched: ids unique among all ids, blob
    /// names derived from them, spans inside their source.
    ///
    /// - Parameters:
    ///   - sources: the manifest's sources (already checked by `validate`).
    ///   - url: the corpus, named in errors.
    /// - Throws: `CorpusError.damaged` describing the first inconsistency.
    static func validateExamples(_ sources: [CorpusManifest.SourceRecord], corpus url: URL) throws {
        var ids = Set(sources.map(\.id))
        for source in sources {
            for example in source.examples ?? [] {
                func fail(_ reason: String) -> CorpusError {
                    .damaged(url, reason: "source '\(source.name)': example \(example.id): \(reason)")
                }
                guard SourceID.isValid(example.id), ids.insert(example.id).inserted else {
                    throw fail("bad id")
                }
                guard example.frames.file == BlobKind.frames.fileName(source: example.id),
                    example.thumbnails.file == BlobKind.thumbnails.fileName(source: example.id)
                else { throw fail("unexpected blob names") }
                guard example.from.isFinite, example.to.isFinite, example.from >= 0,
                    example.from < example.to,
                    example.to <= source.duration + 1e-6
                else { throw fail("span \(example.from)–\(example.to) s is not inside the source") }
            }
        }
    }
}
