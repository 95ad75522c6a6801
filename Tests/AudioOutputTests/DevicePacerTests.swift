import Testing

@testable import AudioOutput

/// The imaginary device's clock, driven with made-up times so every case is exact.
@Suite struct DevicePacerTests {
    /// 1000 Hz makes one frame a millisecond: periods of 10 frames are 10 ms, the buffer 40 ms.
    let format = AudioFormat(sampleRate: 1000, channels: 1, periodFrames: 10, bufferPeriods: 4)
    let ms: Int64 = 1_000_000

    @Test func fillsThenStartsWhenTheBufferIsFull() {
        var pacer = DevicePacer(format: format)
        for _ in 0..<3 {
            #expect(pacer.nextWakeTime() == nil)
            #expect(pacer.periodWritten(at: 5 * ms) == .filling)
        }
        #expect(pacer.periodWritten(at: 7 * ms) == .filling)
        #expect(pacer.startTime == 7 * ms)
        // Full: the next period fits once the first one has played, 10 ms after the start.
        #expect(pacer.nextWakeTime() == 17 * ms)
        // And the device starts playing it when the four buffered periods are done.
        #expect(pacer.nextDeadline() == 47 * ms)
    }

    @Test func steadyRendersHaveTheBufferAsMargin() {
        var pacer = DevicePacer(format: format)
        for _ in 0..<4 { _ = pacer.periodWritten(at: 0) }
        for period in 0..<100 {
            let wake = pacer.nextWakeTime()!
            #expect(wake == Int64(period + 1) * 10 * ms)
            // A render that takes 2 ms leaves 30 - 2 ms before the device needs it.
            #expect(pacer.periodWritten(at: wake + 2 * ms) == .onTime(margin: 28 * ms))
        }
    }

    @Test func aLateRenderIsOneUnderrunAndTheDeviceRefills() {
        var pacer = DevicePacer(format: format)
        for _ in 0..<4 { _ = pacer.periodWritten(at: 0) }
        let deadline = pacer.nextDeadline()!
        #expect(deadline == 40 * ms)
        #expect(pacer.periodWritten(at: deadline + 3 * ms) == .underrun(lateness: 3 * ms))
        #expect(pacer.nextWakeTime() == nil)
        #expect(pacer.written == 10)
        for _ in 0..<2 { #expect(pacer.periodWritten(at: 44 * ms) == .filling) }
        #expect(pacer.periodWritten(at: 45 * ms) == .filling)
        #expect(pacer.startTime == 45 * ms)
    }

    @Test func finishingExactlyAtTheDeadlineIsInTime() {
        var pacer = DevicePacer(format: format)
        for _ in 0..<4 { _ = pacer.periodWritten(at: 0) }
        #expect(pacer.periodWritten(at: 40 * ms) == .onTime(margin: 0))
    }

    @Test func fractionalPeriodsDoNotDrift() {
        // 256 frames at 48 kHz is 5.333… ms: deadlines must follow frames, not a rounded period.
        let format = AudioFormat(sampleRate: 48_000, channels: 2, periodFrames: 256, bufferPeriods: 4)
        var pacer = DevicePacer(format: format)
        for _ in 0..<4 { _ = pacer.periodWritten(at: 0) }
        let periods: Int = 48_000 * 3600 / 256
        for _ in 0..<periods { _ = pacer.periodWritten(at: pacer.nextWakeTime()!) }
        // After an hour of periods the next deadline is exactly the hour plus the buffer.
        let frames: Int64 = Int64(periods) * 256 + 1024
        let expected: Int64 = frames * 1_000_000_000 / 48_000
        #expect(pacer.nextDeadline() == expected)
    }
}
