import AllocationCounter
import Corpus
import Engine
import Synth
import TestSupport
import Testing
import Vision

/// The one pipeline from picture to p(t), with the real model and a corpus of photo + recording
/// pairs: what the live loop relies on besides what an offline render does.
@Suite struct SceneAnalyzerTests {
    let scenes: SoundscapeCorpus
    let corpus: Corpus
    let analyzer: SceneAnalyzer

    init() throws {
        scenes = try SoundscapeCorpus.shared()
        corpus = try Corpus.open(scenes.url)
        let network = try corpus.loadNetwork(modelDirectory: Paths.modelDirectory)
        let synth = try GranularSynth(
            bank: SoundBank(corpus: corpus), configuration: SynthConfiguration(seed: 1))
        analyzer = try SceneAnalyzer(
            corpus: corpus, network: network, synth: synth, neighborCount: 3, computeLogits: true)
    }

    private func show(_ scene: Int, time: Double, generation: UInt64) throws {
        let photo = scenes.scenes[scene].photo
        try photo.pixels.withUnsafeBufferPointer {
            try analyzer.analyze(
                rgb: $0, width: photo.width, height: photo.height, time: time, generation: generation)
        }
    }

    /// The probability each source holds in the distribution last published.
    private func massPerSource() -> [Double] {
        var mass = [Double](repeating: 0, count: corpus.sources.count)
        for (index, probability) in analyzer.distribution.enumerated() {
            mass[corpus.frames[index].source] += probability
        }
        return mass
    }

    /// The generations of the grains the synth starts in the next tenth of a second.
    private func grainGenerations() -> Set<UInt64> {
        var output = [Float](repeating: 0, count: 4800 * analyzer.synth.channels)
        output.withUnsafeMutableBufferPointer { analyzer.synth.render(into: $0.baseAddress!, frames: 4800) }
        var generations: Set<UInt64> = []
        analyzer.synth.drainGrainEvents { generations.insert($0.generation) }
        return generations
    }

    @Test func nothingIsRepublishedBeforeAPicture() throws {
        #expect(try !analyzer.republish(time: 0, generation: 1))
        #expect(grainGenerations().isEmpty)
    }

    @Test func aPictureGivesItsNeighboursLabelsAndDistribution() throws {
        try show(0, time: 0, generation: 7)
        let own = scenes.scenes.firstIndex { $0.name == "rain" }!
        #expect(analyzer.nearest.count == min(3, corpus.frameCount))
        #expect(corpus.frames[analyzer.nearest[0].frame].source == own)
        #expect(analyzer.nearest[0].distance == analyzer.distances.min())
        #expect(analyzer.logits?.count == EfficientNetLite.classCount)
        #expect(massPerSource()[own] > 0.8)
        #expect(abs(analyzer.distribution.reduce(0, +) - 1) < 1e-9)
        #expect(grainGenerations() == [7])
    }

    @Test func aSilencedSourceGetsNoProbabilityAndComesBack() throws {
        try show(2, time: 0, generation: 1)
        var volumes = [Float](repeating: 1, count: corpus.sources.count)
        volumes[2] = 0
        try analyzer.setSourceVolumes(volumes)
        analyzer.reset()
        try analyzer.republish(time: 0.01, generation: 2)
        #expect(massPerSource()[2] == 0)
        #expect(abs(massPerSource().reduce(0, +) - 1) < 1e-9)
        #expect(grainGenerations() == [2])
        try analyzer.setSourceVolumes([])
        analyzer.reset()
        try analyzer.republish(time: 0.02, generation: 3)
        #expect(massPerSource()[2] > 0.8)
        #expect(throws: SynthError.self) { try analyzer.setSourceVolumes([1]) }
    }

    @Test func aResetRepublishTakesTheNewMappingAsItIsWithoutANewPicture() throws {
        try show(0, time: 0, generation: 1)
        let distances = Array(analyzer.distances)
        let mapping = DistanceMapping(shape: .softmax, temperature: 2, floor: 0.3)
        try analyzer.setListening(mapping: mapping, smoothing: 5)
        analyzer.reset()
        try analyzer.republish(time: 0.05, generation: 2)
        // The same distances, mapped anew and not blended with the last distribution.
        #expect(Array(analyzer.distances) == distances)
        var expected = [Double](repeating: 0, count: corpus.frameCount)
        var scratch = [Float](repeating: 0, count: corpus.frameCount)
        let weights = analyzer.synth.bank.frameTimeWeights()
        expected.withUnsafeMutableBufferPointer { expected in
            scratch.withUnsafeMutableBufferPointer { scratch in
                weights.withUnsafeBufferPointer { weights in
                    _ = mapping.map(
                        distances: analyzer.distances, timeWeights: weights, into: expected, scratch: scratch)
                }
            }
        }
        // The analyser's scale comes from the corpus's mean embedding, the test's from the float
        // distances (~10⁻⁶ relative rounding each): the same RMS distance up to that rounding.
        #expect(zip(analyzer.distribution, expected).allSatisfy { abs($0 - $1) < 1e-7 })
        #expect(throws: SynthError.self) { try analyzer.setListening(mapping: mapping, smoothing: -1) }
    }

    /// Re-mapping and publishing (what every analysis ends with, after the network and the search)
    /// add no allocation to the synth's hand-over. (The network's thread team and the search's
    /// OpenBLAS call allocate a few blocks per frame today, outside this pipeline.)
    @Test func republishingAddsNoAllocationToTheHandOver() throws {
        try show(3, time: 0, generation: 1)
        let uniform = [Double](repeating: 1, count: corpus.frameCount)
        func handOver(_ generation: UInt64) throws {
            try uniform.withUnsafeBufferPointer {
                try analyzer.synth.publish($0, generation: generation, frameTime: 0)
            }
        }
        // The first calls warm up.
        try handOver(2)
        try analyzer.republish(time: 0.05, generation: 3)
        var before = allocation_counter_thread_total()
        try handOver(4)
        let handOverAllocations = allocation_counter_thread_total() - before
        before = allocation_counter_thread_total()
        try analyzer.republish(time: 0.1, generation: 5)
        let republishAllocations = allocation_counter_thread_total() - before
        #expect(republishAllocations <= handOverAllocations, "the hand-over alone: \(handOverAllocations)")
    }
}
