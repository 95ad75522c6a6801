import ArgumentParser
import COpenBLAS
import Corpus
import Foundation
import Kernels
import MediaIO
import Synth

/// `scenophone bench synth`: how many times faster than real time the grain engine renders to a
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

    @Option(help: "Corpus frames for the vision-update measurement.")
    var frames = 100_000

    @Option(help: "Vision updates to time (the median is reported).")
    var updates = 50

    @Option(
        help: "Where the WAV is written (default: /dev/shm when there is one, so disk speed does not count).")
    var directory: String?

    @Flag(help: "Skip the textbook baseline.")
    var noBaseline = false

    @Flag(help: "Print the results as JSON.")
    var json = false

    func validate() throws {
        guard seconds > 0, sourceSeconds >= 1, rounds >= 1, frames >= 1, updates >= 1 else {
            throw ValidationError(
                "--seconds, --source-seconds, --rounds, --frames and --updates must be positive")
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
        report.updates = try measureUpdates(sampleRate: sampleRate, source: bank)
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

    /// Times the parts of one vision update on a corpus of `frames` synthetic embeddings, with the
    /// exact search and with the search projected onto 128 principal components.
    ///
    /// The embeddings imitate a real corpus: clips of 100 frames (100 s at 1 fps), each frame its
    /// clip's non-negative centre plus a small drift, so neighbouring frames are close and clips
    /// differ, as EfficientNet embeddings of video do.
    private func measureUpdates(sampleRate: Int, source: SoundBank) throws -> [SynthBenchmarkReport.Update] {
        let dimension = 1280
        let clipLength = 100
        var random = Xoshiro256(seed: 2)
        let embeddings = UnsafeMutableBufferPointer<Float>.allocate(capacity: frames * dimension)
        defer { embeddings.deallocate() }
        var centre = [Float](repeating: 0, count: dimension)
        for frame in 0..<frames {
            if frame % clipLength == 0 {
                for index in centre.indices { centre[index] = max(0, random.unitFloat() * 3 - 1) }
            }
            for index in 0..<dimension {
                embeddings[frame * dimension + index] = max(
                    0, centre[index] + 0.4 * (random.unitFloat() - 0.5))
            }
        }
        // A picture like frame 12 345 (or the middle one) of the corpus, not one of its frames.
        let like = min(12_345, frames / 2)
        let query = (0..<dimension).map { index in
            max(0, embeddings[like * dimension + index] + 0.2 * (random.unitFloat() - 0.5))
        }
        let sourceFrames = source.sources[0].frameCount
        let bank = try SoundBank(
            sampleRate: sampleRate, sources: source.sources,
            frames: (0..<frames).map { frame in
                let start = (frame * 997) % (sourceFrames - sampleRate)
                return FrameSpan(source: 0, start: start, end: start + sampleRate)
            }, owner: nil)
        let previousThreads = BLAS.threads
        BLAS.setThreads(1)
        defer { BLAS.setThreads(previousThreads) }
        var results: [SynthBenchmarkReport.Update] = []
        for precision in [NearestFrameSearch.Precision.exact, .projected(dimensions: 128)] {
            var search: NearestFrameSearch?
            let prepared = BenchmarkClock.seconds {
                search = NearestFrameSearch(
                    embeddings: UnsafeBufferPointer(embeddings), dimension: dimension, owner: nil,
                    precision: precision)
            }
            results.append(
                try measureUpdate(
                    search: search!, preparedSeconds: prepared, bank: bank, embeddings: embeddings,
                    query: query))
        }
        return results
    }

    /// Times `updates` vision updates (after three to warm up) with one search.
    private func measureUpdate(
        search: NearestFrameSearch, preparedSeconds: Double, bank: SoundBank,
        embeddings: UnsafeMutableBufferPointer<Float>, query: [Float]
    ) throws -> SynthBenchmarkReport.Update {
        let synth = try GranularSynth(bank: bank)
        let map = try ProbabilityMap(bank: bank)
        var distances = [Float](repeating: 0, count: frames)
        var parts: [(distances: Double, map: Double, alias: Double)] = []
        var reads: [Double] = []
        try query.withUnsafeBufferPointer { q in
            try distances.withUnsafeMutableBufferPointer { d in
                for update in 0..<(updates + 3) {
                    var sum: Float = 0
                    let read = BenchmarkClock.seconds {
                        sum = cblas_sasum(Int32(embeddings.count), embeddings.baseAddress, 1)
                    }
                    // Using the sum keeps the read from being optimised away.
                    precondition(sum > 0, "the embeddings were not read")
                    let measured = BenchmarkClock.seconds { search.distances(to: q, into: d) }
                    var probabilities = UnsafeBufferPointer<Double>(start: nil, count: 0)
                    let mapped = BenchmarkClock.seconds {
                        probabilities = map.update(
                            distances: UnsafeBufferPointer(d), time: Double(update) / 10)
                    }
                    let published = try BenchmarkClock.seconds {
                        try synth.publish(probabilities, generation: UInt64(update), frameTime: 0)
                    }
                    // The first few warm the caches and page in the buffers.
                    if update >= 3 {
                        reads.append(read)
                        parts.append((measured, mapped, published))
                    }
                }
            }
        }
        // How much of p(t) the projected distances move: the total variation from the exact map's.
        let exact = NearestFrameSearch(
            embeddings: UnsafeBufferPointer(embeddings), dimension: search.dimension, owner: nil)
        let exactMap = try ProbabilityMap(bank: bank, timeConstant: 0)
        let estimatedMap = try ProbabilityMap(bank: bank, timeConstant: 0)
        var exactDistances = [Float](repeating: 0, count: frames)
        let variation = query.withUnsafeBufferPointer { q in
            exactDistances.withUnsafeMutableBufferPointer { e in
                distances.withUnsafeMutableBufferPointer { d in
                    exact.distances(to: q, into: e)
                    search.distances(to: q, into: d)
                    let p = exactMap.update(distances: UnsafeBufferPointer(e), time: 0)
                    let r = estimatedMap.update(distances: UnsafeBufferPointer(d), time: 0)
                    return zip(p, r).reduce(0) { $0 + abs($1.0 - $1.1) } / 2
                }
            }
        }
        func median(_ values: [Double]) -> Double { BenchmarkClock.median(values) * 1000 }
        return SynthBenchmarkReport.Update(
            search: search.projectedDimensions.map { "projected(\($0))" } ?? "exact", frames: frames,
            blasThreads: 1, openblasCore: BLAS.coreName, preparedSeconds: preparedSeconds,
            explainedVariance: search.explainedVariance, totalVariation: variation,
            distancesMs: median(parts.map(\.distances)), mapMs: median(parts.map(\.map)),
            aliasMs: median(parts.map(\.alias)),
            totalMs: median(parts.map { $0.distances + $0.map + $0.alias }), readEmbeddingsMs: median(reads),
            embeddingBytes: embeddings.count * MemoryLayout<Float>.size)
    }
}
