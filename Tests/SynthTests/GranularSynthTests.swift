import Foundation
import Testing

@testable import Synth

@Suite struct GranularSynthTests {
    typealias F = SynthFixture

    @Test func silentUntilTheFirstDistribution() throws {
        let synth = try GranularSynth(bank: F.bank([F.noise(seconds: 2, amplitude: 0.5)]))
        let output = F.render(synth, frames: 4800)
        #expect(output.allSatisfy { $0 == 0 })
        #expect(synth.status.grainsStarted == 0)
    }

    @Test func sameSeedSameBytesAndBlockSizeOnlyMovesRounding() throws {
        // Quiet enough that the limiter, which works on 32-frame blocks of each call, stays idle. Grain
        // onsets and draws do not depend on the block size; the window's rotation is restarted at
        // block edges, which moves the rounding (below 1e-6) but nothing audible.
        let bank = try F.bank([
            F.noise(seconds: 3, amplitude: 0.05), F.noise(seconds: 2, amplitude: 0.05, seed: 2),
        ])
        func run(block: Int, seed: UInt64) throws -> [Float] {
            let synth = try GranularSynth(
                bank: bank, configuration: SynthConfiguration(seed: seed),
                parameters: GrainParameters(rateJitter: 2))
            try F.publish(synth, [1, 2, 3, 0, 1])
            return F.render(synth, frames: 24_000, block: block)
        }
        let reference = try run(block: 512, seed: 42)
        #expect(try run(block: 512, seed: 42) == reference)
        for block in [1, 7, 64, 1000, 4096] {
            let other = try run(block: block, seed: 42)
            let difference = zip(other, reference).map { abs($0 - $1) }.max()!
            #expect(difference < 1e-6, "block \(block): \(difference)")
        }
        let otherSeed = try run(block: 512, seed: 43)
        #expect(zip(otherSeed, reference).map { abs($0 - $1) }.max()! > 0.01)
    }

    @Test func loudnessDoesNotDependOnRateOrDuration() throws {
        // Grains from unrelated moments add in power: with the overlap normalisation the output RMS
        // stays at the source's RMS (−30 dBFS here, far below the limiter) within 1 dB.
        let amplitude: Float = 0.055
        let sourceRMS = Double(amplitude) / 3.0.squareRoot()
        let bank = try F.bank([F.noise(seconds: 10, amplitude: amplitude)])
        let settings: [(Double, Double, Double)] = [
            (100, 0.05, 0.1), (20, 0.1, 0.2), (1000, 0.02, 0.04), (300, 0.1, 0.1),
        ]
        for (rate, shortest, longest) in settings {
            for channels in [1, 2] {
                let synth = try GranularSynth(
                    bank: bank, configuration: SynthConfiguration(channels: channels, maxVoices: 1024),
                    parameters: GrainParameters(grainRate: rate, minDuration: shortest, maxDuration: longest))
                try F.publish(synth, [Double](repeating: 1, count: 10))
                let output = F.render(synth, frames: 8 * F.sampleRate)
                let level = F.rms(output[(F.sampleRate * channels)...])
                let decibels = 20 * log10(level / sourceRMS)
                #expect(
                    abs(decibels) < 1, "rate \(rate) durations \(shortest)…\(longest) channels \(channels)")
            }
        }
    }

    @Test func windowsLeaveNoClicksEvenWhenVoicesAreStolen() throws {
        // A constant source makes every discontinuity of a window visible as a jump in the output.
        let constant = [Float](repeating: 0.25, count: 2 * F.sampleRate)
        let bank = try F.bank([constant])
        for maxVoices in [256, 3] {
            let synth = try GranularSynth(
                bank: bank, configuration: SynthConfiguration(channels: 1, maxVoices: maxVoices),
                parameters: GrainParameters(grainRate: 200))
            try F.publish(synth, [1, 1])
            let output = F.render(synth, frames: 2 * F.sampleRate)
            // A Hann window of 50 ms rises by at most π/2400 per sample; a 3 ms steal fade by π/288.
            let jump = F.largestJump(output, channels: 1)
            #expect(jump < 0.01, "voice limit \(maxVoices): jump \(jump)")
            if maxVoices == 3 { #expect(synth.status.grainsStolen > 100) }
        }
    }

    @Test func limiterKeepsEverySampleBelowTheCeiling() throws {
        var square = [Float](repeating: 0, count: F.sampleRate)
        for index in square.indices { square[index] = (index / 50) % 2 == 0 ? 1 : -1 }
        let bank = try F.bank([square])
        let synth = try GranularSynth(
            bank: bank, configuration: SynthConfiguration(channels: 2), parameters: GrainParameters(gain: 20))
        try F.publish(synth, [1])
        let output = F.render(synth, frames: 2 * F.sampleRate, block: 333)
        let ceiling = Float(pow(10, -1.0 / 20))
        #expect(output.allSatisfy { abs($0) < ceiling })
        #expect(output.contains { abs($0) > 0.7 })
        #expect(synth.status.peak < ceiling)
    }

    @Test func quietSignalsPassTheLimiterUntouched() {
        var limiter = SoftLimiter(
            thresholdDecibels: -3, ceilingDecibels: -1, release: 0.15, sampleRate: 48_000)
        let input = (0..<1000).map { Float(sin(Double($0) * 0.05)) * 0.5 }
        var output = [Float](repeating: 0, count: 1000)
        let level = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer {
                limiter.process(left: source.baseAddress!, right: nil, into: $0.baseAddress!, frames: 1000)
            }
        }
        #expect(output == input)
        #expect(abs(level.peak - 0.5) < 1e-3)
    }

    @Test func grainsComeFromTheLikelyFramesAndStayInsideTheirSource() throws {
        let bank = try F.bank([
            F.noise(seconds: 3, amplitude: 0.1), F.noise(seconds: 0.06, amplitude: 0.1, seed: 4),
        ])
        let synth = try GranularSynth(bank: bank, parameters: GrainParameters(rateJitter: 3))
        // Frames: source 0 has three (0, 1, 2), source 1 one short frame (3).
        try F.publish(synth, [0, 1, 0, 1], generation: 7)
        _ = F.render(synth, frames: 5 * F.sampleRate)
        let events = F.events(synth)
        #expect(events.count == synth.status.grainsStarted)
        #expect(events.count > 400)
        for event in events {
            #expect(event.frame == 1 || event.frame == 3)
            #expect(event.generation == 7)
            let span = bank.frames[Int(event.frame)]
            #expect(Int(event.source) == span.source)
            let sourceFrames = bank.sources[span.source].frameCount
            let reach = Int((Double(event.length - 1) * Double(event.rate)).rounded(.down)) + 2
            #expect(event.sourceFrame >= 0 && Int(event.sourceFrame) + reach <= sourceFrames)
            #expect(event.rate >= pow(2, -3.0 / 12) - 1e-4 && event.rate <= pow(2, 3.0 / 12) + 1e-4)
            if span.source == 0 {
                // Grains of one-second frames are centred inside the frame's span.
                let centre = Int(event.sourceFrame) + reach / 2
                #expect(centre >= span.start - 1 && centre <= span.end + 1)
            }
        }
        // The short source (60 ms) only fits shortened grains, but it does play.
        #expect(events.contains { $0.source == 1 })
    }

    @Test func stereoSpreadPlacesGrainsAcrossTheField() throws {
        let bank = try F.bank([F.noise(seconds: 2, amplitude: 0.1)])
        let centred = try GranularSynth(bank: bank, parameters: GrainParameters(stereoSpread: 0))
        try F.publish(centred, [1, 1])
        let mono = F.render(centred, frames: F.sampleRate)
        #expect(stride(from: 0, to: mono.count, by: 2).allSatisfy { mono[$0] == mono[$0 + 1] })
        let spread = try GranularSynth(bank: bank, parameters: GrainParameters(stereoSpread: 1))
        try F.publish(spread, [1, 1])
        let wide = F.render(spread, frames: 2 * F.sampleRate)
        let left = stride(from: 0, to: wide.count, by: 2).map { wide[$0] }
        let right = stride(from: 1, to: wide.count, by: 2).map { wide[$0] }
        #expect(left != right)
        let balance = 20 * log10(F.rms(left[...]) / F.rms(right[...]))
        #expect(abs(balance) < 1)
        let pans = F.events(spread).map(\.pan)
        #expect(pans.min()! < -0.8 && pans.max()! > 0.8)
    }

    @Test func parametersAndVolumesApplyFromTheNextBlock() throws {
        let bank = try F.bank([
            F.noise(seconds: 1, amplitude: 0.1), F.noise(seconds: 1, amplitude: 0.1, seed: 5),
        ])
        let synth = try GranularSynth(bank: bank)
        try F.publish(synth, [1, 1])
        _ = F.render(synth, frames: F.sampleRate / 2)
        try synth.update(GrainParameters(sourceVolumes: [0, 1]))
        _ = F.events(synth)
        _ = F.render(synth, frames: F.sampleRate / 2)
        #expect(F.events(synth).allSatisfy { $0.source == 1 })
        try synth.update(GrainParameters(grainRate: 0))
        _ = F.render(synth, frames: F.sampleRate / 5)  // grains already sounding finish
        let silent = F.render(synth, frames: F.sampleRate / 2)
        #expect(silent.allSatisfy { $0 == 0 })
        #expect(synth.parameters.grainRate == 0)
        #expect(throws: SynthError.self) {
            try synth.update(GrainParameters(minDuration: 0.2, maxDuration: 0.1))
        }
        #expect(throws: SynthError.self) { try synth.update(GrainParameters(sourceVolumes: [1])) }
    }

    @Test func newDistributionsTakeOverAtTheNextRenderCall() throws {
        let bank = try F.bank([
            F.noise(seconds: 1, amplitude: 0.1), F.noise(seconds: 1, amplitude: 0.1, seed: 6),
        ])
        let synth = try GranularSynth(bank: bank)
        try F.publish(synth, [1, 0], generation: 1)
        _ = F.render(synth, frames: 4800)
        try F.publish(synth, [0, 1], generation: 2)
        try F.publish(synth, [1, 0], generation: 3)  // the latest wins
        try F.publish(synth, [0, 1], generation: 4)
        _ = F.render(synth, frames: 4800)
        let events = F.events(synth)
        #expect(events.filter { $0.outputFrame < 4800 }.allSatisfy { $0.generation == 1 && $0.source == 0 })
        #expect(events.filter { $0.outputFrame >= 4800 }.allSatisfy { $0.generation == 4 && $0.source == 1 })
        #expect(synth.status.generation == 4)
        #expect(throws: SynthError.self) { try F.publish(synth, [1]) }
    }

    @Test func allZeroDistributionFallsSilent() throws {
        let synth = try GranularSynth(bank: F.bank([F.noise(seconds: 1, amplitude: 0.1)]))
        try F.publish(synth, [1])
        _ = F.render(synth, frames: 4800)
        try F.publish(synth, [0])
        _ = F.render(synth, frames: 9600)
        #expect(F.render(synth, frames: 4800).allSatisfy { $0 == 0 })
    }

    @Test func stereoSourcesPlayInBothLayouts() throws {
        var stereo = [Float](repeating: 0, count: 2 * F.sampleRate)
        for frame in 0..<F.sampleRate {
            stereo[2 * frame] = 0.2
            stereo[2 * frame + 1] = -0.1
        }
        let bank = try SoundBank(
            sampleRate: F.sampleRate, audio: [("stereo", stereo, 2)],
            frames: [FrameSpan(source: 0, start: 0, end: F.sampleRate)])
        let toStereo = try GranularSynth(bank: bank, parameters: GrainParameters(stereoSpread: 0))
        try F.publish(toStereo, [1])
        let both = F.render(toStereo, frames: F.sampleRate)
        #expect(both[40_000] > 0 && both[40_001] < 0)
        let toMono = try GranularSynth(bank: bank, configuration: SynthConfiguration(channels: 1))
        try F.publish(toMono, [1])
        let mono = F.render(toMono, frames: F.sampleRate)
        #expect(mono[30_000] > 0)
    }

    @Test func eventRingDropsWhenNobodyDrains() throws {
        let synth = try GranularSynth(
            bank: F.bank([F.noise(seconds: 1, amplitude: 0.01)]),
            parameters: GrainParameters(grainRate: 5000, minDuration: 0.01, maxDuration: 0.01))
        try F.publish(synth, [1])
        _ = F.render(synth, frames: 4 * F.sampleRate, block: 4096)
        #expect(synth.status.eventsDropped > 0)
        #expect(F.events(synth).count == 16_384)
    }

    @Test func badBanksAndSettingsAreRejected() throws {
        let audio: [(name: String, samples: [Float], channels: Int)] = [("a", [0, 0, 0, 0], 1)]
        #expect(throws: SynthError.self) {
            try SoundBank(sampleRate: 48_000, audio: audio, frames: [FrameSpan(source: 1, start: 0, end: 2)])
        }
        #expect(throws: SynthError.self) {
            try SoundBank(sampleRate: 48_000, audio: audio, frames: [FrameSpan(source: 0, start: 2, end: 9)])
        }
        #expect(throws: SynthError.self) {
            try SoundBank(sampleRate: 48_000, audio: [("b", [0, 0, 0], 2)], frames: [])
        }
        let bank = try SoundBank(
            sampleRate: 48_000, audio: audio, frames: [FrameSpan(source: 0, start: 0, end: 4)])
        #expect(throws: SynthError.self) {
            try GranularSynth(bank: bank, configuration: SynthConfiguration(channels: 3))
        }
        #expect(throws: SynthError.self) {
            try GranularSynth(bank: bank, parameters: GrainParameters(attack: 0.7, release: 0.5))
        }
    }
}
