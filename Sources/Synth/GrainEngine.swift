/// Everything the audio thread owns: the voices, the mix buffers, the scheduler's clock, the
/// limiter and the random generator, plus read-only views of the sound bank and the hand-over slots.
///
/// A plain struct behind a pointer held by ``GranularSynth``: no references, so no reference
/// counting and no exclusivity checks on the render path. All memory is allocated (and freed) by the
/// owner; nothing here allocates.
struct GrainEngine {
    /// The mix is built in chunks of at most this many samples (frames × channels): long enough
    /// that each grain's source is read in long runs and a grain's window is set up a few times
    /// only, small enough that the mix stays in the first-level cache (16 KiB).
    static let chunkSamples = 4096

    /// Frames per chunk.
    var chunk: Int { Self.chunkSamples / channels }

    // The sound bank, flattened.
    let channels: Int
    let sourceBase: UnsafePointer<UnsafePointer<Float>>
    let sourceChannels: UnsafePointer<Int>
    let sourceFrames: UnsafePointer<Int>
    let sourceCount: Int
    let spans: UnsafePointer<FrameSpan>

    // Hand-over slots shared with the writers; the slot indices say which ones are ours.
    let distributions: UnsafePointer<DistributionSlot>
    let settings: UnsafePointer<GrainSettings>
    /// Per settings slot, one volume per source.
    let volumes: UnsafePointer<Float>
    var distributionSlot = 2
    var settingsSlot = 2

    // Voices: `activeCount` sounding ones first, `fadingCount` of them being stolen.
    let voices: UnsafeMutablePointer<Voice>
    let voiceLimit: Int
    let voiceCapacity: Int
    let stealFadeFrames: Int
    var activeCount = 0
    var fadingCount = 0

    // Chunk buffers.
    let mixLeft: UnsafeMutablePointer<Float>
    let mixRight: UnsafeMutablePointer<Float>
    let envelope: UnsafeMutablePointer<Float>
    let resampled: UnsafeMutablePointer<Float>

    var limiter: SoftLimiter
    var random: Xoshiro256
    /// Output frames rendered so far.
    var clock = 0
    /// Output frame (fractional) of the next grain onset.
    var nextOnset = 0.0

    // Running counts, published to the monitor after every call.
    var grainsStarted = 0
    var grainsStolen = 0
    var grainsDropped = 0

    /// Renders `frames` interleaved frames into `output`.
    @_noLocks @_noAllocation
    mutating func render(
        into output: UnsafeMutablePointer<Float>, frames: Int, events: borrowing GrainEventRing,
        monitor: borrowing SynthMonitor
    ) {
        var peak: Float = 0
        var energy: Float = 0
        var done = 0
        // The limiter follows the settings in force; its gain carries on, so a change does not click.
        let current = settings[settingsSlot]
        limiter.threshold = current.limiterThreshold
        limiter.ceiling = current.limiterCeiling
        limiter.recovery = current.limiterRecovery
        while done < frames {
            let count = min(chunk, frames - done)
            mixLeft.update(repeating: 0, count: count)
            if channels == 2 { mixRight.update(repeating: 0, count: count) }
            startGrains(before: count, events: events)
            renderVoices(count)
            let level = limiter.process(
                left: mixLeft, right: channels == 2 ? mixRight : nil, into: output + done * channels,
                frames: count)
            peak = max(peak, level.peak)
            energy += level.energy
            clock += count
            done += count
        }
        let meanSquare = frames > 0 ? energy / Float(frames * channels) : 0
        monitor.peak.store(peak.bitPattern, ordering: .relaxed)
        monitor.meanSquare.store(meanSquare.bitPattern, ordering: .relaxed)
        monitor.framesRendered.store(clock, ordering: .relaxed)
        monitor.grainsStarted.store(grainsStarted, ordering: .relaxed)
        monitor.grainsStolen.store(grainsStolen, ordering: .relaxed)
        monitor.grainsDropped.store(grainsDropped, ordering: .relaxed)
        monitor.activeVoices.store(activeCount, ordering: .relaxed)
    }

    /// Starts every grain whose onset falls in the next `count` frames.
    @inline(__always)
    private mutating func startGrains(before count: Int, events: borrowing GrainEventRing) {
        let grain = settings[settingsSlot]
        let end = Double(clock + count)
        guard grain.onsetInterval > 0 else {
            nextOnset = max(nextOnset, end)
            return
        }
        while nextOnset < end {
            let offset = max(0, Int(nextOnset) - clock)
            if !(distributions + distributionSlot).pointee.isEmpty {
                startGrain(at: offset, grain, events: events)
            }
            let jitter = 1 + grain.onsetJitter * (2 * random.unitDouble() - 1)
            nextOnset += max(grain.onsetInterval * jitter, 1e-3)
        }
    }

    /// Draws a grain from the current distribution and gives it a voice, starting `offset` frames
    /// into the chunk.
    private mutating func startGrain(at offset: Int, _ grain: GrainSettings, events: borrowing GrainEventRing)
    {
        let frame = (distributions + distributionSlot).pointee.draw(&random)
        let span = spans[frame]
        let source = span.source
        let volume = volumes[settingsSlot * sourceCount + source]
        let available = sourceFrames[source]
        var length =
            grain.minLength + min(Int(random.unitFloat() * Float(grain.lengthRange + 1)), grain.lengthRange)
        var rate = 1.0
        if grain.rateJitterOctaves > 0 {
            rate = Double(FastMath.exp2(grain.rateJitterOctaves * (2 * random.unitFloat() - 1)))
        }
        // Frames read from the source: interpolation looks one frame past the last position.
        var reach = rate == 1 ? length : Int(Double(length - 1) * rate) + 2
        if reach > available {
            length = rate == 1 ? available : Int(Double(available - 2) / rate)
            reach = rate == 1 ? length : Int(Double(length - 1) * rate) + 2
        }
        let centre = span.start + Int(random.unitDouble() * Double(span.end - span.start))
        let first = min(max(centre - reach / 2, 0), available - reach)
        let pan = grain.stereoSpread * (2 * random.unitFloat() - 1)
        guard volume > 0, length >= 32 else { return }
        if activeCount - fadingCount >= voiceLimit { stealVoice() }
        guard activeCount < voiceCapacity else {
            grainsDropped += 1
            return
        }
        let channelsIn = sourceChannels[source]
        var gain = grain.gain * volume
        var left: Float = 1
        var right: Float = 1
        if channels == 2 {
            // Equal power: θ from 0 (left) to π/2 (right); √2 keeps a centred grain at unity.
            let angle = (pan + 1) * (Float.pi / 4)
            left = 1.414_213_6 * FastMath.sine(Float.pi / 2 - angle)
            right = 1.414_213_6 * FastMath.sine(angle)
        } else if channelsIn == 2 {
            gain *= 0.5
        }
        voices[activeCount] = Voice(
            source: sourceBase[source] + first * channelsIn, channels: channelsIn, length: length,
            delay: offset, attack: Int(Float(length) * grain.attack),
            release: Int(Float(length) * grain.release), gain: gain, left: left, right: right, rate: rate)
        activeCount += 1
        grainsStarted += 1
        events.push(
            GrainEvent(
                outputFrame: Int64(clock + offset), frame: Int32(frame), source: Int32(source),
                sourceFrame: Int64(first), length: Int32(length), rate: Float(rate), gain: gain,
                pan: channels == 2 ? pan : 0,
                generation: (distributions + distributionSlot).pointee.generation))
    }

    /// Fades out the sounding grain closest to its end, over at most `stealFadeFrames`.
    private mutating func stealVoice() {
        var chosen = -1
        var shortest = Int.max
        for index in 0..<activeCount where voices[index].fadeStart == Int.max {
            let remaining = voices[index].end - voices[index].position
            if remaining < shortest {
                shortest = remaining
                chosen = index
            }
        }
        guard chosen >= 0 else { return }
        let fade = min(shortest, stealFadeFrames)
        voices[chosen].fadeStart = voices[chosen].position
        voices[chosen].end = voices[chosen].position + max(fade, 1)
        fadingCount += 1
        grainsStolen += 1
    }

    /// Adds every sounding grain's next `count` frames to the mix, retiring finished grains.
    ///
    /// Voices stay in the order they started (finished ones are squeezed out, not swapped), so each
    /// output sample sums its grains in the same order however the output is cut into blocks.
    @inline(__always)
    private mutating func renderVoices(_ count: Int) {
        var kept = 0
        for index in 0..<activeCount {
            if renderVoice(voices + index, count) {
                if voices[index].fadeStart != Int.max { fadingCount -= 1 }
            } else {
                if kept != index { voices[kept] = voices[index] }
                kept += 1
            }
        }
        activeCount = kept
    }

    /// Adds one grain's part of the chunk to the mix.
    ///
    /// - Returns: whether the grain has ended.
    @inline(__always)
    private func renderVoice(_ voice: UnsafeMutablePointer<Voice>, _ count: Int) -> Bool {
        let begin = voice.pointee.delay
        let position = voice.pointee.position
        let end = voice.pointee.end
        let frames = min(count - begin, end - position)
        let channelsIn = voice.pointee.channels
        var source = voice.pointee.source + position * channelsIn
        if voice.pointee.rate != 1 {
            GrainKernels.resample(
                voice.pointee.source, channels: channelsIn, first: position, rate: voice.pointee.rate,
                count: frames, into: resampled)
            source = UnsafePointer(resampled)
        }
        let left = mixLeft + begin
        let grain = voice.pointee
        if channels == 1 {
            if channelsIn == 1 {
                let target = MonoIntoMono(mix: left, source: source)
                GrainKernels.applyWindow(grain, from: position, count: frames, to: target, envelope: envelope)
            } else {
                let target = StereoIntoMono(mix: left, source: source)
                GrainKernels.applyWindow(grain, from: position, count: frames, to: target, envelope: envelope)
            }
        } else if channelsIn == 1 {
            let target = MonoIntoStereo(mix: stereo(begin, grain), source: source)
            GrainKernels.applyWindow(grain, from: position, count: frames, to: target, envelope: envelope)
        } else {
            let target = StereoIntoStereo(mix: stereo(begin, grain), source: source)
            GrainKernels.applyWindow(grain, from: position, count: frames, to: target, envelope: envelope)
        }
        voice.pointee.position = position + frames
        voice.pointee.delay = 0
        return position + frames >= end
    }

    /// The stereo mix from frame `begin` of the chunk, with the grain's pan gains.
    @inline(__always)
    private func stereo(_ begin: Int, _ voice: Voice) -> StereoMix {
        StereoMix(
            left: mixLeft + begin, right: mixRight + begin, leftGain: voice.left, rightGain: voice.right)
    }
}
