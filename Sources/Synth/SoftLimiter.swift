#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The last stage of the output: a peak limiter with smooth gain changes, followed by a soft knee
/// that guarantees no sample ever exceeds the ceiling.
///
/// Every 32 frames the gain moves linearly towards `threshold / peak` (at once when the peak needs
/// less gain, with time constant `release` when it needs more), so loud passages are turned down
/// without distortion and without steps. The ramp can lag the first samples of a sudden peak; those
/// go through the knee `k + (c − k)·u/(1 + u)`, `u = (|x| − k)/(c − k)`, which is the identity up to
/// the threshold `k` and approaches the ceiling `c` without reaching it. Stereo channels share
/// one gain so the image does not move.
struct SoftLimiter {
    static let block = 32
    /// Linear level where limiting starts; may change between calls (the gain carries on smoothly).
    var threshold: Float
    /// Linear level no output sample reaches.
    var ceiling: Float
    /// Share of the remaining distance to the wanted gain recovered per block.
    var recovery: Float
    /// The gain reached at the end of the last block.
    private(set) var gain: Float = 1

    /// Creates a limiter.
    ///
    /// - Parameters:
    ///   - thresholdDecibels: where limiting starts, in dBFS.
    ///   - ceilingDecibels: the hard maximum of the output, in dBFS.
    ///   - release: recovery time constant in seconds.
    ///   - sampleRate: in Hz.
    init(thresholdDecibels: Double, ceilingDecibels: Double, release: Double, sampleRate: Int) {
        threshold = Float(pow(10, thresholdDecibels / 20))
        ceiling = Float(pow(10, ceilingDecibels / 20))
        recovery = Self.recovery(release: release, sampleRate: sampleRate)
    }

    /// The share of the way to the wanted gain recovered per block for a release time constant.
    ///
    /// - Parameters:
    ///   - release: the time constant in seconds.
    ///   - sampleRate: in Hz.
    /// - Returns: the per-block recovery in (0, 1].
    static func recovery(release: Double, sampleRate: Int) -> Float {
        Float(1 - exp(-Double(block) / (release * Double(sampleRate))))
    }

    /// Limits `frames` frames of planar input into interleaved output.
    ///
    /// - Parameters:
    ///   - left: the (mono or left) mix.
    ///   - right: the right mix, or nil for mono output.
    ///   - output: interleaved destination with 1 or 2 channels.
    ///   - frames: frames to process.
    /// - Returns: the largest absolute output sample and the sum of squared output samples.
    @_noLocks @_noAllocation
    mutating func process(
        left: UnsafePointer<Float>, right: UnsafePointer<Float>?, into output: UnsafeMutablePointer<Float>,
        frames: Int
    ) -> (peak: Float, energy: Float) {
        let lanes = SIMD8<Float>(1, 2, 3, 4, 5, 6, 7, 8)
        var peakOut = SIMD8<Float>()
        var energy = SIMD8<Float>()
        var start = 0
        while start < frames {
            let count = min(Self.block, frames - start)
            var peakIn = peak(left + start, count)
            if let right { peakIn = max(peakIn, peak(right + start, count)) }
            let wanted = peakIn > threshold ? threshold / peakIn : 1
            let next = wanted < gain ? wanted : gain + (wanted - gain) * recovery
            let step = (next - gain) / Float(count)
            // Only a block whose ramp can lift a sample past the threshold needs the knee.
            let shape = peakIn * max(gain, next) > threshold
            var offset = 0
            while offset + 8 <= count {
                let frameGain = (lanes + Float(offset)) * step + gain
                let index = start + offset
                var l = GrainKernels.load(left + index) * frameGain
                if shape { l = knee(l) }
                peakOut = FastMath.maximum(peakOut, FastMath.magnitude(l))
                energy = l * l + energy
                if let right {
                    var r = GrainKernels.load(right + index) * frameGain
                    if shape { r = knee(r) }
                    peakOut = FastMath.maximum(peakOut, FastMath.magnitude(r))
                    energy = r * r + energy
                    for lane in 0..<8 {
                        output[2 * (index + lane)] = l[lane]
                        output[2 * (index + lane) + 1] = r[lane]
                    }
                } else {
                    GrainKernels.store(l, output + index)
                }
                offset += 8
            }
            while offset < count {
                let frameGain = gain + step * Float(offset + 1)
                let index = start + offset
                let l = knee(left[index] * frameGain)
                peakOut[0] = max(peakOut[0], abs(l))
                energy[0] += l * l
                if let right {
                    let r = knee(right[index] * frameGain)
                    peakOut[1] = max(peakOut[1], abs(r))
                    energy[1] += r * r
                    output[2 * index] = l
                    output[2 * index + 1] = r
                } else {
                    output[index] = l
                }
                offset += 1
            }
            gain = next
            start += count
        }
        return (FastMath.largest(peakOut), energy.sum())
    }

    /// The largest absolute value among `count` samples.
    @inline(__always)
    private func peak(_ samples: UnsafePointer<Float>, _ count: Int) -> Float {
        var largest = SIMD8<Float>()
        var index = 0
        while index + 8 <= count {
            largest = FastMath.maximum(largest, FastMath.magnitude(GrainKernels.load(samples + index)))
            index += 8
        }
        var result = FastMath.largest(largest)
        while index < count {
            result = max(result, abs(samples[index]))
            index += 1
        }
        return result
    }

    /// The soft knee, lane by lane: identity below the threshold, approaching the ceiling above it.
    @inline(__always)
    private func knee(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let magnitude = FastMath.magnitude(x)
        let room = ceiling - threshold
        let over = (magnitude - threshold) / room
        let shaped = over / (over + 1) * room + threshold
        let signed = shaped.replacing(with: -shaped, where: x .< 0)
        return x.replacing(with: signed, where: magnitude .> threshold)
    }

    /// The soft knee for one sample.
    @inline(__always)
    private func knee(_ x: Float) -> Float {
        let magnitude = abs(x)
        guard magnitude > threshold else { return x }
        let room = ceiling - threshold
        let over = (magnitude - threshold) / room
        let shaped = threshold + room * over / (1 + over)
        return x < 0 ? -shaped : shaped
    }
}
