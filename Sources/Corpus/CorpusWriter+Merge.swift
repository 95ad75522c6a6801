import Foundation

extension CorpusWriter {
    /// Which part of a list of sources the corpus holds (`index --shard`), recorded in its
    /// manifest for `merge`; nil (the default) for a whole corpus.
    public var shard: CorpusShard? {
        get { manifest.shard }
        set {
            precondition(!finished, "the writer has been committed or abandoned")
            manifest.shard = newValue
        }
    }

    /// Adds a source of another corpus as it is, with its taught examples: no decoding, no
    /// embedding. Its blobs keep their ids (the ids are inside them) and are hard-linked, or copied
    /// across file systems, then checked against the manifest they came from.
    ///
    /// - Parameters:
    ///   - record: the source in the other corpus's manifest.
    ///   - corpus: the other corpus, named in errors.
    ///   - progress: called with the bytes checked so far in this source.
    /// - Returns: how many blobs were hard-linked and how many copied.
    /// - Throws: `CorpusError.sourceNameTaken` for a name already here, `.cannotMerge` for an id
    ///   already here, `.damaged` naming the other corpus and the blob when a blob is missing or
    ///   does not match its checksum. Blobs placed before the error are deleted at commit or abandon.
    func adopt(
        _ record: CorpusManifest.SourceRecord, from corpus: URL, progress: (Int64) -> Void = { _ in }
    ) throws -> (linked: Int, copied: Int) {
        precondition(!finished, "the writer has been committed or abandoned")
        try checkNewName(record.name)
        let ids = Set(manifest.sources.flatMap { [$0.id] + ($0.examples ?? []).map(\.id) })
        let newIDs = [record.id] + (record.examples ?? []).map(\.id)
        if let taken = newIDs.first(where: ids.contains) {
            throw CorpusError.cannotMerge(
                corpus, reason: "source '\(record.name)' reuses id \(taken), already in \(url.path)")
        }
        let blobs =
            BlobKind.allCases.map { record.blob($0) }
            + (record.examples ?? []).flatMap { [$0.frames, $0.thumbnails] }
        let directory = corpus.appendingPathComponent(CorpusFormat.sourcesDirectory)
        var linked = 0
        var copied = 0
        var done: Int64 = 0
        for blob in blobs {
            let placement = try BlobTransfer.place(
                blob, of: record.name, from: directory, corpus: corpus, into: sourcesDirectory
            ) { progress(done + $0) }
            done += blob.bytes
            switch placement {
            case .linked: linked += 1
            case .copied: copied += 1
            case .present: break
            }
        }
        manifest.sources.append(record)
        return (linked, copied)
    }
}
