import Foundation
import Vision

/// Combines corpora into one without decoding or embedding anything: the shards of a list indexed
/// by separate jobs (`index --shard K/N`), or whole corpora, in order.
///
/// The merge makes the corpus one process indexing everything would have made: the same sources
/// in list order, the same blobs (hard-linked, or copied across file systems), the statistics
/// recomputed from the merged embeddings exactly as `index` computes them. It is written like any
/// new corpus (in a hidden staging directory, renamed into place), so a merge killed at any moment
/// leaves no corpus, or the corpus it was replacing unchanged.
///
/// It refuses, naming the corpus concerned: corpora of different models; a source name, input
/// file or id in two corpora; a blob missing or not matching its manifest's checksum; shards of
/// different lists, the same shard twice, a shard whose sources do not match its place in the
/// list, shards mixed with whole corpora, and an incomplete set of shards (unless told to allow it).
public enum CorpusMerge {
    /// What a merge may do.
    public struct Options: Sendable {
        /// Replace a corpus already at the destination (atomically, at the end).
        public var overwrite: Bool
        /// Merge the shards there are when some of the list's shards are missing.
        public var allowMissing: Bool

        /// Creates options.
        ///
        /// - Parameters:
        ///   - overwrite: replace a corpus at the destination.
        ///   - allowMissing: merge an incomplete set of shards.
        public init(overwrite: Bool = false, allowMissing: Bool = false) {
            self.overwrite = overwrite
            self.allowMissing = allowMissing
        }
    }

    /// What a merge did.
    public struct Summary: Sendable {
        /// The corpora merged, in the order their sources were taken.
        public var inputs: [URL]
        /// The shards (K) missing from the list's N, when `allowMissing` let the merge go on.
        public var missingShards: [Int]
        /// How many shards the list was cut into; nil when whole corpora were merged.
        public var shardCount: Int?
        /// Sources in the merged corpus.
        public var sources: Int
        /// Frames in the merged corpus (taught examples not counted).
        public var frames: Int
        /// Blobs hard-linked from the inputs.
        public var linkedBlobs: Int
        /// Blobs copied (the inputs are on another file system).
        public var copiedBlobs: Int
        /// Bytes of blobs checked against their checksums.
        public var bytes: Int64
    }

    /// One input corpus: where it is and what its manifest says.
    struct Input {
        var url: URL
        var manifest: CorpusManifest
        var model: ModelIdentity
    }

    /// Merges corpora into a new one.
    ///
    /// - Parameters:
    ///   - inputs: the corpora; shards are taken in shard order whatever the order given, whole
    ///     corpora in the order given.
    ///   - output: the corpus to create.
    ///   - options: overwrite, allow missing shards.
    ///   - progress: called with the bytes checked so far and the total.
    /// - Returns: what was merged.
    /// - Throws: `CorpusError.cannotMerge`, `.modelMismatch`, `.damaged` (naming the input and the
    ///   blob), `.alreadyExists`, `.busy`, or an error opening an input. Nothing is written then.
    public static func merge(
        _ inputs: [URL], into output: URL, options: Options = Options(),
        progress: (_ done: Int64, _ total: Int64) -> Void = { _, _ in }
    ) throws -> Summary {
        let output = output.standardizedFileURL
        let (ordered, missing, shardCount) = try plan(
            inputs, output: output, allowMissing: options.allowMissing)
        let total = ordered.reduce(Int64(0)) { sum, input in
            sum
                + input.manifest.sources.reduce(Int64(0)) { sum, record in
                    sum + BlobKind.allCases.reduce(Int64(0)) { $0 + record.blob($1).bytes }
                        + (record.examples ?? []).reduce(Int64(0)) {
                            $0 + $1.frames.bytes + $1.thumbnails.bytes
                        }
                }
        }
        let writer = try CorpusWriter.create(
            at: output, model: ordered[0].model, overwrite: options.overwrite)
        var summary = Summary(
            inputs: ordered.map(\.url), missingShards: missing, shardCount: shardCount, sources: 0, frames: 0,
            linkedBlobs: 0, copiedBlobs: 0, bytes: 0)
        do {
            for input in ordered {
                for record in input.manifest.sources {
                    let done = summary.bytes
                    let (linked, copied) = try writer.adopt(record, from: input.url) {
                        progress(done + $0, total)
                    }
                    summary.linkedBlobs += linked
                    summary.copiedBlobs += copied
                    summary.bytes +=
                        BlobKind.allCases.reduce(Int64(0)) { $0 + record.blob($1).bytes }
                        + (record.examples ?? []).reduce(Int64(0)) {
                            $0 + $1.frames.bytes + $1.thumbnails.bytes
                        }
                    summary.sources += 1
                    summary.frames += record.frameCount
                }
            }
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
        return summary
    }

    /// Reads and checks every input before anything is written.
    ///
    /// - Returns: the inputs in merge order, the missing shards (when allowed), and N for shards.
    static func plan(_ urls: [URL], output: URL, allowMissing: Bool) throws -> (
        [Input], missing: [Int], shardCount: Int?
    ) {
        guard !urls.isEmpty else { throw CorpusError.cannotMerge(output, reason: "no corpora to merge") }
        var seen = [String: URL]()
        let outputPath = output.resolvingSymlinksInPath().path
        var inputs = [Input]()
        for url in urls.map(\.standardizedFileURL) {
            let path = url.resolvingSymlinksInPath().path
            if path == outputPath {
                throw CorpusError.cannotMerge(url, reason: "it is the merge's own output")
            }
            if let other = seen[path] {
                throw CorpusError.cannotMerge(url, reason: "it is given twice (also as \(other.path))")
            }
            seen[path] = url
            let manifest = try CorpusManifest.decode(CorpusBundle.readManifest(url), corpus: url)
            try CorpusBundle.validate(manifest.sources, corpus: url)
            try CorpusBundle.validateExamples(manifest.sources, corpus: url)
            guard let model = manifest.model.identity else {
                throw CorpusError.damaged(
                    url, reason: "unknown normalisation '\(manifest.model.normalization)'")
            }
            if let first = inputs.first, first.model != model {
                throw CorpusError.cannotMerge(
                    url,
                    reason: "it was built with \(CorpusError.describe(model)), \(first.url.path) with "
                        + "\(CorpusError.describe(first.model)); embeddings of two models cannot be compared: "
                        + "index every shard with the same --model and the same model files")
            }
            inputs.append(Input(url: url, manifest: manifest, model: model))
        }
        let (ordered, missing, count) = try orderShards(inputs, output: output, allowMissing: allowMissing)
        try checkDuplicates(ordered)
        guard ordered.contains(where: { !$0.manifest.sources.isEmpty }) else {
            throw CorpusError.cannotMerge(output, reason: "the corpora given hold no sources")
        }
        return (ordered, missing, count)
    }

    /// Puts shards in shard order and checks they are one list's, each where it belongs, and all
    /// there (or allowed not to be); whole corpora stay in the order given.
    private static func orderShards(_ inputs: [Input], output: URL, allowMissing: Bool) throws -> (
        [Input], missing: [Int], count: Int?
    ) {
        let shards = inputs.filter { $0.manifest.shard != nil }
        if shards.isEmpty { return (inputs, [], nil) }
        if let whole = inputs.first(where: { $0.manifest.shard == nil }) {
            throw CorpusError.cannotMerge(
                whole.url,
                reason:
                    "it is a whole corpus and \(shards[0].url.path) is a shard of a list (index --shard); "
                    + "merge the shards of one list, or whole corpora, not both")
        }
        let first = shards[0].manifest.shard!
        var byIndex = [Int: Input]()
        for input in shards {
            let shard = input.manifest.shard!
            guard shard.count == first.count, shard.listSHA256 == first.listSHA256,
                shard.listCount == first.listCount
            else {
                throw CorpusError.cannotMerge(
                    input.url,
                    reason:
                        "it is shard \(shard.index)/\(shard.count) of a list of \(shard.listCount) sources "
                        + "(sha256 \(shard.listSHA256.prefix(12))…), \(shards[0].url.path) is shard "
                        + "\(first.index)/\(first.count) of a list of \(first.listCount) (sha256 "
                        + "\(first.listSHA256.prefix(12))…): shards of one merge come from one list cut into one N"
                )
            }
            if let other = byIndex[shard.index] {
                throw CorpusError.cannotMerge(
                    input.url,
                    reason: "it is shard \(shard.index)/\(shard.count), and so is \(other.url.path)")
            }
            let expected = CorpusShard.inputs(
                ofShard: shard.index, of: shard.count, listCount: shard.listCount)
            guard (0..<shard.count).contains(shard.index), shard.inputs == expected,
                input.manifest.sources.count == shard.inputCount
            else {
                throw CorpusError.cannotMerge(
                    input.url,
                    reason:
                        "as shard \(shard.index)/\(shard.count) it should hold sources \(expected.lowerBound + 1)–"
                        + "\(expected.upperBound) of the list, and it holds \(input.manifest.sources.count) "
                        + "(was it changed after indexing?): index the shard again with --overwrite")
            }
            byIndex[shard.index] = input
        }
        let missing = (0..<first.count).filter { byIndex[$0] == nil }
        if !missing.isEmpty && !allowMissing {
            let listed = missing.prefix(10).map { "\($0)/\(first.count)" }.joined(separator: ", ")
            let more = missing.count > 10 ? " and \(missing.count - 10) more" : ""
            throw CorpusError.cannotMerge(
                output,
                reason:
                    "\(missing.count) of the list's \(first.count) shards \(missing.count == 1 ? "is" : "are") "
                    + "missing (\(listed)\(more)): index \(missing.count == 1 ? "it" : "them") "
                    + "(index --shard K/N), or pass --allow-missing to merge the rest")
        }
        return (byIndex.keys.sorted().map { byIndex[$0]! }, missing, first.count)
    }

    /// Refuses a source name, input file (content checksum) or id found in two inputs.
    private static func checkDuplicates(_ inputs: [Input]) throws {
        var names = [String: URL]()
        var contents = [String: (name: String, url: URL)]()
        var ids = [String: URL]()
        for input in inputs {
            for record in input.manifest.sources {
                if let other = names[record.name] {
                    throw CorpusError.cannotMerge(
                        input.url,
                        reason: "source '\(record.name)' is also in \(other.path); names must be unique: "
                            + "rename one (sources set --rename) or give it NAME= in the list")
                }
                names[record.name] = input.url
                // Sources made in memory have no input files to compare.
                if !record.inputs.isEmpty {
                    let checksum = CorpusInputFile.checksum(of: record.inputs.map(\.sha256))
                    if let other = contents[checksum] {
                        throw CorpusError.cannotMerge(
                            input.url,
                            reason:
                                "source '\(record.name)' was made from the same file\(record.inputs.count > 1 ? "s" : "") "
                                + "as '\(other.name)' in \(other.url.path) (sha256 \(checksum.prefix(12))…)")
                    }
                    contents[checksum] = (record.name, input.url)
                }
                for id in [record.id] + (record.examples ?? []).map(\.id) {
                    if let other = ids[id] {
                        throw CorpusError.cannotMerge(
                            input.url,
                            reason:
                                "source '\(record.name)' has id \(id), as a source of \(other.path) does: "
                                + "is one a copy of the other?")
                    }
                    ids[id] = input.url
                }
            }
        }
    }
}
