import ArgumentParser
import CommandLineSupport
import Corpus
import Foundation
import Kernels
import MediaIO

/// `scenophone-bench index`: indexing throughput against ffmpeg decoding the same clip alone.
struct IndexBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Time indexing a 720p H.264 clip against `ffmpeg -i CLIP -f null -` on the same file.",
        discussion: """
            Unless --clip is given, a 720p H.264 + AAC clip is made first from the Tears of Steel \
            footage in ../shared/media (scaled and cropped to 1280×720, 24 fps). Each round times \
            the baseline (ffmpeg decoding picture and sound, doing nothing with them) and then a \
            full index of the clip at --fps (decode, embed, audio, thumbnails, checksums, atomic \
            write), alternately; the report gives the medians, their ratio (decode time / index \
            time: 1 means indexing costs no more than decoding; the goal is 0.8 or more) and how \
            many times faster than real time each runs. The model's load time is not counted.
            """)

    @Option(help: "The clip to index (default: make a 720p H.264 clip).")
    var clip: String?

    @Option(help: "The length of the generated clip, in seconds.")
    var seconds = 60.0

    @Option(help: "Alternating rounds of baseline and indexing.")
    var rounds = 3

    @Option(help: "Frames sampled per second of video.")
    var fps = 1.0

    @Option(help: "OpenBLAS threads for the network while ffmpeg decodes.")
    var blasThreads = 1

    @OptionGroup var choice: ModelChoice
    @OptionGroup var model: ModelOptions

    @Flag(help: "Print the results as JSON.")
    var json = false

    func validate() throws {
        guard rounds >= 1, seconds > 0, fps > 0, blasThreads >= 1 else {
            throw ValidationError("--rounds, --seconds, --fps and --blas-threads must be positive")
        }
    }

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scenophone-bench-index-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let clipURL = try clip.map { URL(fileURLWithPath: $0) } ?? makeClip(in: work)
        let info = try MediaProbe.probe(clipURL)
        let duration = info.duration ?? 0
        let network = try model.loadNetwork(choice.variant)
        BLAS.setThreads(blasThreads)
        let indexer = SourceIndexer(network: network, options: .init(framesPerSecond: fps))
        let loadBefore = ProcessorUsage.loadAverage()
        if !json {
            let video = info.video.map {
                "\($0.width)×\($0.height) \($0.codec) \(String(format: "%.3g", $0.frameRate ?? 0)) fps"
            }
            print(
                "clip: \(clipURL.lastPathComponent), \(String(format: "%.1f", duration)) s, \(video ?? "no video")"
            )
            print("OpenBLAS \(BLAS.coreName), \(blasThreads) thread(s); load average \(loadBefore)")
            print("round  ffmpeg -f null   index          ratio")
        }
        var decodeTimes: [Double] = []
        var indexTimes: [Double] = []
        for round in 1...rounds {
            let decode = try BenchmarkClock.seconds { try Self.decodeOnly(clipURL) }
            let output = work.appendingPathComponent("round\(round).scenophone")
            let index = try BenchmarkClock.seconds {
                let writer = try CorpusWriter.create(at: output, model: indexer.model)
                try writer.add(indexer.plan(SourceInput(picture: clipURL)), using: indexer)
                try writer.commit()
            }
            try FileManager.default.removeItem(at: output)
            decodeTimes.append(decode)
            indexTimes.append(index)
            if !json {
                print(String(format: "%5d  %13.2f s  %10.2f s  %9.2f", round, decode, index, decode / index))
            }
        }
        let decode = BenchmarkClock.median(decodeTimes)
        let index = BenchmarkClock.median(indexTimes)
        let report = Report(
            clip: clipURL.path, clipSeconds: duration, framesPerSecond: fps, blasThreads: blasThreads,
            openblasCore: BLAS.coreName, loadAverageBefore: loadBefore,
            loadAverageAfter: ProcessorUsage.loadAverage(),
            decodeSeconds: decodeTimes, indexSeconds: indexTimes, medianDecodeSeconds: decode,
            medianIndexSeconds: index, ratio: decode / index, decodeRealTime: duration / decode,
            indexRealTime: duration / index)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(
                String(
                    format:
                        "median: ffmpeg decode alone %.2f s (%.1f× real time), index %.2f s (%.1f× real time)",
                    decode, report.decodeRealTime, index, report.indexRealTime))
            print(String(format: "ratio decode/index: %.2f (goal ≥ 0.80)", report.ratio))
            print("load average after: \(report.loadAverageAfter)")
        }
    }

    /// The baseline: ffmpeg decoding every stream and discarding the result.
    private static func decodeOnly(_ clip: URL) throws {
        let result = try ChildProcess.run(
            try FFmpegTool.ffmpeg.locate(), ["-nostdin", "-v", "error", "-i", clip.path, "-f", "null", "-"])
        guard result.status == 0 else {
            throw MediaIOError.processFailed(
                clip, program: "ffmpeg", status: result.status, message: result.standardError)
        }
    }

    /// Makes a 1280×720 H.264 + AAC clip from the Tears of Steel footage.
    private func makeClip(in directory: URL) throws -> URL {
        let name = "media/video/tears_of_steel_battle.webm"
        guard let source = SharedDirectory.find(name) else {
            throw ValidationError("cannot find shared/\(name) beside the repository; pass --clip")
        }
        let clip = directory.appendingPathComponent("clip-720p.mp4")
        if !json { print("making a \(Int(seconds)) s 720p H.264 clip from \(source.lastPathComponent)…") }
        let result = try ChildProcess.run(
            try FFmpegTool.ffmpeg.locate(),
            [
                "-nostdin", "-v", "error", "-stream_loop", "-1", "-i", source.path, "-t", String(seconds),
                "-vf", "scale=-2:720,crop=1280:720", "-c:v", "libx264", "-preset", "fast", "-crf", "20",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k", clip.path,
            ])
        guard result.status == 0 else {
            throw MediaIOError.processFailed(
                clip, program: "ffmpeg", status: result.status, message: result.standardError)
        }
        return clip
    }

    /// The results, for `--json`.
    struct Report: Encodable {
        var clip: String
        var clipSeconds: Double
        var framesPerSecond: Double
        var blasThreads: Int
        var openblasCore: String
        var loadAverageBefore: [Double]
        var loadAverageAfter: [Double]
        var decodeSeconds: [Double]
        var indexSeconds: [Double]
        var medianDecodeSeconds: Double
        var medianIndexSeconds: Double
        var ratio: Double
        var decodeRealTime: Double
        var indexRealTime: Double
    }
}
