import Foundation
import Synchronization
import Testing

@testable import AudioOutput

/// The ALSA sink against the devices every Linux machine has: `null`, and a name that does not exist.
@Suite struct ALSASinkTests {
    @Test func aMissingDeviceIsAClearError() {
        #expect {
            _ = try ALSASink(device: "scenophone_no_such_device")
        } throws: { error in
            guard (error as? AudioSinkError)?.isMissingDevice == true else { return false }
            let text = "\(error)"
            return text.contains("cannot use ALSA device 'scenophone_no_such_device': open failed")
                && text.contains("aplay -L")
        }
    }

    @Test func theNullDeviceNegotiatesFloatStereoAndPlays() throws {
        let sink = try ALSASink(device: "null")
        #expect(sink.sampleFormat == .float32)
        #expect(sink.format.sampleRate == 48_000)
        #expect(sink.format.channels == 2)
        let calls = Atomic<Int>(0)
        try sink.start { block in
            for index in block.samples.indices { block.samples[index] = 0.1 }
            calls.wrappingAdd(1, ordering: .relaxed)
        }
        // ALSA's null device never blocks: wait for a few hundred periods rather than for time.
        while calls.load(ordering: .relaxed) < 200 { usleep(1000) }
        sink.stop()
        #expect(sink.failure == nil)
        #expect(sink.statistics.framesRendered >= 200 * Int64(sink.format.periodFrames))
        #expect(sink.underruns == 0)
    }

    @Test func integerDevicesGetClampedFullScaleSamples() {
        var floats: [Float] = [-2, -1, -0.5, 0, 0.5, 1, 2]
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: floats.count * 4, alignment: 16)
        defer { raw.deallocate() }
        floats.withUnsafeMutableBufferPointer { samples in
            let shorts = convert(samples, to: .int16, into: raw).assumingMemoryBound(to: Int16.self)
            #expect(
                Array(UnsafeBufferPointer(start: shorts, count: 7)) == [
                    -32767, -32767, -16383, 0, 16383, 32767, 32767,
                ])
            let ints = convert(samples, to: .int32, into: raw).assumingMemoryBound(to: Int32.self)
            #expect(ints[0] == -2_147_483_520 && ints[5] == 2_147_483_520 && ints[6] == 2_147_483_520)
        }
    }
}
