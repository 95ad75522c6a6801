import Foundation
import Testing

@testable import Synth

@Suite struct ProbabilitySmootherTests {
    @Test func stepResponseFollowsTheTimeConstant() {
        var smoother = ProbabilitySmoother(count: 2, timeConstant: 0.1)
        let sceneA = [1.0, 0]
        let sceneB = [0.0, 1]
        _ = sceneA.withUnsafeBufferPointer { smoother.blend($0, at: 0) }
        #expect(Array(smoother.current) == sceneA)
        // Vision at 10 fps after a cut: B holds 1 − exp(−t/τ) of the mass.
        for frame in 1...5 {
            let time = Double(frame) * 0.1
            let state = sceneB.withUnsafeBufferPointer { Array(smoother.blend($0, at: time)) }
            #expect(abs(state[1] - (1 - exp(-Double(frame)))) < 1e-12)
            #expect(abs(state[0] + state[1] - 1) < 1e-12)
        }
    }

    @Test func responseDoesNotDependOnTheVisionRate() {
        func share(after seconds: Double, fps: Double) -> Double {
            var smoother = ProbabilitySmoother(count: 2, timeConstant: 0.1)
            _ = [1.0, 0].withUnsafeBufferPointer { smoother.blend($0, at: 0) }
            var state: [Double] = []
            for frame in 1...Int(seconds * fps) {
                state = [0.0, 1].withUnsafeBufferPointer {
                    Array(smoother.blend($0, at: Double(frame) / fps))
                }
            }
            return state[1]
        }
        #expect(abs(share(after: 0.3, fps: 10) - share(after: 0.3, fps: 30)) < 1e-9)
    }

    @Test func zeroTimeConstantAndTimeGoingBackPassThrough() {
        var smoother = ProbabilitySmoother(count: 2, timeConstant: 0)
        _ = [1.0, 0].withUnsafeBufferPointer { smoother.blend($0, at: 0) }
        _ = [0.0, 1].withUnsafeBufferPointer { smoother.blend($0, at: 0.01) }
        #expect(Array(smoother.current) == [0, 1])
        var slow = ProbabilitySmoother(count: 2, timeConstant: 10)
        _ = [1.0, 0].withUnsafeBufferPointer { slow.blend($0, at: 5) }
        _ = [0.0, 1].withUnsafeBufferPointer { slow.blend($0, at: 1) }
        #expect(Array(slow.current) == [0, 1])
    }
}
