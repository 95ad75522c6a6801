import AllocationCounter
import Corpus
import Engine
import Foundation
import MediaIO
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
        let fresh = try ProbabilityMap(bank: analyzer.synth.bank, mapping: mapping, timeConstant: 0)
        fresh.update(distances: analyzer.distances, time: 0)
        let expected = Array(fresh.probabilities)
        // The analyser's scale comes from the corpus's mean embedding, the test's from the float
        // distances (~10⁻⁶ relative rounding each): the same RMS distance up to that rounding.
        #expect(zip(analyzer.distribution, expected).allSatisfy { abs($0 - $1) < 1e-7 })
        #expect(throws: SynthError.self) { try analyzer.setListening(mapping: mapping, smoothing: -1) }
    }

    /// Part of a picture, as a camera would frame it.
    private func window(_ photo: RGBFrame, x: Int, y: Int, width: Int, height: Int) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for row in 0..<height {
            let source = ((y + row) * photo.width + x) * 3
            pixels[row * width * 3..<(row + 1) * width * 3] = photo.pixels[source..<source + width * 3]
        }
        return pixels
    }

    @Test func aPanOrAZoomAcrossOnePhotoIsNotACut() throws {
        // The storm photo has the least self-similar pan of the shared photos (docs/synthesis.md).
        // A window of 60 % pans from the left edge to the right one in 6 s, then the view zooms
        // from the whole photo to its middle half in 6 s: 5 pictures a second, as a slow vision loop.
        let photo = try VideoFrameReader.readStill(
            Paths.media.appendingPathComponent("images/mate_Storm.jpg"), scaling: .shortSide(400))
        let width = photo.width * 6 / 10
        let height = photo.height * 6 / 10
        var time = 0.0
        var generation: UInt64 = 1
        func show(_ pixels: [UInt8], width: Int, height: Int) throws {
            try pixels.withUnsafeBufferPointer {
                try analyzer.analyze(
                    rgb: $0, width: width, height: height, time: time, generation: generation)
            }
            time += 0.2
            generation += 1
        }
        for step in 0...30 {
            let x = (photo.width - width) * step / 30
            let sway: Double = Double(photo.height - height) / 3 * sin(Double(step) / 5)
            let y = (photo.height - height) / 2 + Int(sway)
            try show(window(photo, x: x, y: y, width: width, height: height), width: width, height: height)
        }
        for step in 0...30 {
            let share = 1 - Double(step) / 60
            let w = Int(Double(photo.width) * share)
            let h = Int(Double(photo.height) * share)
            try show(
                window(photo, x: (photo.width - w) / 2, y: (photo.height - h) / 2, width: w, height: h),
                width: w,
                height: h)
        }
        #expect(analyzer.cutCount == 0, "cuts at \(analyzer.lastCutTime ?? -1) s")
        #expect(
            corpus.frames[analyzer.nearest[0].frame].source
                == scenes.scenes.firstIndex { $0.name == "thunder" })
    }

    @Test func aCutRestartsTheEvidenceAtOnce() throws {
        let rain = scenes.scenes.firstIndex { $0.name == "rain" }!
        let cafe = scenes.scenes.firstIndex { $0.name == "cafe" }!
        for tick in 0..<20 { try show(rain, time: Double(tick) / 10, generation: UInt64(tick) + 1) }
        #expect(analyzer.cutCount == 0 && massPerSource()[rain] > 0.8)
        try show(cafe, time: 2, generation: 21)
        #expect(analyzer.cutCount == 1 && analyzer.lastCutTime == 2)
        // The evidence is the café's alone: its nearest frame at once, its p(t) after the smoothing
        // (τ = 0.1 s) has had two frames.
        #expect(corpus.frames[analyzer.nearest[0].frame].source == cafe)
        try show(cafe, time: 2.1, generation: 22)
        try show(cafe, time: 2.2, generation: 23)
        #expect(analyzer.cutCount == 1)
        #expect(massPerSource()[cafe] > 0.8, "café \(massPerSource()[cafe])")
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
