@testable import Synth

/// Small builders shared by the Synth tests.
enum SynthFixture {
    static let sampleRate = 48_000

    /// Uniform white noise in [−amplitude, amplitude] from a fixed seed.
    static func noise(seconds: Double, amplitude: Float, seed: UInt64 = 1) -> [Float] {
        var random = Xoshiro256(seed: seed)
        return (0..<Int(seconds * Double(sampleRate))).map { _ in (2 * random.unitFloat() - 1) * amplitude }
    }

    /// A bank of mono sources cut into one-second frames (like a video indexed at 1 fps).
    static func bank(_ sources: [[Float]]) throws -> SoundBank {
        var frames: [FrameSpan] = []
        for (index, samples) in sources.enumerated() {
            var start = 0
            while start < samples.count {
                frames.append(
                    FrameSpan(source: index, start: start, end: min(start + sampleRate, samples.count)))
                start += sampleRate
            }
        }
        return try SoundBank(
            sampleRate: sampleRate,
            audio: sources.enumerated().map { ("source\($0.offset)", $0.element, 1) }, frames: frames)
    }

    /// Renders `frames` frames in blocks of `block`, returning the interleaved output.
    static func render(_ synth: GranularSynth, frames: Int, block: Int = 512) -> [Float] {
        var output = [Float](repeating: 0, count: frames * synth.channels)
        output.withUnsafeMutableBufferPointer { buffer in
            var done = 0
            while done < frames {
                let count = min(block, frames - done)
                synth.render(into: buffer.baseAddress! + done * synth.channels, frames: count)
                done += count
            }
        }
        return output
    }

    /// Publishes the given weights (one per frame).
    static func publish(_ synth: GranularSynth, _ weights: [Double], generation: UInt64 = 1) throws {
        try weights.withUnsafeBufferPointer { try synth.publish($0, generation: generation, frameTime: 0) }
    }

    /// Every grain event recorded so far.
    static func events(_ synth: GranularSynth) -> [GrainEvent] {
        var events: [GrainEvent] = []
        synth.drainGrainEvents { events.append($0) }
        return events
    }

    static func rms(_ samples: ArraySlice<Float>) -> Double {
        (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
    }

    static func largestJump(_ samples: [Float], channels: Int) -> Float {
        var largest: Float = 0
        for index in channels..<samples.count {
            largest = max(largest, abs(samples[index] - samples[index - channels]))
        }
        return largest
    }
}
