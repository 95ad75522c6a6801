import ArgumentParser
import COpenBLAS
import Corpus
import Foundation
import Kernels
import MediaIO
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
            audio at 25 frames per second of sound) is written once to a temporary directory. \
            Then, in alternating rounds:

            open: Corpus.open (manifest, every embedding and frame table read and checked against \
            SHA-256, audio and thumbnails mapped), beside the floor of reading the same frames \
            blobs with read(2) and hashing them (the page cache is warm after the first round).

            search: all distances from one query to every frame (NearestFrameSearch, cblas_sgemv), \
            beside the floor of streaming the embedding matrix once through memory (cblas_sasum); \
            and the 10 nearest frames. At each OpenBLAS thread count.
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

    @Flag(help: "Print the results as JSON.")
    var json = false

    func validate() throws {
        guard frames >= sources, sources >= 1, rounds >= 1, queries >= 1, threads.allSatisfy({ $0 >= 1 })
        else {
            throw ValidationError("need frames ≥ sources ≥ 1 and positive rounds, queries and threads")
        }
    }

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scenophone-bench-corpus-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let url = work.appendingPathComponent("synthetic.scenophone")
        let dimension = EfficientNetLite0.embeddingSize
        let writeTime = try BenchmarkClock.seconds { try writeCorpus(to: url, dimension: dimension) }
        var report = Report(
            frames: frames, sources: sources, dimension: dimension, openblasCore: BLAS.coreName,
            loadAverageBefore: ProcessorUsage.loadAverage(), writeSeconds: writeTime)
        let probe = try Corpus.open(url)
        report.sizeOnDisk = probe.sizeOnDisk
        let framesBlobs = probe.sources.map { url.appendingPathComponent("sources/\($0.id).frames") }
        if !json {
            print(
                "synthetic corpus: \(frames) frames × \(dimension) floats in \(sources) sources, "
                    + "\(CorpusReport.size(probe.sizeOnDisk)) on disk, written in \(BenchmarkClock.format(writeTime))"
            )
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

        // Search against streaming the matrix.
        let corpus = probe
        let search = NearestFrameSearch(corpus: corpus)
        var distances = [Float](repeating: 0, count: corpus.frameCount)
        var neighbors = [Neighbor](repeating: Neighbor(frame: 0, distance: 0), count: 10)
        var generator = SystemRandomNumberGenerator()
        let queryList = (0..<queries).map { _ -> [Float] in
            let frame = Int.random(in: 0..<corpus.frameCount, using: &generator)
            return corpus.embedding(ofFrame: frame).map {
                $0 + Float.random(in: -0.05...0.05, using: &generator)
            }
        }
        for count in threads {
            BLAS.setThreads(count)
            var all: [Double] = []
            var top: [Double] = []
            var stream: [Double] = []
            for _ in 0..<rounds {
                for query in queryList {
                    query.withUnsafeBufferPointer { q in
                        all.append(
                            BenchmarkClock.seconds {
                                distances.withUnsafeMutableBufferPointer { search.distances(to: q, into: $0) }
                            })
                        top.append(
                            BenchmarkClock.seconds {
                                distances.withUnsafeMutableBufferPointer { scratch in
                                    neighbors.withUnsafeMutableBufferPointer {
                                        _ = search.nearest(to: q, scratch: scratch, into: $0)
                                    }
                                }
                            })
                    }
                    stream.append(
                        BenchmarkClock.seconds {
                            _ = cblas_sasum(Int32(corpus.embeddings.count), corpus.embeddings.baseAddress, 1)
                        })
                }
            }
            let row = Report.Search(
                threads: count, distancesMilliseconds: BenchmarkClock.median(all) * 1000,
                nearest10Milliseconds: BenchmarkClock.median(top) * 1000,
                streamMilliseconds: BenchmarkClock.median(stream) * 1000)
            report.search.append(row)
            if !json {
                print(
                    String(
                        format:
                            "search, %d thread(s): all %d distances %.2f ms, 10 nearest %.2f ms; "
                            + "streaming the %.0f MB matrix (sasum) %.2f ms; ratio %.2f",
                        count, corpus.frameCount, row.distancesMilliseconds, row.nearest10Milliseconds,
                        Double(corpus.embeddings.count * 4) / 1e6, row.streamMilliseconds,
                        row.distancesMilliseconds / row.streamMilliseconds))
            }
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

    /// Writes the synthetic corpus: non-negative embeddings like pooled ReLU6 features, a small
    /// fake thumbnail per frame, mono audio of 1/25 s per frame.
    private func writeCorpus(to url: URL, dimension: Int) throws {
        let model = ModelIdentity(
            name: "synthetic", inputSize: 224, embeddingSize: dimension,
            weightsSHA256: String(repeating: "0", count: 64),
            normalization: .tensorflow)
        let writer = try CorpusWriter.create(at: url, model: model)
        var generator = SystemRandomNumberGenerator()
        let thumbnail: [UInt8] = [0xFF, 0xD8] + [UInt8](repeating: 0x55, count: 3_000) + [0xFF, 0xD9]
        for source in 0..<sources {
            let count = frames / sources + (source < frames % sources ? 1 : 0)
            let embeddings = (0..<count * dimension).map { _ in Float.random(in: 0..<3, using: &generator) }
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
    }
}
