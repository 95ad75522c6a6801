import Corpus
import Engine
import Foundation
import Synth

/// The part of `bench corpus` that issue #13's goals are about: on a corpus as a live session
/// opens it, the vision update's cost (search, map with smoothing, alias table handed to the
/// synthesizer) at p50 and p99, the time to open the corpus and prepare its search, the resident
/// memory while serving, and the total variation of p(t) from the exact one — beside FAISS's
/// exact flat index and an IVF index tuned to the same recall, run by `scripts/faiss_baseline.py`
/// in the bench virtualenv on the same embeddings and queries.
struct MillionFrameComparison {
    /// One search's figures, ours or FAISS's.
    struct Row: Encodable {
        var name: String
        /// The search alone (FAISS: one query's `search` of `k` nearest).
        var searchP50Ms: Double
        var searchP99Ms: Double
        /// The whole vision update (ours only: FAISS gives no p(t) by itself).
        var updateP50Ms: Double?
        var updateP99Ms: Double?
        /// Opening the corpus and preparing the search (FAISS: reading the vectors into its index).
        var openSeconds: Double
        var residentBytes: Int
        /// The largest total variation from the exact p(t) over the compared queries.
        var totalVariation: Double
        var note: String
    }

    /// What one of the slowest updates did: where its time went.
    struct SlowUpdate: Encodable {
        var searchMs: Double
        var updateMs: Double
        /// Frames with an exact distance, and of those, the frames within the cutoff (the ones the
        /// map gives likeness: the rest were computed because their bounds could not rule them out).
        var exactDistances: Int
        var withinCutoff: Int
        var survivingBlocks: Int
        var boundedFrames: Int
        /// Whether the lower bounds spared any frame (false: a full pass).
        var bounded: Bool
    }

    /// The figures, for `--json` and the table.
    struct Report: Encodable {
        var measure: String
        var frames: Int
        var updates: Int
        var comparedQueries: Int
        var mapMs = 0.0
        var aliasMs = 0.0
        var exactDistancesMedian = 0
        /// The five slowest updates, slowest first.
        var slowest: [SlowUpdate] = []
        var rows: [Row] = []
        var faiss: String?
        var faissSkipped: String?
    }

    let url: URL
    let measure: SimilarityMeasure
    let updates: Int
    let compared: Int
    let python: URL?
    let script: URL?
    let threads: Int

    /// Runs the comparison.
    ///
    /// - Returns: the report.
    /// - Throws: `CorpusError` when the corpus cannot be opened, ``SynthError`` for its audio.
    func run() throws -> Report {
        var corpus: Corpus!
        var search: NearestFrameSearch!
        // Until the search is ready: the corpus opened, then its search prepared (both timed).
        let opened = try BenchmarkClock.seconds { corpus = try Corpus.open(url) }
        let prepared = BenchmarkClock.seconds {
            search = NearestFrameSearch(corpus: corpus, measure: measure)
        }
        let open = opened + prepared
        let bank = try SoundBank(corpus: corpus)
        let map = try ProbabilityMap(bank: bank, timeConstant: 0.1)
        let synth = try GranularSynth(bank: bank)
        let workspace = search.makeWorkspace()
        let frames = corpus.frameCount
        let d = corpus.embeddingSize
        var report = Report(
            measure: measure.rawValue, frames: frames, updates: updates, comparedQueries: compared)

        // Queries half-way between consecutive frames of one source: like the corpus, not in it.
        let consecutive = corpus.sources.flatMap { $0.frames.dropLast() }
        let queries = (0..<updates + 3).map { update -> [Float] in
            let frame = consecutive[(update &* 7_919 &+ 13) % consecutive.count]
            let a = corpus.embedding(ofFrame: frame)
            let b = corpus.embedding(ofFrame: frame + 1)
            let raw = (0..<d).map { (a[$0] + b[$0]) / 2 }
            var query = raw
            raw.withUnsafeBufferPointer { r in
                query.withUnsafeMutableBufferPointer { search.transform(r, into: $0) }
            }
            return query
        }
        var distances = [Float](repeating: 0, count: frames)
        var neighbors = [Neighbor](repeating: Neighbor(frame: 0, distance: 0), count: 8)
        var searchTimes: [Double] = []
        var updateTimes: [Double] = []
        var mapTimes: [Double] = []
        var aliasTimes: [Double] = []
        var exact: [Int] = []
        var traces: [SlowUpdate] = []
        for (update, query) in queries.enumerated() {
            var pass: CutoffPass!
            let searched = query.withUnsafeBufferPointer { q in
                BenchmarkClock.seconds {
                    pass = distances.withUnsafeMutableBufferPointer { out in
                        neighbors.withUnsafeMutableBufferPointer { n in
                            search.distances(
                                to: q, cutoff: map.likenessCutoff, eligible: map.timeWeights,
                                workspace: workspace,
                                into: out, nearest: n)
                        }
                    }
                }
            }
            var published: SparseDistribution!
            let mapped = BenchmarkClock.seconds {
                published = distances.withUnsafeBufferPointer {
                    map.update(distances: $0, scale: pass.scale, time: Double(update) / 10)
                }
            }
            let handed = try BenchmarkClock.seconds {
                try synth.publish(published, generation: UInt64(update + 1), frameTime: Double(update) / 10)
            }
            // The first few page in the buffers.
            guard update >= 3 else { continue }
            searchTimes.append(searched)
            mapTimes.append(mapped)
            aliasTimes.append(handed)
            updateTimes.append(searched + mapped + handed)
            exact.append(pass.exactDistances)
            traces.append(
                trace(
                    of: pass, cutoff: map.likenessCutoff, distances: distances, nearest: neighbors[0],
                    seconds: (searched, updateTimes.last!)))
        }
        report.slowest = Array(traces.sorted { $0.updateMs > $1.updateMs }.prefix(5))
        // Resident memory while serving: before anything reads every embedding.
        let resident = try ProcessVitals.read(thread: 0).residentBytes
        report.mapMs = BenchmarkClock.median(mapTimes) * 1000
        report.aliasMs = BenchmarkClock.median(aliasTimes) * 1000
        report.exactDistancesMedian = exact.sorted()[exact.count / 2]

        // The exact p(t) of the first queries, from every distance, against ours and FAISS's.
        let checked = Array(queries.suffix(from: 3).prefix(compared))
        let exactSearch = NearestFrameSearch(corpus: corpus, measure: measure, strategy: .exact)
        let exactMap = try ProbabilityMap(bank: bank, timeConstant: 0)
        let oursMap = try ProbabilityMap(bank: bank, timeConstant: 0)
        var exactDistributions: [[Double]] = []
        var oursVariation = 0.0
        var scales: [Double] = []
        for query in checked {
            let scale = query.withUnsafeBufferPointer { search.rootMeanSquareDistance(to: $0) }
            scales.append(scale)
            query.withUnsafeBufferPointer { q in
                distances.withUnsafeMutableBufferPointer { exactSearch.distances(to: q, into: $0) }
            }
            distances.withUnsafeBufferPointer { _ = exactMap.update(distances: $0, scale: scale, time: 0) }
            let p = Array(exactMap.probabilities)
            exactDistributions.append(p)
            query.withUnsafeBufferPointer { q in
                distances.withUnsafeMutableBufferPointer { out in
                    neighbors.withUnsafeMutableBufferPointer { n in
                        _ = search.distances(
                            to: q, cutoff: oursMap.likenessCutoff, eligible: oursMap.timeWeights,
                            workspace: workspace, into: out, nearest: n)
                    }
                }
            }
            distances.withUnsafeBufferPointer { _ = oursMap.update(distances: $0, scale: scale, time: 0) }
            oursVariation = max(oursVariation, Self.totalVariation(p, oursMap.probabilities))
        }
        report.rows.append(
            Row(
                name: "scenophone (bounded, exact within the cutoff)",
                searchP50Ms: Self.percentile(searchTimes, 0.5) * 1000,
                searchP99Ms: Self.percentile(searchTimes, 0.99) * 1000,
                updateP50Ms: Self.percentile(updateTimes, 0.5) * 1000,
                updateP99Ms: Self.percentile(updateTimes, 0.99) * 1000, openSeconds: open,
                residentBytes: resident, totalVariation: oursVariation,
                note: (search.usesStoredIndex ? "stored search index" : "index computed at open")
                    + String(format: "; open %.2f s + search prepared %.2f s", opened, prepared)))

        guard let python, let script else {
            report.faissSkipped = "no bench virtualenv or script (scripts/setup --bench)"
            return report
        }
        let faiss = try runFAISS(
            python: python, script: script, corpus: corpus, queries: Array(queries.suffix(from: 3)))
        report.faiss = faiss.version
        for (index, result) in faiss.results.enumerated() {
            var variation = 0.0
            for (number, p) in exactDistributions.enumerated() {
                distances.withUnsafeMutableBufferPointer { $0.update(repeating: .infinity) }
                for slot in 0..<faiss.k {
                    let frame = result.ids[number * faiss.k + slot]
                    if frame >= 0 && frame < frames {
                        distances[frame] = result.distances[number * faiss.k + slot]
                    }
                }
                distances.withUnsafeBufferPointer {
                    _ = oursMap.update(distances: $0, scale: scales[number], time: 0)
                }
                variation = max(variation, Self.totalVariation(p, oursMap.probabilities))
            }
            report.rows.append(
                Row(
                    name: result.name, searchP50Ms: result.p50, searchP99Ms: result.p99, updateP50Ms: nil,
                    updateP99Ms: nil, openSeconds: result.build, residentBytes: result.resident,
                    totalVariation: variation, note: index == 0 ? "exact" : result.note))
        }
        return report
    }

    /// What the FAISS script measured and found.
    private struct FAISSResults {
        struct Index {
            var name: String
            var p50: Double
            var p99: Double
            var build: Double
            var resident: Int
            var note: String
            var ids: [Int]
            var distances: [Float]
        }
        var version: String
        var k: Int
        var results: [Index]
    }

    /// Runs `scripts/faiss_baseline.py` on the corpus's frames blobs and the queries.
    private func runFAISS(python: URL, script: URL, corpus: Corpus, queries: [[Float]]) throws -> FAISSResults
    {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scenophone-faiss-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let rowsFile = work.appendingPathComponent("rows.txt")
        let queriesFile = work.appendingPathComponent("queries.f32")
        let resultsFile = work.appendingPathComponent("results.bin")
        let lines = corpus.framesBlobFiles.map { "\($0.url.path) \($0.frames)" }.joined(separator: "\n")
        try Data((lines + "\n").utf8).write(to: rowsFile)
        var flat = queries.flatMap { $0 }
        try flat.withUnsafeMutableBytes { try Data($0).write(to: queriesFile) }
        let k = 1024
        let process = Process()
        process.executableURL = python
        process.arguments = [
            script.path, "--rows", rowsFile.path, "--dimension", String(corpus.embeddingSize), "--measure",
            measure == .cosine ? "cosine" : "euclidean", "--queries", queriesFile.path, "--k", String(k),
            "--threads", String(threads), "--results", resultsFile.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FAISSFailure(description: "\(script.path) failed with status \(process.terminationStatus)")
        }
        struct Timing: Decodable {
            var p50Ms: Double
            var p99Ms: Double
        }
        struct IVF: Decodable {
            var p50Ms: Double
            var p99Ms: Double
            var lists: Int
            var nprobe: Int
            var recallAt10: Double
        }
        struct Output: Decodable {
            var faissVersion: String
            var flatBuildSeconds: Double
            var ivfBuildSeconds: Double
            var flat: Timing
            var ivf: IVF
            var flatResidentBytes: Int
            var ivfResidentBytes: Int
        }
        let parsed = try JSONDecoder().decode(Output.self, from: data)
        let bytes = try Data(contentsOf: resultsFile)
        let count = queries.count * k
        var results: [FAISSResults.Index] = []
        bytes.withUnsafeBytes { raw in
            for part in 0..<2 {
                let base = part * count * 12
                let ids = (0..<count).map {
                    Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: base + $0 * 8, as: Int64.self)))
                }
                let distances = (0..<count).map {
                    Float(
                        bitPattern: UInt32(
                            littleEndian: raw.loadUnaligned(
                                fromByteOffset: base + count * 8 + $0 * 4, as: UInt32.self)))
                }
                results.append(
                    part == 0
                        ? FAISSResults.Index(
                            name: measure == .cosine ? "FAISS IndexFlatIP" : "FAISS IndexFlatL2",
                            p50: parsed.flat.p50Ms,
                            p99: parsed.flat.p99Ms, build: parsed.flatBuildSeconds,
                            resident: parsed.flatResidentBytes,
                            note: "exact", ids: ids, distances: distances)
                        : FAISSResults.Index(
                            name: "FAISS IndexIVFFlat", p50: parsed.ivf.p50Ms, p99: parsed.ivf.p99Ms,
                            build: parsed.ivfBuildSeconds, resident: parsed.ivfResidentBytes,
                            note: "\(parsed.ivf.lists) lists, nprobe \(parsed.ivf.nprobe): recall@10 "
                                + String(format: "%.3f", parsed.ivf.recallAt10),
                            ids: ids, distances: distances))
            }
        }
        return FAISSResults(version: parsed.faissVersion, k: k, results: results)
    }

    /// One update's figures; the cutoff as the map draws it, `d + cutoff·(s − d)` from the nearest `d`.
    private func trace(
        of pass: CutoffPass, cutoff: Double, distances: [Float], nearest: Neighbor,
        seconds: (search: Double, update: Double)
    ) -> SlowUpdate {
        let nearestDistance = Double(nearest.distance)
        let reach = Float(nearestDistance + cutoff * (pass.scale - nearestDistance))
        return SlowUpdate(
            searchMs: seconds.search * 1000, updateMs: seconds.update * 1000,
            exactDistances: pass.exactDistances,
            withinCutoff: distances.reduce(0) { $0 + ($1 <= reach ? 1 : 0) },
            survivingBlocks: pass.survivingBlocks, boundedFrames: pass.boundedFrames, bounded: pass.bounded)
    }

    /// The FAISS script failed.
    struct FAISSFailure: Error, CustomStringConvertible {
        var description: String
    }

    private static func totalVariation(_ a: [Double], _ b: UnsafeBufferPointer<Double>) -> Double {
        zip(a, b).reduce(0) { $0 + abs($1.0 - $1.1) } / 2
    }

    /// The value below which a share `q` of the values lie (nearest rank).
    private static func percentile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1)]
    }
}
