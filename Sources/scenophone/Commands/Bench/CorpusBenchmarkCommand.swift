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
            later run reuses it, or to a temporary directory). Its embeddings come from the \
            benchmarks' one generator of video-like CNN features (clips that drift through a \
            power-law latent space; see `bench synth`, which also measures a real corpus). Then, \
            in alternating rounds:

            open: Corpus.open (manifest, every embedding and frame table read and checked against \
            SHA-256, audio and thumbnails mapped), beside the floor of reading the same frames \
            blobs with read(2) and hashing them (the page cache is warm after the first round).

            search: all distances from one query to every frame and the 10 nearest frames (the \
            exact full pass), and the pruned pass a vision update makes (exact distances only \
            within the default mapping's cutoff, lower bounds from --components principal \
            components, and the 10 nearest), beside the floor of streaming the embedding matrix \
            once through memory (cblas_sasum), at each OpenBLAS thread count. Half the queries are \
            a frame plus a little noise, half the midpoint of two frames (a scene the corpus has \
            not seen). The pruned pass's 10 nearest are checked against the exact search's.
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

    @Option(help: "Principal components behind the pruned pass's lower bounds.")
    var components = NearestFrameSearch.Strategy.defaultComponents

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
        let dimension = EfficientNetLite.embeddingSize
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
            print(
                "distances: \(RowProducts.kernelName); OpenBLAS \(BLAS.coreName); load average \(report.loadAverageBefore)"
            )
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
        let exact = NearestFrameSearch(corpus: corpus, strategy: .exact)
        var bounded: NearestFrameSearch!
        let setup = BenchmarkClock.seconds {
            bounded = NearestFrameSearch(corpus: corpus, strategy: .bounded(components: components))
        }
        report.boundsSetupSeconds = setup
        report.explainedVariance = bounded.explainedVariance
        if !json {
            print(
                String(
                    format:
                        "pruned pass: %d components (%.0f%% of the variance), prepared in %@; cutoff z ≤ %.2f",
                    bounded.boundComponents ?? 0, bounded.explainedVariance * 100,
                    BenchmarkClock.format(setup), Self.cutoff))
        }
        let workspace = bounded.makeWorkspace()
        var distances = [Float](repeating: 0, count: corpus.frameCount)
        var neighbors = [Neighbor](repeating: Neighbor(frame: 0, distance: 0), count: 10)
        for count in threads {
            BLAS.setThreads(count)
            var stream: [Double] = []
            var all: [Double] = []
            var top: [Double] = []
            var pruned: [Double] = []
            for _ in 0..<rounds {
                for query in queryList {
                    stream.append(
                        BenchmarkClock.seconds {
                            corpus.rows.forEachRun { _, frames, base in
                                _ = cblas_sasum(Int32(frames * dimension), base, 1)
                            }
                        })
                    query.withUnsafeBufferPointer { q in
                        distances.withUnsafeMutableBufferPointer { d in
                            neighbors.withUnsafeMutableBufferPointer { n in
                                all.append(BenchmarkClock.seconds { exact.distances(to: q, into: d) })
                                top.append(
                                    BenchmarkClock.seconds { exact.nearest(to: q, scratch: d, into: n) })
                                pruned.append(
                                    BenchmarkClock.seconds {
                                        bounded.distances(
                                            to: q, cutoff: Self.cutoff, eligible: nil, workspace: workspace,
                                            into: d, nearest: n)
                                    })
                            }
                        }
                    }
                }
            }
            let row = Report.Search(
                threads: count, streamMilliseconds: BenchmarkClock.median(stream) * 1000,
                distancesMilliseconds: BenchmarkClock.median(all) * 1000,
                nearest10Milliseconds: BenchmarkClock.median(top) * 1000,
                prunedMilliseconds: BenchmarkClock.median(pruned) * 1000)
            report.search.append(row)
            if !json {
                print(
                    String(
                        format: "%d thread(s): streaming the %.0f MB matrix once (sasum) %.2f ms; exact: all "
                            + "%d distances %.2f ms (%.2f× the stream), 10 nearest %.2f ms; pruned pass with "
                            + "10 nearest %.2f ms (%.2f×)",
                        count, Double(corpus.frameCount * dimension * 4) / 1e6, row.streamMilliseconds,
                        corpus.frameCount, row.distancesMilliseconds,
                        row.distancesMilliseconds / row.streamMilliseconds, row.nearest10Milliseconds,
                        row.prunedMilliseconds, row.prunedMilliseconds / row.streamMilliseconds))
            }
        }
        try compare(bounded, workspace: workspace, with: exact, queries: queryList, into: &report)
        report.loadAverageAfter = ProcessorUsage.loadAverage()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("load average after: \(report.loadAverageAfter)")
        }
    }

    /// The default mapping's cutoff in normalised distance (plateau + fall).
    private static let cutoff = DistanceMapping().cutoff(weightRatio: 1)

    /// Whether the pruned pass's 10 nearest are the exact search's, and how many exact distances
    /// it needed.
    private func compare(
        _ bounded: NearestFrameSearch, workspace: SearchWorkspace, with exact: NearestFrameSearch,
        queries: [[Float]], into report: inout Report
    ) throws {
        var agreeing = 0
        var computed: [Int] = []
        var distances = [Float](repeating: 0, count: exact.frameCount)
        var neighbors = [Neighbor](repeating: Neighbor(frame: 0, distance: 0), count: 10)
        for query in queries {
            let pass = query.withUnsafeBufferPointer { q in
                distances.withUnsafeMutableBufferPointer { d in
                    neighbors.withUnsafeMutableBufferPointer { n in
                        bounded.distances(
                            to: q, cutoff: Self.cutoff, eligible: nil, workspace: workspace, into: d,
                            nearest: n)
                    }
                }
            }
            computed.append(pass.exactDistances)
            let expected = exact.nearest(to: query, count: 10)
            if zip(neighbors, expected).allSatisfy({
                $0.frame == $1.frame && abs($0.distance - $1.distance) <= 1e-5 * $1.distance
            }) {
                agreeing += 1
            }
        }
        computed.sort()
        report.nearestAgreeing = agreeing
        report.medianExactDistances = computed[computed.count / 2]
        guard agreeing == queries.count else {
            throw ValidationError("the pruned pass's 10 nearest differ from the exact search's")
        }
        if !json {
            print(
                "pruned pass: exact distances for \(report.medianExactDistances) of \(exact.frameCount) frames "
                    + "(median); 10 nearest identical to the exact search's for \(agreeing) of \(queries.count) "
                    + "queries")
        }
    }

    /// Writes the synthetic corpus: embeddings from ``SyntheticEmbeddings``, a fake 3 kB thumbnail
    /// per frame, mono audio of 1/25 s per frame.
    private func writeCorpus(to url: URL, dimension: Int) throws {
        let model = ModelIdentity(
            name: "synthetic", inputSize: 224, embeddingSize: dimension,
            weightsSHA256: String(repeating: "0", count: 64),
            normalization: .tensorflow)
        let writer = try CorpusWriter.create(at: url, model: model)
        var generator = SyntheticEmbeddings(seed: 2019)
        let thumbnail: [UInt8] = [0xFF, 0xD8] + [UInt8](repeating: 0x55, count: 3_000) + [0xFF, 0xD9]
        for source in 0..<sources {
            let count = frames / sources + (source < frames % sources ? 1 : 0)
            var embeddings = [Float](repeating: 0, count: count * dimension)
            embeddings.withUnsafeMutableBufferPointer { generator.fill($0, frames: count) }
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

    /// The floor of a checked open: read every frames blob and hash it.
    private static func readAndHash(_ files: [URL]) throws {
        for file in files {
            _ = try FileChecksum.sha256(of: file)
        }
    }

    /// The results, for `--json`.
    struct Report: Encodable {
        struct Search: Encodable {
            var threads: Int
            var streamMilliseconds: Double
            var distancesMilliseconds: Double
            var nearest10Milliseconds: Double
            var prunedMilliseconds: Double
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
        var boundsSetupSeconds = 0.0
        var explainedVariance = 0.0
        var medianExactDistances = 0
        var nearestAgreeing = 0
    }
}
