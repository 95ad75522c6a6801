import ArgumentParser
import COpenBLAS
import Corpus
import Kernels
import Synth

/// The vision-update part of `bench synth`: what one camera frame costs between its embedding and
/// the synthesizer, on a large corpus — the distances to every frame, the distance → probability
/// map with smoothing, and the alias table built and handed to the synthesizer.
struct VisionUpdateBenchmark: ParsableArguments {
    @Option(help: "Corpus frames for the vision-update measurement.")
    var frames = 100_000

    @Option(help: "Vision updates to time (the median is reported).")
    var updates = 50

    func validate() throws {
        guard frames >= 1, updates >= 1 else {
            throw ValidationError("--frames and --updates must be positive")
        }
    }

    /// Times the parts of one vision update on a corpus of `frames` synthetic embeddings, with the
    /// exact search and with the search projected onto 128 principal components.
    ///
    /// - Returns: one report per search.
    /// - Throws: ``SynthError`` if the synthesizer refuses the generated bank (it should not).
    ///
    /// The embeddings imitate a real corpus: clips of 100 frames (100 s at 1 fps), each frame its
    /// clip's non-negative centre plus a small drift, so neighbouring frames are close and clips
    /// differ, as EfficientNet embeddings of video do.
    func measure() throws -> [VisionUpdateReport] {
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
        // The sound is irrelevant to the cost: 60 s of quiet noise that every frame points into.
        let sampleRate = 48_000
        let sourceFrames = 60 * sampleRate
        let audio = (0..<sourceFrames).map { _ in (2 * random.unitFloat() - 1) * 0.1 }
        let bank = try SoundBank(
            sampleRate: sampleRate, audio: [("noise", audio, 1)],
            frames: (0..<frames).map { frame in
                let start = (frame * 997) % (sourceFrames - sampleRate)
                return FrameSpan(source: 0, start: start, end: start + sampleRate)
            })
        let previousThreads = BLAS.threads
        BLAS.setThreads(1)
        defer { BLAS.setThreads(previousThreads) }
        var results: [VisionUpdateReport] = []
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
    ) throws -> VisionUpdateReport {
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
        return VisionUpdateReport(
            search: search.projectedDimensions.map { "projected(\($0))" } ?? "exact", frames: frames,
            blasThreads: 1, openblasCore: BLAS.coreName, preparedSeconds: preparedSeconds,
            explainedVariance: search.explainedVariance, totalVariation: variation,
            distancesMs: median(parts.map(\.distances)), mapMs: median(parts.map(\.map)),
            aliasMs: median(parts.map(\.alias)),
            totalMs: median(parts.map { $0.distances + $0.map + $0.alias }), readEmbeddingsMs: median(reads),
            embeddingBytes: embeddings.count * MemoryLayout<Float>.size)
    }
}
