import ArgumentParser
import Corpus
import Engine
import Foundation
import Kernels
import Synth

/// The vision-update part of `bench synth`: what one camera frame costs between its embedding and
/// the synthesizer on a large corpus — the distances, the distance → probability map with
/// smoothing, and the alias table built and handed to the synthesizer — with the exact full pass
/// and with the pass that computes exact distances only where the map can use them.
struct VisionUpdateBenchmark: ParsableArguments {
    @Option(help: "Frames of the synthetic corpus for the vision-update measurement.")
    var frames = 100_000

    @Option(help: "Vision updates to time (medians are reported).")
    var updates = 50

    @Option(help: "Measure the vision update on this corpus instead of a synthetic one.")
    var corpus: String?

    @Option(help: "Principal components behind the lower bounds.")
    var components = NearestFrameSearch.Strategy.defaultComponents

    @Option(help: "The similarity measure searched with: euclidean, cosine or centred-cosine.")
    var similarity: SimilarityMeasure = .standard

    func validate() throws {
        guard frames >= 2, updates >= 1, components >= 1 else {
            throw ValidationError("--frames must be ≥ 2, --updates and --components positive")
        }
    }

    /// A corpus to measure: embeddings, the audio they stand for, and which frames follow each other.
    private struct Subject {
        var name: String
        var rows: EmbeddingRows
        var dimension: Int
        var bank: SoundBank
        /// Frames whose successor belongs to the same source (a query lies between the two).
        var consecutive: [Int]
        var owner: AnyObject?
        /// Computed once and shared by both searches (a corpus has them already).
        var statistics: CorpusStatistics
    }

    /// Times the vision update, exact and pruned, alternating, on the synthetic or the given corpus.
    ///
    /// - Returns: the measurements.
    /// - Throws: `CorpusError` for a corpus that cannot be opened, ``SynthError`` for one whose audio
    ///   the synthesizer refuses.
    func measure() throws -> VisionUpdateReport {
        let previousThreads = BLAS.threads
        BLAS.setThreads(1)
        defer { BLAS.setThreads(previousThreads) }
        let subject: Subject
        var storage: UnsafeMutableBufferPointer<Float>?
        defer { storage?.deallocate() }
        if let corpus {
            subject = try Self.open(URL(fileURLWithPath: corpus))
        } else {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(
                capacity: frames * SyntheticEmbeddings.dimension)
            storage = buffer
            subject = try Self.synthetic(frames: frames, into: buffer)
        }
        let count = subject.rows.frameCount
        var exactSearch: NearestFrameSearch!
        let exactPrepared = BenchmarkClock.seconds {
            exactSearch = NearestFrameSearch(
                rows: subject.rows, measure: similarity, statistics: subject.statistics, strategy: .exact)
        }
        var boundedSearch: NearestFrameSearch!
        let boundedPrepared = BenchmarkClock.seconds {
            boundedSearch = NearestFrameSearch(
                rows: subject.rows, measure: similarity, statistics: subject.statistics,
                strategy: .bounded(components: components))
        }
        let exact = try Pipeline(search: exactSearch, bank: subject.bank)
        let pruned = try Pipeline(search: boundedSearch, bank: subject.bank)
        // Queries between two consecutive frames of one source: a picture like the corpus's, not in
        // it; in the measure's space, as the analyser searches them.
        let queries = (0..<updates + 3).map { update -> [Float] in
            let frame = subject.consecutive[(update * 7_919) % subject.consecutive.count]
            let d = subject.dimension
            let a = subject.rows.row(frame)
            let b = subject.rows.row(frame + 1)
            let embedding = (0..<d).map { (a[$0] + b[$0]) / 2 }
            var query = embedding
            embedding.withUnsafeBufferPointer { raw in
                query.withUnsafeMutableBufferPointer { exactSearch.transform(raw, into: $0) }
            }
            return query
        }
        var report = VisionUpdateReport(
            corpus: subject.name, similarity: similarity.rawValue, frames: count,
            dimension: subject.dimension,
            components: boundedSearch.boundComponents ?? 0, blasThreads: 1, openblasCore: BLAS.coreName,
            exactPreparedSeconds: exactPrepared, boundedPreparedSeconds: boundedPrepared,
            explainedVariance: boundedSearch.explainedVariance, cutoff: pruned.map.likenessCutoff,
            embeddingBytes: count * subject.dimension * MemoryLayout<Float>.size)
        var exactTimes: [VisionUpdateReport.Timing] = []
        var prunedTimes: [VisionUpdateReport.Timing] = []
        var streams: [Double] = []
        for (update, query) in queries.enumerated() {
            var sum: Float = 0
            let stream = BenchmarkClock.seconds {
                subject.rows.forEachRun { _, frames, base in
                    sum += BLAS.absoluteSum(
                        UnsafeBufferPointer(start: base, count: frames * subject.dimension))
                }
            }
            // Using the sum keeps the read from being optimised away.
            precondition(sum > 0, "the embeddings were not read")
            let time = Double(update) / 10
            let exactTiming = try query.withUnsafeBufferPointer { try exact.update($0, time: time) }
            let prunedTiming = try query.withUnsafeBufferPointer { try pruned.update($0, time: time) }
            // The first few warm the caches and page in the buffers.
            guard update >= 3 else { continue }
            streams.append(stream)
            exactTimes.append(exactTiming)
            prunedTimes.append(prunedTiming)
            report.totalVariation = max(report.totalVariation, Pipeline.totalVariation(exact, pruned))
            report.nearestOverScale.append(exact.nearestOverScale)
            report.withinCutoff.append(Double(exact.withinCutoff) / Double(count))
            report.exactDistances.append(pruned.pass.exactDistances)
            if pruned.pass.bounded { report.boundedUpdates += 1 }
        }
        report.exact = .median(of: exactTimes)
        report.pruned = .median(of: prunedTimes)
        report.streamMs = BenchmarkClock.median(streams) * 1000
        return report
    }

    /// The synthetic corpus: embeddings from ``SyntheticEmbeddings``, each frame one second of a
    /// minute of quiet noise (the sound does not change the cost).
    private static func synthetic(frames: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws
        -> Subject
    {
        var generator = SyntheticEmbeddings(seed: 2)
        generator.fill(buffer, frames: frames)
        var random = Xoshiro256(seed: 3)
        let sampleRate = 48_000
        let sourceFrames = 60 * sampleRate
        let audio = (0..<sourceFrames).map { _ in (2 * random.unitFloat() - 1) * 0.1 }
        let bank = try SoundBank(
            sampleRate: sampleRate, audio: [("noise", audio, 1)],
            frames: (0..<frames).map { frame in
                let start = (frame * 997) % (sourceFrames - sampleRate)
                return FrameSpan(source: 0, start: start, end: start + sampleRate)
            })
        let clip = generator.clipLength
        return Subject(
            name: "synthetic",
            rows: EmbeddingRows(
                contiguous: UnsafeBufferPointer(buffer), dimension: SyntheticEmbeddings.dimension, owner: nil),
            dimension: SyntheticEmbeddings.dimension,
            bank: bank, consecutive: (0..<frames - 1).filter { $0 % clip != clip - 1 }, owner: nil,
            statistics: CorpusStatistics.compute(
                embeddings: UnsafeBufferPointer(buffer), dimension: SyntheticEmbeddings.dimension))
    }

    /// A corpus on disk, with its own sound.
    private static func open(_ url: URL) throws -> Subject {
        let corpus = try Corpus.open(url)
        let frames = corpus.frames
        let consecutive = frames.indices.dropLast().filter { frames[$0].source == frames[$0 + 1].source }
        guard !consecutive.isEmpty else {
            throw ValidationError("\(url.path): no source has two frames to put a query between")
        }
        return Subject(
            name: url.path, rows: corpus.rows.owned(by: corpus), dimension: corpus.embeddingSize,
            bank: try SoundBank(corpus: corpus), consecutive: consecutive, owner: corpus,
            statistics: corpus.statistics)
    }

    /// One vision update's parts with one search, and their buffers, allocated once.
    private final class Pipeline {
        let search: NearestFrameSearch
        let map: ProbabilityMap
        let synth: GranularSynth
        let workspace: SearchWorkspace
        var distances: [Float]
        var neighbors = [Neighbor](repeating: Neighbor(frame: 0, distance: 0), count: 8)
        /// The last update's search.
        private(set) var pass: CutoffPass!
        var generation: UInt64 = 0

        init(search: NearestFrameSearch, bank: SoundBank) throws {
            self.search = search
            map = try ProbabilityMap(bank: bank)
            synth = try GranularSynth(bank: bank)
            workspace = search.makeWorkspace()
            distances = [Float](repeating: 0, count: search.frameCount)
        }

        /// Runs and times one update.
        func update(_ query: UnsafeBufferPointer<Float>, time: Double) throws -> VisionUpdateReport.Timing {
            let cutoff = map.likenessCutoff
            let weights = map.timeWeights
            let searched = BenchmarkClock.seconds {
                distances.withUnsafeMutableBufferPointer { d in
                    neighbors.withUnsafeMutableBufferPointer { n in
                        pass = search.distances(
                            to: query, cutoff: cutoff, eligible: weights, workspace: workspace, into: d,
                            nearest: n)
                    }
                }
            }
            var probabilities: SparseDistribution!
            let mapped = BenchmarkClock.seconds {
                probabilities = distances.withUnsafeBufferPointer {
                    map.update(distances: $0, scale: pass.scale, time: time)
                }
            }
            generation += 1
            let published = try BenchmarkClock.seconds {
                try synth.publish(probabilities, generation: generation, frameTime: time)
            }
            return VisionUpdateReport.Timing(
                distancesMs: searched * 1000, mapMs: mapped * 1000, aliasMs: published * 1000,
                totalMs: (searched + mapped + published) * 1000)
        }

        /// The nearest playable frame's distance over the scale, for the last update.
        var nearestOverScale: Double {
            let weights = map.timeWeights
            let nearest = zip(distances, weights).filter { $0.1 > 0 }.map(\.0).min() ?? 0
            return Double(nearest) / pass.scale
        }

        /// How many frames lie within the cutoff, for the last update (needs all distances).
        var withinCutoff: Int {
            let weights = map.timeWeights
            let nearest = Double(zip(distances, weights).filter { $0.1 > 0 }.map(\.0).min() ?? 0)
            let reach = nearest + map.likenessCutoff * (pass.scale - nearest)
            return distances.filter { Double($0) <= reach }.count
        }

        /// Half the summed absolute difference of two pipelines' last unsmoothed distributions.
        static func totalVariation(_ a: Pipeline, _ b: Pipeline) -> Double {
            let (p, q) = (a.map.unsmoothed, b.map.unsmoothed)
            return (0..<p.frameCount).reduce(0) {
                $0 + abs(p.probability(ofFrame: $1) - q.probability(ofFrame: $1))
            } / 2
        }
    }
}
