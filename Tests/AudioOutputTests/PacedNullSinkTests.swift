import AudioOutput
import Foundation
import Synchronization
import TestSupport
import Testing

/// The paced sink keeps a sound card's time and reports the underruns a card would have had.
@Suite struct PacedNullSinkTests {
    /// Writes a 440 Hz sine into each block: real work, no allocation.
    final class SineRenderer: @unchecked Sendable {
        var phase: Float = 0
        let increment: Float = 2 * .pi * 440 / 48_000
        func render(_ block: AudioBlock) {
            for frame in 0..<block.frames {
                let value = 0.25 * sin(phase)
                phase += increment
                if phase > 2 * .pi { phase -= 2 * .pi }
                for channel in 0..<block.channels { block.samples[frame * block.channels + channel] = value }
            }
        }
    }

    @Test func playsAtTheDeviceRateWithoutUnderruns() throws {
        let sink = try PacedNullSink()
        let sine = SineRenderer()
        let started = MonotonicClock.now()
        try sink.start { sine.render($0) }
        Thread.sleep(forTimeInterval: 0.5)
        sink.stop()
        let elapsed = Double(MonotonicClock.now() - started) / 1e9
        let statistics = sink.statistics
        #expect(statistics.underruns == 0, "\(statistics)")
        // The device plays elapsed × rate frames; the sink is ahead by at most its buffer.
        let played = elapsed * 48_000
        let frames = Double(statistics.framesRendered)
        #expect(frames <= played + Double(sink.format.bufferFrames + sink.format.periodFrames))
        #expect(frames >= played - 0.05 * 48_000, "rendered \(frames) frames in \(elapsed) s")
        #expect(statistics.tightestMargin > 0)
        #expect(sink.failure == nil)
    }

    @Test func aRenderThatOverrunsTheBufferIsCountedOnce() throws {
        let sink = try PacedNullSink()
        let calls = Atomic<Int>(0)
        try sink.start { _ in
            // One stall of 80 ms, far longer than the 43 ms buffer, after the stream is running.
            if calls.wrappingAdd(1, ordering: .relaxed).newValue == 40 { usleep(80_000) }
        }
        Thread.sleep(forTimeInterval: 0.4)
        sink.stop()
        let statistics = sink.statistics
        #expect(statistics.underruns == 1, "\(statistics)")
        #expect(statistics.tightestMargin < -30_000_000)
        #expect(statistics.longestRender >= 80_000_000)
    }

    @Test func theAudioThreadAllocatesNothingWhilePlaying() throws {
        let sink = AllocationCountingSink(wrapping: try PacedNullSink())
        let sine = SineRenderer()
        try sink.start { sine.render($0) }
        Thread.sleep(forTimeInterval: 0.3)
        sink.stop()
        #expect(sink.periodsCounted > 20)
        #expect(sink.allocationsOnAudioThread == 0)
    }

    @Test func theAllocationCountSeesAnAllocatingRenderer() throws {
        let sink = AllocationCountingSink(wrapping: try PacedNullSink())
        try sink.start { block in
            // A fresh array per block: the mistake the count exists to catch.
            let scratch = [Float](repeating: 0.1, count: block.samples.count + Int(block.sampleTime % 2))
            for index in block.samples.indices { block.samples[index] = scratch[index] }
        }
        Thread.sleep(forTimeInterval: 0.2)
        sink.stop()
        #expect(sink.periodsCounted > 10)
        #expect(sink.allocationsOnAudioThread >= sink.periodsCounted)
    }

    @Test func startingTwiceIsRefused() throws {
        let sink = try PacedNullSink()
        try sink.start { _ in }
        defer { sink.stop() }
        #expect(throws: AudioSinkError.alreadyStarted) { try sink.start { _ in } }
    }

    @Test func blocksCarryTheSampleClockAndTheOutputDelay() throws {
        let sink = try PacedNullSink()
        let checked = Atomic<Int>(0)
        let wrong = Atomic<Int>(0)
        let expectedTime = Atomic<Int64>(0)
        let bufferNanoseconds = sink.format.nanoseconds(frames: Int64(sink.format.bufferFrames))
        try sink.start { block in
            if block.sampleTime != expectedTime.load(ordering: .relaxed)
                || block.outputDelay > bufferNanoseconds
            {
                wrong.wrappingAdd(1, ordering: .relaxed)
            }
            expectedTime.store(block.sampleTime + Int64(block.frames), ordering: .relaxed)
            checked.wrappingAdd(1, ordering: .relaxed)
        }
        Thread.sleep(forTimeInterval: 0.1)
        sink.stop()
        #expect(checked.load(ordering: .relaxed) > 4)
        #expect(wrong.load(ordering: .relaxed) == 0)
    }
}
