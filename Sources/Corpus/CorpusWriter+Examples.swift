import Foundation

/// Teaching by example: pictures added to a source, searched like its frames, forgotten at will.
/// Like every other change, nothing is visible before `commit()`.
extension CorpusWriter {
    /// Adds a picture as an example of a source.
    ///
    /// Its embedding and thumbnail go to two new blobs (never touching existing ones); the manifest
    /// names them at commit.
    ///
    /// - Parameters:
    ///   - picture: the embedded picture; its embedding must be the corpus model's.
    ///   - sourceName: the source it looks like.
    ///   - span: the seconds of the source's audio it stands for; nil for the whole source.
    /// - Returns: the new example's id.
    /// - Throws: `CorpusError.noSuchSource`; `.invalidInput` for a span outside the source or an
    ///   embedding of the wrong length; `.embedding` for a non-finite one; a write error.
    @discardableResult
    public func addExample(_ picture: TaughtPicture, to sourceName: String, span: Range<Double>? = nil)
        throws -> String
    {
        precondition(!finished, "the writer has been committed or abandoned")
        guard let index = manifest.sources.firstIndex(where: { $0.name == sourceName }) else {
            throw CorpusError.noSuchSource(url, name: sourceName)
        }
        let duration = manifest.sources[index].duration
        let span = span ?? 0..<duration
        try Self.checkExampleSpan(span, sourceName: sourceName, duration: duration)
        guard picture.embedding.count == model.embeddingSize, !picture.thumbnailJPEG.isEmpty else {
            throw CorpusError.invalidInput(
                picture.origin.fileName,
                reason: "the example's embedding has \(picture.embedding.count) values, the corpus's model "
                    + "makes \(model.embeddingSize)")
        }
        let id = SourceID.make()
        let frames = try BlobWriter(directory: sourcesDirectory, kind: .frames, sourceID: id)
        let thumbnails: BlobWriter
        do {
            thumbnails = try BlobWriter(directory: sourcesDirectory, kind: .thumbnails, sourceID: id)
        } catch {
            frames.abandon()
            throw error
        }
        do {
            guard picture.embedding.allSatisfy(\.isFinite) else {
                throw CorpusError.embedding(frames.url, reason: "the example's embedding is not finite")
            }
            let thumbnailOffset = thumbnails.byteCount
            try picture.thumbnailJPEG.withUnsafeBytes { try thumbnails.append($0) }
            try picture.embedding.withUnsafeBytes { try frames.append($0) }
            // One frame-table row, as `SourceBlobs` writes them: its time is the span's start.
            var row = [UInt8]()
            for value in [span.lowerBound, span.lowerBound, span.upperBound] {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { row += $0 }
            }
            withUnsafeBytes(of: UInt64(thumbnailOffset).littleEndian) { row += $0 }
            withUnsafeBytes(of: UInt32(picture.thumbnailJPEG.count).littleEndian) { row += $0 }
            row += [0, 0, 0, 0]
            try row.withUnsafeBytes { try frames.append($0) }
            let origin = picture.origin
            let record = CorpusManifest.ExampleRecord(
                id: id, from: span.lowerBound, to: span.upperBound,
                picture: CorpusManifest.InputRecord(
                    role: origin.role, fileName: origin.fileName, bytes: origin.bytes, sha256: origin.sha256),
                taught: CorpusManifest.timestamp(), frames: try frames.finish(),
                thumbnails: try thumbnails.finish())
            manifest.sources[index].examples = (manifest.sources[index].examples ?? []) + [record]
        } catch {
            frames.abandon()
            thumbnails.abandon()
            throw error
        }
        return id
    }

    /// Checks a span an example could stand for.
    ///
    /// - Parameters:
    ///   - span: seconds of the source's audio.
    ///   - sourceName: the source, named in the error.
    ///   - duration: the source's duration.
    /// - Throws: `CorpusError.invalidInput` naming the values when the span is empty, not finite or
    ///   not inside the source.
    public static func checkExampleSpan(_ span: Range<Double>, sourceName: String, duration: Double) throws {
        let inside =
            span.lowerBound.isFinite && span.upperBound.isFinite && span.lowerBound >= 0
            && span.upperBound <= duration + 1e-6 && span.upperBound - span.lowerBound > 0
        guard inside else {
            throw CorpusError.invalidInput(
                "--from \(span.lowerBound) --to \(span.upperBound)",
                reason: String(
                    format: "an example's range must lie inside '%@' (0–%.2f s) and not be empty",
                    sourceName, duration))
        }
    }

    /// A source's duration, to check a range before teaching.
    ///
    /// - Parameter name: the source's name.
    /// - Returns: its audio's length in seconds, or nil when no source has the name.
    public func duration(ofSource name: String) -> Double? {
        manifest.sources.first { $0.name == name }?.duration
    }

    /// The ids of the examples the corpus will hold after commit, source by source.
    public var exampleIDs: [String] { manifest.sources.flatMap { ($0.examples ?? []).map(\.id) } }

    /// Forgets one example (its blobs are deleted at commit).
    ///
    /// - Parameter id: its id, or a prefix of it that no other example's id starts with.
    /// - Returns: the full id forgotten.
    /// - Throws: `CorpusError.noSuchExample` when no example matches, or several do.
    @discardableResult
    public func forgetExample(_ id: String) throws -> String {
        precondition(!finished, "the writer has been committed or abandoned")
        let matches = exampleIDs.filter { $0.hasPrefix(id.lowercased()) }
        guard !id.isEmpty, let match = matches.first else {
            throw CorpusError.noSuchExample(url, id: id, reason: "no example has the id")
        }
        guard matches.count == 1 else {
            throw CorpusError.noSuchExample(
                url, id: id, reason: "\(matches.count) examples have ids starting with")
        }
        for index in manifest.sources.indices {
            manifest.sources[index].examples?.removeAll { $0.id == match }
            if manifest.sources[index].examples?.isEmpty == true { manifest.sources[index].examples = nil }
        }
        return match
    }

    /// Forgets every example, or every example of one source.
    ///
    /// - Parameter sourceName: the source whose examples go; nil for all sources.
    /// - Returns: how many examples were forgotten.
    /// - Throws: `CorpusError.noSuchSource` for an unknown source.
    @discardableResult
    public func forgetAllExamples(of sourceName: String? = nil) throws -> Int {
        precondition(!finished, "the writer has been committed or abandoned")
        if let sourceName, !manifest.sources.contains(where: { $0.name == sourceName }) {
            throw CorpusError.noSuchSource(url, name: sourceName)
        }
        var count = 0
        for index in manifest.sources.indices
        where sourceName == nil || manifest.sources[index].name == sourceName {
            count += manifest.sources[index].examples?.count ?? 0
            manifest.sources[index].examples = nil
        }
        return count
    }
}
