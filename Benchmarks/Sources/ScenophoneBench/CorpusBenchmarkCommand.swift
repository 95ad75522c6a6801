import ArgumentParser
import Corpus
import Foundation
import Kernels
import MediaIO
import Synth
import Vision

/// `scenophone-bench corpus`: opening and searching a large synthetic corpus, against the memory
/// and disk floors of the same bytes, and the vision update beside FAISS (issue #13's table).
struct CorpusBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract:
            "Time opening and searching a synthetic corpus against raw reads of its bytes, and the vision update against FAISS.",
        discussion: """
            A corpus of --frames frames (1280-d embeddings, in --sources sources, each frame \
            standing for 1 ms of mono audio so that a million frames fit on disk) is written once \
            to --directory (by default ~/.cache/scenophone/bench-corpus), named after its \
            parameters, and reused by later runs (5.5 GB at a million frames). Its embeddings come from the \
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

            vision update (first, so that resident memory is measured before anything reads every \
            embedding): the corpus opened and its --similarity search prepared as a live session \
            does, then --updates vision updates (search within the default mapping's cutoff, map \
            with smoothing, alias table handed to the synthesizer) from queries half-way between \
            consecutive frames: p50 and p99, resident memory, and the largest total variation of \
            p(t) from the exact p(t) (all distances) over --compared queries. Beside it, FAISS \
            (scripts/faiss_baseline.py in the bench virtualenv, scripts/setup --bench) on the same \
            embeddings and queries: the exact IndexFlatIP (L2 for euclidean) and an IndexIVFFlat \
            whose nprobe is raised until its 10 nearest match the exact ones for every query; \
            their 1024 nearest give p(t) through the same map.
            """)

    @Option(help: "Frames in the synthetic corpus.")
    var frames = 100_000

    @Option(help: "Sources the frames are spread over.")
    var sources = 100

    @Option(help: "Alternating rounds.")
    var rounds = 5

    @Option(help: "Queries timed per search measurement (the median is reported).")
    var queries = 20

    @Option(parsing: .upToNextOption, help: "OpenBLAS thread counts for search.")
    var threads: [Int] = [1]

    @Option(help: "Where to keep the synthetic corpus (reused when it is already there).")
    var directory: String?

    @Option(help: "The similarity measure of the vision update: euclidean, cosine or centred-cosine.")
    var similarity: SimilarityMeasure = .standard

    @Option(help: "Vision updates timed (p50 and p99 are reported).")
    var updates = 200

    @Option(help: "Queries whose p(t) is compared with the exact one (a full pass each).")
    var compared = 10

    @Flag(help: "Skip the FAISS comparison.")
    var noFaiss = false

    @Option(help: "The Python with FAISS (default: ~/.cache/scenophone/bench-venv/bin/python).")
    var python: String?

    @Option(help: "Measure this corpus instead of a synthetic one (e.g. your own footage).")
    var from: String?

    @Option(help: "Principal components behind the pruned pass's lower bounds.")
    var components = NearestFrameSearch.Strategy.defaultComponents

    @Flag(help: "Print the results as JSON.")
    var json = false

    func validate() throws {
        guard frames >= sources, sources >= 1, rounds >= 1, queries >= 1, threads.allSatisfy({ $0 >= 1 }),
            updates >= 1, compared >= 1, compared <= updates
        else {
            throw ValidationError(
                "need frames ≥ sources ≥ 1, positive rounds, queries, threads and updates, and compared ≤ updates"
            )
        }
    }

    func run() async throws {
        let work =
            directory.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(
                ".cache/scenophone/bench-corpus")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        // Named after everything that shapes it, so a cached corpus is only reused for the same one.
        let url =
            from.map { URL(fileURLWithPath: $0) }
            ?? work.appendingPathComponent(
                "synthetic-\(frames)-frames-\(sources)-sources-seed2019-1ms-format\(Corpus.formatVersionWritten).scenophone"
            )
        let dimension = EfficientNetLite.embeddingSize
        let writeTime =
            FileManager.default.fileExists(atPath: url.path)
            ? 0 : try BenchmarkClock.seconds { try writeCorpus(to: url, dimension: dimension) }
        var report = Report(
            frames: frames, sources: sources, dimension: dimension, openblasCore: BLAS.coreName,
            loadAverageBefore: ProcessorUsage.loadAverage(), writeSeconds: writeTime)
        var probe = try Corpus.open(url)
        // A synthetic corpus cached before the index's default components changed is upgraded as a
        // user's would be, by an edit (which rebuilds the index), rather than written again.
        if from == nil, let components = probe.searchIndexComponents,
            components != NearestFrameSearch.Strategy.components(forDimension: probe.embeddingSize)
        {
            let seconds = try BenchmarkClock.seconds { try CorpusWriter.edit(url).commit() }
            probe = try Corpus.open(url)
            if !json {
                print(
                    "the cached corpus's search index: \(components) components, rebuilt with "
                        + "\(probe.searchIndexComponents ?? 0) in \(BenchmarkClock.format(seconds))")
            }
        }
        report.frames = probe.frameCount
        report.sources = probe.sources.count
        report.sizeOnDisk = probe.sizeOnDisk
        let framesBlobs = probe.sources.map { url.appendingPathComponent("sources/\($0.id).frames") }
        if !json {
            print(
                (from == nil ? "synthetic corpus: " : "\(url.lastPathComponent): ")
                    + "\(probe.frameCount) frames × \(dimension) floats in \(probe.sources.count) sources, "
                    + "\(String(format: "%.1f MB", Double(probe.sizeOnDisk) / 1e6)) on disk at \(url.path)"
                    + (writeTime > 0
                        ? ", written in \(BenchmarkClock.format(writeTime))"
                        : " (cached from an earlier run)"))
            print(
                "distances: \(RowProducts.kernelName); OpenBLAS \(BLAS.coreName); load average \(report.loadAverageBefore)"
            )
        }

        // The vision update against FAISS, first: resident memory before anything reads every row.
        let script = SharedDirectory.findInAncestors("scripts/faiss_baseline.py")
        let interpreter =
            python.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(
                ".cache/scenophone/bench-venv/bin/python")
        let comparison = try MillionFrameComparison(
            url: url, measure: similarity, updates: updates, compared: compared,
            python: !noFaiss && FileManager.default.isExecutableFile(atPath: interpreter.path)
                ? interpreter : nil,
            script: noFaiss ? nil : script, threads: 1
        ).run()
        report.visionUpdate = comparison
        if !json { Self.printTable(comparison) }

        // Opening against reading and hashing the same bytes.
        var opens: [Double] = []
        var floors: [Double] = []
        for _ in 0..<rounds {
            opens.append(try BenchmarkClock.seconds { _ = try Corpus.open(url) })
            // The floor of a hashed open; a large corpus's frames blobs are not hashed at open.
            if probe.framesHashedAtOpen {
                floors.append(try BenchmarkClock.seconds { try Self.readAndHash(framesBlobs) })
            }
        }
        report.openSeconds = opens
        report.readAndHashSeconds = floors
        report.verifyMediaSeconds = try BenchmarkClock.seconds { try probe.verifyMedia() }
        if !json {
            print(
                "open: median \(BenchmarkClock.format(BenchmarkClock.median(opens))) "
                    + "(first \(BenchmarkClock.format(opens[0])))"
                    + (floors.isEmpty
                        ? " (frames blobs mapped, hashed on demand: over \(String(format: "%.1f GB", Double(Corpus.hashedFramesLimit) / 1e9)))"
                        : "; read + SHA-256 of the frames blobs "
                            + "\(BenchmarkClock.format(BenchmarkClock.median(floors))); ratio "
                            + String(
                                format: "%.2f", BenchmarkClock.median(opens) / BenchmarkClock.median(floors)))
            )
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
                                _ = BLAS.absoluteSum(
                                    UnsafeBufferPointer(start: base, count: frames * dimension))
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

    /// Writes the synthetic corpus: embeddings from ``SyntheticEmbeddings``, a fake 100-byte
    /// thumbnail per frame, mono audio of 1 ms per frame (the search does not read either, and a
    /// million frames of real-length audio would be 390 GB).
    private func writeCorpus(to url: URL, dimension: Int) throws {
        let model = ModelIdentity(
            name: "synthetic", inputSize: 224, embeddingSize: dimension,
            weightsSHA256: String(repeating: "0", count: 64),
            normalization: .tensorflow)
        let writer = try CorpusWriter.create(at: url, model: model)
        var generator = SyntheticEmbeddings(seed: 2019)
        let thumbnail: [UInt8] = [0xFF, 0xD8] + [UInt8](repeating: 0x55, count: 96) + [0xFF, 0xD9]
        for source in 0..<sources {
            let count = frames / sources + (source < frames % sources ? 1 : 0)
            var embeddings = [Float](repeating: 0, count: count * dimension)
            embeddings.withUnsafeMutableBufferPointer { generator.fill($0, frames: count) }
            let audio = AudioClip(
                sampleRate: 48_000, channels: 1, samples: [Float](repeating: 0.01, count: count * 48))
            try writer.add(
                prepared: PreparedSource(
                    name: "source \(source)", kind: .video,
                    frameTimes: (0..<count).map { Double($0) / 1_000 },
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
        var visionUpdate: MillionFrameComparison.Report?
    }

    /// Prints the vision update beside FAISS.
    private static func printTable(_ report: MillionFrameComparison.Report) {
        print(
            "vision update at \(report.frames) frames, \(report.measure) similarity, \(report.updates) updates "
                + String(
                    format:
                        "(map + smoothing %.2f ms, alias table + hand-over %.2f ms, median; exact distances %d)",
                    report.mapMs, report.aliasMs, report.exactDistancesMedian))
        print(
            "  the slowest updates: update ms (search ms): exact distances (within the cutoff), blocks left, frames bounded"
        )
        for slow in report.slowest {
            print(
                String(
                    format: "    %7.2f (%7.2f): %7d (%7d), %6d, %7d%@", slow.updateMs, slow.searchMs,
                    slow.exactDistances, slow.withinCutoff, slow.survivingBlocks, slow.boundedFrames,
                    slow.bounded ? "" : " (a full pass)"))
        }
        print(
            "  search                                          search p50/p99 ms  update p50/p99 ms  open s  RSS MB   "
                + "TV from exact p(t)")
        for row in report.rows {
            let update =
                row.updateP50Ms.map { String(format: "%7.2f /%7.2f", $0, row.updateP99Ms ?? 0) }
                ?? "         –      "
            print(
                String(
                    format: "  %@ %7.2f /%7.2f   %@  %6.2f  %6.0f   %.1e  (%@)",
                    row.name.padding(toLength: 46, withPad: " ", startingAt: 0), row.searchP50Ms,
                    row.searchP99Ms,
                    update, row.openSeconds, Double(row.residentBytes) / 1e6, row.totalVariation, row.note))
        }
        if let version = report.faiss { print("  FAISS \(version), 1 thread, one query per search") }
        if let skipped = report.faissSkipped { print("  FAISS skipped: \(skipped)") }
    }
}
