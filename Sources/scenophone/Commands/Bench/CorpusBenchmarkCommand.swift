import ArgumentParser
import COpenBLAS
import Corpus
import Foundation
import Kernels
import MediaIO
import Synth
import Vision

/// `scenophone bench corpus`: opening and searching a large synthetic corpus, against the memory
/// and disk floors of the same bytes.
struct CorpusBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract:
            "Time opening and searching a synthetic corpus of 100 000 frames against raw reads of its bytes.",
        discussion: """
            A corpus of --frames frames (1280-d embeddings, in --sources sources, with mono \
            audio at 25 frames per second of sound) is written once (to --directory, where a \
            later run reuses it, or to a temporary directory). Its embeddings are shaped like \
            pooled CNN features: non-negative, their variance spread over components with a \
            power-law spectrum (the i-th of 256 latent factors has variance 1/i), plus a little \
            noise in every direction. Then, in alternating rounds:

            open: Corpus.open (manifest, every embedding and frame table read and checked against \
            SHA-256, audio and thumbnails mapped), beside the floor of reading the same frames \
            blobs with read(2) and hashing them (the page cache is warm after the first round).

            search: all distances from one query to every frame, and the 10 nearest frames \
            (NearestFrameSearch, exact and projected onto 128 principal components unless \
            --components says which), beside the floor of streaming the embedding matrix once \
            through memory (cblas_sasum), at each OpenBLAS thread count. Half the queries are a \
            frame plus a little noise, half the midpoint of two frames (a scene the corpus has not \
            seen). The projected search's 10 nearest are checked against the exact search's.
            """)

    @Option(help: "Frames in the synthetic corpus.")
    var frames = 100_000

    @Option(help: "Sources the frames are spread over.")
    var sources = 100

    @Option(help: "Alternating rounds.")
    var rounds = 5

    @Option(help: "Queries timed per search measurement (the median is reported).")
    var queries = 50

    @Option(parsing: .upToNextOption, help: "OpenBLAS thread counts for search.")
    var threads: [Int] = [1, 2]

    @Option(help: "Where to keep the synthetic corpus (reused when it is already there).")
    var directory: String?

    @Option(help: "Measure this corpus instead of a synthetic one (e.g. your own footage).")
    var from: String?

    @Option(
        help:
            "Measure only this search: 0 for exact, N for projected onto N components (default: both, N = 128)."
    )
    var components: Int?

    @Flag(help: "Print the results as JSON.")
    var json = false

    func validate() throws {
        guard frames >= sources, sources >= 1, rounds >= 1, queries >= 1, threads.allSatisfy({ $0 >= 1 })
        else {
            throw ValidationError("need frames ≥ sources ≥ 1 and positive rounds, queries and threads")
        }
    }

    func run() async throws {
        let work =
            directory.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "scenophone-bench-corpus-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { if directory == nil { try? FileManager.default.removeItem(at: work) } }
        let url =
            from.map { URL(fileURLWithPath: $0) }
            ?? work.appendingPathComponent("synthetic-\(frames)-\(sources).scenophone")
        let dimension = EfficientNetLite0.embeddingSize
        let writeTime =
            FileManager.default.fileExists(atPath: url.path)
            ? 0 : try BenchmarkClock.seconds { try writeCorpus(to: url, dimension: dimension) }
        var report = Report(
            frames: frames, sources: sources, dimension: dimension, openblasCore: BLAS.coreName,
            loadAverageBefore: ProcessorUsage.loadAverage(), writeSeconds: writeTime)
        let probe = try Corpus.open(url)
        report.frames = probe.frameCount
        report.sources = probe.sources.count
        report.sizeOnDisk = probe.sizeOnDisk
        let framesBlobs = probe.sources.map { url.appendingPathComponent("sources/\($0.id).frames") }
        if !json {
            print(
                (from == nil ? "synthetic corpus: " : "\(url.lastPathComponent): ")
                    + "\(probe.frameCount) frames × \(dimension) floats in \(probe.sources.count) sources, "
                    + "\(CorpusReport.size(probe.sizeOnDisk)) on disk"
                    + (writeTime > 0
                        ? ", written in \(BenchmarkClock.format(writeTime))" : " (already there)"))
            print("OpenBLAS \(BLAS.coreName); load average \(report.loadAverageBefore)")
        }

        // Opening against reading and hashing the same bytes.
        var opens: [Double] = []
        var floors: [Double] = []
        for _ in 0..<rounds {
            opens.append(try BenchmarkClock.seconds { _ = try Corpus.open(url) })
            floors.append(try BenchmarkClock.seconds { try Self.readAndHash(framesBlobs) })
        }
        report.openSeconds = opens
        report.readAndHashSeconds = floors
        report.verifyMediaSeconds = try BenchmarkClock.seconds { try probe.verifyMedia() }
        if !json {
            print(
                "open: median \(BenchmarkClock.format(BenchmarkClock.median(opens))) "
                    + "(first \(BenchmarkClock.format(opens[0]))); read + SHA-256 of the frames blobs "
                    + "\(BenchmarkClock.format(BenchmarkClock.median(floors))); ratio "
                    + String(format: "%.2f", BenchmarkClock.median(opens) / BenchmarkClock.median(floors)))
            print(
                "verify audio and thumbnails (on demand): \(BenchmarkClock.format(report.verifyMediaSeconds))"
            )
        }

        // Search, exact and projected, against streaming the matrix.
        let corpus = probe
        var generator = SystemRandomNumberGenerator()
        let queryList = (0..<queries).map { query -> [Float] in
            let frame = corpus.embedding(ofFrame: Int.random(in: 0..<corpus.frameCount, using: &generator))
            guard query % 2 == 1 else {
                return frame.map { $0 + Float.random(in: -0.05...0.05, using: &generator) }
            }
            let other = corpus.embedding(ofFrame: Int.random(in: 0..<corpus.frameCount, using: &generator))
            return zip(frame, other).map { ($0 + $1) / 2 }
        }
        let precisions: [NearestFrameSearch.Precision] =
            components.map { [$0 == 0 ? .exact : .projected(dimensions: $0)] } ?? [
                .exact, .projected(dimensions: 128),
            ]
        var searches: [(name: String, search: NearestFrameSearch)] = []
        for precision in precisions {
            var search: NearestFrameSearch!
            let setup = BenchmarkClock.seconds {
                search = NearestFrameSearch(corpus: corpus, precision: precision)
            }
            let name = search.projectedDimensions.map { "projected(\($0))" } ?? "exact"
            searches.append((name, search))
            report.searchSetupSeconds[name] = setup
            if search.projectedDimensions != nil { report.explainedVariance = search.explainedVariance }
            if let dimensions = search.projectedDimensions, !json {
                print(
                    String(
                        format: "projected search: %d components (%.0f%% of the variance), prepared in %@",
                        dimensions, search.explainedVariance * 100, BenchmarkClock.format(setup)))
            }
        }
        var distances = [Float](repeating: 0, count: corpus.frameCount)
        var neighbors = [Neighbor](repeating: Neighbor(frame: 0, distance: 0), count: 10)
        for count in threads {
            BLAS.setThreads(count)
            var stream: [Double] = []
            var timings = [(all: [Double], top: [Double])](repeating: ([], []), count: searches.count)
            for _ in 0..<rounds {
                for query in queryList {
                    stream.append(
                        BenchmarkClock.seconds {
                            _ = cblas_sasum(Int32(corpus.embeddings.count), corpus.embeddings.baseAddress, 1)
                        })
                    for (index, entry) in searches.enumerated() {
                        let (all, top) = Self.time(
                            entry.search, query: query, distances: &distances, neighbors: &neighbors)
                        timings[index].all.append(all)
                        timings[index].top.append(top)
                    }
                }
            }
            let streamMilliseconds = BenchmarkClock.median(stream) * 1000
            if !json {
                print(
                    String(
                        format: "%d thread(s): streaming the %.0f MB matrix once (sasum) %.2f ms",
                        count, Double(corpus.embeddings.count * 4) / 1e6, streamMilliseconds))
            }
            for (entry, timing) in zip(searches, timings) {
                let row = Report.Search(
                    precision: entry.name, threads: count,
                    distancesMilliseconds: BenchmarkClock.median(timing.all) * 1000,
                    nearest10Milliseconds: BenchmarkClock.median(timing.top) * 1000,
                    streamMilliseconds: streamMilliseconds)
                report.search.append(row)
                if !json {
                    print(
                        String(
                            format:
                                "  %@: all %d distances %.2f ms (%.2f× the stream), 10 nearest %.2f ms (%.2f×)",
                            entry.name, corpus.frameCount, row.distancesMilliseconds,
                            row.distancesMilliseconds / streamMilliseconds, row.nearest10Milliseconds,
                            row.nearest10Milliseconds / streamMilliseconds))
                }
            }
        }
        if let projected = searches.first(where: { $0.search.projectedDimensions != nil })?.search {
            try compare(
                projected, with: NearestFrameSearch(corpus: corpus), queries: queryList, into: &report)
        }
        report.loadAverageAfter = ProcessorUsage.loadAverage()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("load average after: \(report.loadAverageAfter)")
        }
    }

    /// Times one query: all distances, then the 10 nearest.
    private static func time(
        _ search: NearestFrameSearch, query: [Float], distances: inout [Float], neighbors: inout [Neighbor]
    ) -> (all: Double, top: Double) {
        query.withUnsafeBufferPointer { q in
            let all = BenchmarkClock.seconds {
                distances.withUnsafeMutableBufferPointer { search.distances(to: q, into: $0) }
            }
            let top = BenchmarkClock.seconds {
                distances.withUnsafeMutableBufferPointer { scratch in
                    neighbors.withUnsafeMutableBufferPointer {
                        _ = search.nearest(to: q, scratch: scratch, into: $0)
                    }
                }
            }
            return (all, top)
        }
    }

    /// How often the projected search proved its 10 nearest, whether they are the exact search's,
    /// and how far its estimated distances are from the exact ones.
    private func compare(
        _ projected: NearestFrameSearch, with exact: NearestFrameSearch, queries: [[Float]],
        into report: inout Report
    ) throws {
        let counts = projected.projectedNearestCounts
        var agreeing = 0
        var errors: [Double] = []
        var estimated = [Float](repeating: 0, count: exact.frameCount)
        var reference = [Float](repeating: 0, count: exact.frameCount)
        for query in queries {
            if projected.nearest(to: query, count: 10) == exact.nearest(to: query, count: 10) {
                agreeing += 1
            }
            query.withUnsafeBufferPointer { q in
                estimated.withUnsafeMutableBufferPointer { projected.distances(to: q, into: $0) }
                reference.withUnsafeMutableBufferPointer { exact.distances(to: q, into: $0) }
            }
            for frame in stride(from: 0, to: exact.frameCount, by: max(1, exact.frameCount / 1_000))
            where reference[frame] > 0 {
                errors.append(Double(abs(estimated[frame] - reference[frame]) / reference[frame]))
            }
        }
        errors.sort()
        report.nearestProven = counts.proven
        report.nearestFellBack = counts.fellBack
        report.nearestAgreeing = agreeing
        report.medianDistanceError = errors.isEmpty ? nil : errors[errors.count / 2]
        report.p95DistanceError = errors.isEmpty ? nil : errors[errors.count * 95 / 100]
        guard agreeing == queries.count else {
            throw ValidationError("the projected search's 10 nearest differ from the exact search's")
        }
        if !json {
            print(
                "projected 10 nearest: \(counts.proven) proven by the bounds, \(counts.fellBack) needed the exact "
                    + "pass too; identical to the exact search's for \(agreeing) of \(queries.count) queries")
            print(
                String(
                    format:
                        "projected distance estimates: median relative error %.2f%%, 95th percentile %.2f%%",
                    (report.medianDistanceError ?? 0) * 100, (report.p95DistanceError ?? 0) * 100))
        }
    }

    /// Writes the synthetic corpus: embeddings `max(0, 0.4 + F·Z + noise)` with 256 latent
    /// factors of variance 1/i (F random, Z standard normal), a fake 3 kB thumbnail per frame, mono
    /// audio of 1/25 s per frame.
    private func writeCorpus(to url: URL, dimension: Int) throws {
        let model = ModelIdentity(
            name: "synthetic", inputSize: 224, embeddingSize: dimension,
            weightsSHA256: String(repeating: "0", count: 64),
            normalization: .tensorflow)
        let writer = try CorpusWriter.create(at: url, model: model)
        var random = Xoshiro256(seed: 2019)
        let factors = 256
        let loadings = (0..<factors * dimension).map { _ in
            Float(Self.normal(&random)) / Float(dimension).squareRoot() * 8
        }
        let thumbnail: [UInt8] = [0xFF, 0xD8] + [UInt8](repeating: 0x55, count: 3_000) + [0xFF, 0xD9]
        for source in 0..<sources {
            let count = frames / sources + (source < frames % sources ? 1 : 0)
            let latent = (0..<count * factors).map {
                Float(Self.normal(&random)) / Float($0 % factors + 1).squareRoot()
            }
            var embeddings = (0..<count * dimension).map { _ in 0.4 + Float(Self.normal(&random)) * 0.05 }
            latent.withUnsafeBufferPointer { z in
                loadings.withUnsafeBufferPointer { f in
                    embeddings.withUnsafeMutableBufferPointer { x in
                        BLAS.multiply(
                            m: count, n: dimension, k: factors, a: z.baseAddress!, lda: factors,
                            b: f.baseAddress!,
                            ldb: dimension, c: x.baseAddress!, ldc: dimension, accumulate: true)
                    }
                }
            }
            for i in embeddings.indices where embeddings[i] < 0 { embeddings[i] = 0 }
            let audio = AudioClip(
                sampleRate: 48_000, channels: 1, samples: [Float](repeating: 0.01, count: count * 1_920))
            try writer.add(
                prepared: PreparedSource(
                    name: "source \(source)", kind: .video, frameTimes: (0..<count).map { Double($0) / 25 },
                    embeddings: embeddings, thumbnails: [[UInt8]](repeating: thumbnail, count: count),
                    audio: audio))
        }
        try writer.commit()
    }

    /// A standard normal deviate (Box–Muller).
    private static func normal(_ random: inout Xoshiro256) -> Double {
        (-2 * log(1 - random.unitDouble())).squareRoot() * cos(2 * Double.pi * random.unitDouble())
    }

    /// The floor of a checked open: read every frames blob and hash it.
    private static func readAndHash(_ files: [URL]) throws {
        for file in files {
            _ = try FileChecksum.sha256(of: file)
        }
    }

    /// The results, for `--json`.
    struct Report: Encodable {
        struct Search: Encodable {
            var precision: String
            var threads: Int
            var distancesMilliseconds: Double
            var nearest10Milliseconds: Double
            var streamMilliseconds: Double
        }
        var frames: Int
        var sources: Int
        var dimension: Int
        var openblasCore: String
        var loadAverageBefore: [Double]
        var loadAverageAfter: [Double] = []
        var writeSeconds: Double
        var sizeOnDisk: Int64 = 0
        var openSeconds: [Double] = []
        var readAndHashSeconds: [Double] = []
        var verifyMediaSeconds = 0.0
        var search: [Search] = []
        var searchSetupSeconds: [String: Double] = [:]
        var explainedVariance: Double?
        var nearestProven = 0
        var nearestFellBack = 0
        var nearestAgreeing = 0
        var medianDistanceError: Double?
        var p95DistanceError: Double?
    }
}
