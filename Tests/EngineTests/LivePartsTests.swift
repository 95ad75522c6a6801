import AudioOutput
import Foundation
import Synth
import Testing

@testable import Engine

/// The live engine's parts that need no model: the gain ramp, the block clock, the latency
/// matching, the timeline bins and the latest-frame mailbox.
@Suite struct LivePartsTests {
    @Test func theGainRampIsAStraightLineWithNoStep() {
        let stage = OutputStage(sampleRate: 48_000, taps: [])
        var block = [Float](repeating: 1, count: 2 * 256)
        stage.fade(to: 1, over: 0.01)
        var output: [Float] = []
        for _ in 0..<4 {
            for index in block.indices { block[index] = 1 }
            block.withUnsafeMutableBufferPointer { stage.process($0, channels: 2) }
            output += block
        }
        // 10 ms at 48 kHz is 480 samples: the left channel climbs by 1/480 per frame, then holds.
        let left = stride(from: 0, to: output.count, by: 2).map { output[$0] }
        #expect(abs(left[0] - 1 / 480) < 1e-6)
        #expect(abs(left[239] - 0.5) < 1e-4)
        #expect(left[479...].allSatisfy { $0 == 1 })
        let steps = zip(left, left.dropFirst()).map { abs($1 - $0) }
        #expect(steps.max()! <= 1 / 480 + 1e-6)
        // Both channels get the same gain.
        #expect(stride(from: 0, to: output.count, by: 2).allSatisfy { output[$0] == output[$0 + 1] })
        // A fade-out mid-way turns around without a jump.
        stage.fade(to: 0, over: 0.02)
        for index in block.indices { block[index] = 1 }
        block.withUnsafeMutableBufferPointer { stage.process($0, channels: 2) }
        #expect(abs(block[0] - (1 - 1.0 / 960)) < 1e-5)
        #expect(stage.target == 0)
    }

    @Test func thePeakMeterFallsTwentyDecibelsInOneAndAHalfSeconds() {
        let stage = OutputStage(sampleRate: 48_000, taps: [])
        stage.fade(to: 1, over: 0.01)
        var block = [Float](repeating: 0, count: 2 * 1024)
        block[2 * 1023] = 1
        block.withUnsafeMutableBufferPointer { stage.process($0, channels: 2) }
        let level = stage.readLevel()
        #expect(level.peak > 0.99 && level.rms > 0)
        // Reading does not reset it: every viewer sees the same meter.
        #expect(stage.readLevel().peak == level.peak)
        var silence = [Float](repeating: 0, count: 2 * 72_000)
        silence.withUnsafeMutableBufferPointer { stage.process($0, channels: 2) }
        #expect(abs(stage.readLevel().peak - 0.1) < 0.001)
    }

    @Test func tapsReceiveWholeBlocks() {
        let ring = SampleRing(capacity: 1000)
        let stage = OutputStage(sampleRate: 48_000, taps: [ring])
        var block = [Float](repeating: 0.5, count: 600)
        block.withUnsafeMutableBufferPointer { stage.process($0, channels: 2) }
        block.withUnsafeMutableBufferPointer { stage.process($0, channels: 2) }
        #expect(ring.available == 600 && ring.dropped == 600)
    }

    @Test func theBlockClockMapsFramesToTimesUntilOverwritten() {
        let clock = BlockClock(periodFrames: 256, sampleRate: 48_000, capacity: 8)
        for block in 0..<10 {
            clock.record(
                firstFrame: Int64(block * 256), hostTime: Int64(block) * 1_000_000, outputDelay: 20_000_000)
        }
        // Frame 2600 is in block 10 (frames 2560…2815), which was never recorded.
        #expect(clock.times(of: 2600) == nil)
        // 12 frames into block 9: rendered at 9 ms, heard 20 ms later plus 12 frames (250 µs).
        #expect(clock.times(of: 9 * 256 + 12) == BlockClock.Times(rendered: 9_000_000, audible: 29_250_000))
        // Block 1 was overwritten by block 9 (capacity 8).
        #expect(clock.times(of: 256) == nil)
        #expect(clock.times(of: 2 * 256)?.rendered == 2_000_000)
    }

    @Test func latencyStampsMatchThePublicationToItsFirstGrain() {
        var tracker = LatencyTracker()
        tracker.published(generation: 10, frameID: 1, arrival: 100, analysisStart: 110, at: 150)
        tracker.published(generation: 20, frameID: 2, arrival: 200, analysisStart: 210, at: 250)
        tracker.published(generation: 30, frameID: 3, arrival: 300, analysisStart: 310, at: 350)
        let times = BlockClock.Times(rendered: 400, audible: 420)
        // Grains from an older distribution say nothing; generation 10 never got a grain.
        tracker.grainStarted(generation: 5, times: times)
        tracker.grainStarted(generation: 20, times: times)
        tracker.grainStarted(generation: 20, times: BlockClock.Times(rendered: 500, audible: 520))
        tracker.grainStarted(generation: 30, times: nil)
        let stamps = tracker.take()
        #expect(stamps.count == 1)
        #expect(stamps.first?.frameID == 2 && stamps.first?.firstGrainRendered == 400)
        #expect(tracker.superseded == 1)
        #expect(tracker.take().isEmpty)
    }

    @Test func timelineBinsSpreadEachFrameOverItsAudio() {
        // Source 0: a 10 s video at 1 fps (10 frames); source 1: a still over its 4 s recording.
        var spans: [(source: Int, span: Range<Double>)] = (0..<10).map { (0, Double($0)..<Double($0 + 1)) }
        spans.append((1, 0..<4))
        var bins = TimelineBins(spans: spans, durations: [10, 4], binsPerSource: 5)
        // Frames 3 and 10 hold 0.4 each; a background of 0.2 is spread by time weight (frame 9 muted).
        var masses = [Double](repeating: 0, count: 11)
        masses[3] = 0.4
        masses[10] = 0.4
        var weights = [Double](repeating: 1, count: 11)
        weights[9] = 0
        weights[10] = 4
        let curves = masses.withUnsafeBufferPointer { m in
            weights.withUnsafeBufferPointer { w in
                [Int32(3), 10].withUnsafeBufferPointer { f in
                    bins.curves(
                        SparseDistribution(
                            background: 0.2, timeWeights: w, totalTimeWeight: 13, timeWeightsVersion: 1,
                            frames: f, masses: m))
                }
            }
        }
        let perSecond = 0.2 / 13
        let expected: [[Double]] = [
            [2 * perSecond, 0.4 + 2 * perSecond, 2 * perSecond, 2 * perSecond, perSecond],
            [Double](repeating: (0.4 + 4 * perSecond) / 5, count: 5),
        ]
        for (curve, wanted) in zip(curves, expected) {
            #expect(
                zip(curve, wanted).allSatisfy { abs(Double($0) - $1) < 1e-6 }, "\(curve) against \(wanted)")
        }
    }

    @Test func theMailboxKeepsOnlyTheNewestFrame() {
        let mailbox = LatestFrameMailbox()
        let frame = LiveFrame(pixels: [0, 0, 0], width: 1, height: 1)
        _ = mailbox.put(frame, arrival: 1)
        _ = mailbox.put(frame, arrival: 2)
        let third = mailbox.put(frame, arrival: 3)
        guard case .frame(let delivery) = mailbox.take(timeout: 0) else {
            Issue.record("no frame")
            return
        }
        #expect(delivery.id == third && delivery.arrival == 3)
        #expect(mailbox.counts == (3, 2))
        if case .timedOut = mailbox.take(timeout: 0.01) {} else { Issue.record("expected a timeout") }
        mailbox.poke()
        if case .woken = mailbox.take(timeout: 1) {} else { Issue.record("expected a wake-up") }
        mailbox.close()
        if case .closed = mailbox.take(timeout: 1) {} else { Issue.record("expected closed") }
    }
}
