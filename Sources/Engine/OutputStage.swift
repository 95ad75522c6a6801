import AudioOutput
import Foundation
import Synchronization

/// The last steps of the live audio path, after the synth: a gain ramp for fading in and out
/// (idle camera, start, stop), the output meter, and the taps that copy the output to other threads.
///
/// Controls are atomics any thread may set; the audio thread follows them one sample at a time,
/// so a change is never a step in the waveform.
final class OutputStage: @unchecked Sendable {
    let sampleRate: Int
    /// Rings the output is copied into (a recorder, a network stream); fixed at creation.
    let taps: [SampleRing]
    /// The same rings without reference counting, for the audio thread (`taps` keeps them alive).
    private let unretainedTaps: UnsafeMutableBufferPointer<Unmanaged<SampleRing>>
    private let targetGain = Atomic<UInt32>(Float(0).bitPattern)
    private let rampStep = Atomic<UInt32>(Float(0).bitPattern)
    private let peakLevel = Atomic<UInt32>(Float(0).bitPattern)
    private let meanSquareLevel = Atomic<UInt32>(Float(0).bitPattern)
    private let currentGain = Atomic<UInt32>(Float(0).bitPattern)
    /// The gain the audio thread is at; touched only by the audio thread.
    private var gain: Float = 0
    /// Mean square with a 300 ms time constant; audio thread only.
    private var meanSquare: Float = 0
    /// The peak meter's level, falling 20 dB in 1.5 s like a peak programme meter; audio thread only.
    private var peakHold: Float = 0
    private let peakFall: Float

    /// Makes a stage that starts silent.
    ///
    /// - Parameters:
    ///   - sampleRate: frames per second.
    ///   - taps: rings to copy the output into.
    init(sampleRate: Int, taps: [SampleRing]) {
        self.sampleRate = sampleRate
        self.taps = taps
        peakFall = Float(pow(0.1, 1 / (1.5 * Double(sampleRate))))
        unretainedTaps = .allocate(capacity: taps.count)
        _ = unretainedTaps.initialize(from: taps.map { Unmanaged.passUnretained($0) })
    }

    deinit { unretainedTaps.deallocate() }

    /// Moves the gain to `target` in a straight line lasting `seconds` for a full 0↔1 swing.
    ///
    /// - Parameters:
    ///   - target: linear gain, 0 for silence.
    ///   - seconds: ramp time for a change of 1; shorter changes take proportionally less.
    func fade(to target: Float, over seconds: Double) {
        let step = Float(1 / max(seconds * Double(sampleRate), 1))
        rampStep.store(step.bitPattern, ordering: .relaxed)
        targetGain.store(target.bitPattern, ordering: .releasing)
    }

    /// The gain the audio thread is aiming for.
    var target: Float { Float(bitPattern: targetGain.load(ordering: .acquiring)) }

    /// The gain the audio thread last reached.
    var gainNow: Float { Float(bitPattern: currentGain.load(ordering: .relaxed)) }

    /// Applies the gain ramp, meters the result and copies it to the taps (audio thread).
    ///
    /// - Parameter samples: interleaved output, changed in place.
    /// - Parameter channels: channels per frame.
    @_noLocks
    func process(_ samples: UnsafeMutableBufferPointer<Float>, channels: Int) {
        let target = Float(bitPattern: targetGain.load(ordering: .acquiring))
        let step = Float(bitPattern: rampStep.load(ordering: .relaxed))
        var gain = self.gain
        var peak = peakHold
        var sum: Float = 0
        var index = 0
        while index < samples.count {
            if gain < target {
                gain = min(gain + step, target)
            } else if gain > target {
                gain = max(gain - step, target)
            }
            peak *= peakFall
            for channel in 0..<channels {
                let value = samples[index + channel] * gain
                samples[index + channel] = value
                peak = max(peak, abs(value))
                sum += value * value
            }
            index += channels
        }
        self.gain = gain
        currentGain.store(gain.bitPattern, ordering: .relaxed)
        // Readers only load, so any number of viewers see the same meter.
        peakHold = peak
        peakLevel.store(peak.bitPattern, ordering: .relaxed)
        let blockSeconds = Float(samples.count / max(channels, 1)) / Float(sampleRate)
        let weight = min(1, blockSeconds / 0.3)
        meanSquare += weight * (sum / Float(max(samples.count, 1)) - meanSquare)
        meanSquareLevel.store(meanSquare.bitPattern, ordering: .relaxed)
        let output = UnsafeBufferPointer(samples)
        for tap in unretainedTaps { _ = tap._withUnsafeGuaranteedRef { $0.write(output) } }
    }

    /// The peak meter (falling 20 dB in 1.5 s after each peak) and the RMS over ~300 ms, both linear.
    func readLevel() -> (peak: Float, rms: Float) {
        let peak = Float(bitPattern: peakLevel.load(ordering: .relaxed))
        let meanSquare = Float(bitPattern: meanSquareLevel.load(ordering: .relaxed))
        return (peak, meanSquare.squareRoot())
    }
}
