import ArgumentParser
import Corpus
import Foundation
import Kernels
import MediaIO
import Synth

/// `scenophone-bench synth`: how many times faster than real time the grain engine renders to a
/// WAV file, and what one vision update costs on a large corpus.
struct SynthBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Time the granular render (× real time) and one vision update on a 100 000-frame corpus.",
        discussion: """
            Renders --seconds of mono 48 kHz audio from a --source-seconds noise source to a 32-bit \
            float WAV on one thread, with the paper's settings (100 grains/s of 50–100 ms) and heavy \
            ones (1000 grains/s of 100 ms), alternating with a same-run baseline: a textbook scalar \
            granulator (a window table per grain, one multiply-add per sample and grain) writing \
            the same WAV. SuperCollider's GrainBuf figures (1128× and 108×) are printed for \
            reference: the project measured them on a machine of this kind, not in this run.

            Then times one vision update at --frames corpus frames: the distances from one \
            embedding to every frame (NearestFrameSearch, OpenBLAS on one thread, as while audio \
            runs), the distance → probability map with smoothing, and the alias table built and \
            handed to the synthesizer.
            """)

    @Option(help: "Seconds of audio to render per measurement.")
    var seconds: Double = 600

    @Option(help: "Seconds of source audio the grains read.")
    var sourceSeconds: Double = 60

    @Option(help: "Alternating rounds of Scenophone and the baseline (medians are reported).")
    var rounds = 3

    @OptionGroup(title: "Vision update")
    var visionUpdate: VisionUpdateBenchmark

    @Option(
        help: "Where the WAV is written (default: /dev/shm when there is one, so disk speed does not count).")
    var directory: String?

    @Flag(help: "Skip the textbook baseline.")
    var noBaseline = false

    @Flag(help: "Print the results as JSON.")
    var json = false

    func validate() throws {
        guard seconds > 0, sourceSeconds >= 1, rounds >= 1 else {
            throw ValidationError("--seconds, --source-seconds and --rounds must be positive")
        }
    }

    func run() async throws {
        let sampleRate = 48_000
        var random = Xoshiro256(seed: 1)
        let source = (0..<Int(sourceSeconds * Double(sampleRate))).map { _ in
            (2 * random.unitFloat() - 1) * 0.1
        }
        let memory = URL(fileURLWithPath: "/dev/shm")
        let parent =
            directory.map { URL(fileURLWithPath: $0) }
            ?? (FileManager.default.isWritableFile(atPath: memory.path)
                ? memory : FileManager.default.temporaryDirectory)
        let directory = parent.appendingPathComponent("scenophone-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var report = SynthBenchmarkReport(
            processor: ProcessorUsage.processorName(), processors: ProcessorUsage.processorCount,
            loadAverageBefore: ProcessorUsage.loadAverage(), seconds: seconds, sourceSeconds: sourceSeconds,
            outputDirectory: parent.path)
        if !json { report.printHeader() }
        let settings: [(String, GrainParameters)] = [
            ("paper", GrainParameters(grainRate: 100, minDuration: 0.05, maxDuration: 0.1)),
            ("heavy", GrainParameters(grainRate: 1000, minDuration: 0.1, maxDuration: 0.1)),
        ]
        let bank = try SoundBank(
            sampleRate: sampleRate, audio: [("noise", source, 1)],
            frames: (0..<Int(sourceSeconds)).map {
                FrameSpan(source: 0, start: $0 * sampleRate, end: ($0 + 1) * sampleRate)
            })
        let output = directory.appendingPathComponent("render.wav")
        for round in 1...rounds {
            for (name, parameters) in settings {
                let ours = try renderScenophone(bank: bank, parameters: parameters, to: output)
                let theirs =
                    noBaseline
                    ? nil
                    : try renderBaseline(
                        source: source, sampleRate: sampleRate, parameters: parameters, to: output)
                let row = SynthBenchmarkReport.Render(
                    round: round, setting: name, grainRate: parameters.grainRate,
                    minDuration: parameters.minDuration, maxDuration: parameters.maxDuration,
                    scenophoneSeconds: ours.total, synthesisSeconds: ours.synthesis, baselineSeconds: theirs)
                report.renders.append(row)
                if !json { report.printRender(row) }
            }
        }
        report.visionUpdate = try visionUpdate.measure()
        report.loadAverageAfter = ProcessorUsage.loadAverage()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            report.printSummary()
        }
    }

    /// Renders `seconds` with the synthesizer into a WAV; returns the whole time and the synthesis alone.
    private func renderScenophone(bank: SoundBank, parameters: GrainParameters, to url: URL) throws -> (
        total: Double, synthesis: Double
    ) {
        let synth = try GranularSynth(
            bank: bank, configuration: SynthConfiguration(channels: 1, maxVoices: 512, seed: 7),
            parameters: parameters)
        try [Double](repeating: 1, count: bank.frames.count).withUnsafeBufferPointer {
            try synth.publish($0, generation: 1, frameTime: 0)
        }
        var synthesis = 0.0
        let total = try BenchmarkClock.seconds {
            try writeWAV(to: url) { buffer, count in
                synthesis += BenchmarkClock.seconds { synth.render(into: buffer, frames: count) }
                synth.drainGrainEvents { _ in }
            }
        }
        return (total, synthesis)
    }

    /// Renders `seconds` with the textbook granulator into a WAV; returns the whole time.
    private func renderBaseline(source: [Float], sampleRate: Int, parameters: GrainParameters, to url: URL)
        throws
        -> Double
    {
        var granulator = NaiveGranulator(
            source: source, sampleRate: sampleRate, parameters: parameters, seed: 7)
        return try BenchmarkClock.seconds {
            try writeWAV(to: url) { buffer, count in granulator.render(into: buffer, frames: count) }
        }
    }

    /// Frames rendered per call and handed to the WAV writer in one piece (256 KiB): big enough that
    /// the writer sends them to the file straight from this buffer, small enough to stay in cache.
    static let block = 65_536

    /// Streams `seconds` of mono audio, ``block`` frames at a time, from `fill` into a float WAV.
    private func writeWAV(to url: URL, fill: (UnsafeMutablePointer<Float>, Int) -> Void) throws {
        let writer = try WAVWriter(url: url, sampleRate: 48_000, channels: 1)
        let total = Int(seconds * 48_000)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: Self.block)
        defer { buffer.deallocate() }
        var done = 0
        while done < total {
            let count = min(Self.block, total - done)
            fill(buffer.baseAddress!, count)
            try writer.write(UnsafeBufferPointer(rebasing: buffer[0..<count]))
            done += count
        }
        try writer.finish()
    }
}
