import Foundation
import Testing

@testable import Synth

@Suite struct ProbabilitySmootherTests {
    /// Blends a dense distribution in (every frame listed, no background) and returns the state.
    @discardableResult
    private func blend(_ smoother: inout ProbabilitySmoother, _ distribution: [Double], at time: Double)
        -> [Double]
    {
        let frames = distribution.indices.map { Int32($0) }
        frames.withUnsafeBufferPointer { f in
            distribution.withUnsafeBufferPointer {
                smoother.blend(background: 0, frames: f, masses: $0, at: time)
            }
        }
        return Array(smoother.masses)
    }

    @Test func stepResponseFollowsTheTimeConstant() {
        var smoother = ProbabilitySmoother(count: 2, timeConstant: 0.1)
        let sceneA = [1.0, 0]
        let sceneB = [0.0, 1]
        #expect(blend(&smoother, sceneA, at: 0) == sceneA)
        // Vision at 10 fps after a cut: B holds 1 − exp(−t/τ) of the mass.
        for frame in 1...5 {
            let state = blend(&smoother, sceneB, at: Double(frame) * 0.1)
            #expect(abs(state[1] - (1 - exp(-Double(frame)))) < 1e-12)
            #expect(abs(state[0] + state[1] - 1) < 1e-12)
        }
    }

    @Test func responseDoesNotDependOnTheVisionRate() {
        func share(after seconds: Double, fps: Double) -> Double {
            var smoother = ProbabilitySmoother(count: 2, timeConstant: 0.1)
            blend(&smoother, [1.0, 0], at: 0)
            var state: [Double] = []
            for frame in 1...Int(seconds * fps) {
                state = blend(&smoother, [0.0, 1], at: Double(frame) / fps)
            }
            return state[1]
        }
        #expect(abs(share(after: 0.3, fps: 10) - share(after: 0.3, fps: 30)) < 1e-9)
    }

    @Test func zeroTimeConstantAndTimeGoingBackPassThrough() {
        var smoother = ProbabilitySmoother(count: 2, timeConstant: 0)
        blend(&smoother, [1.0, 0], at: 0)
        #expect(blend(&smoother, [0.0, 1], at: 0.01) == [0, 1])
        #expect(Array(smoother.frames) == [1])
        var slow = ProbabilitySmoother(count: 2, timeConstant: 10)
        blend(&slow, [1.0, 0], at: 5)
        #expect(blend(&slow, [0.0, 1], at: 1) == [0, 1])
    }

    @Test func backgroundSharesBlendLikeMassesAndFadedFramesJoinThem() {
        // Scene A: frame 0 holds 0.9, the background 0.1; then nothing but background, 30 fps.
        var smoother = ProbabilitySmoother(count: 1_000, timeConstant: 0.1)
        var masses = [Double](repeating: 0, count: 1_000)
        masses[0] = 0.9
        [Int32(0)].withUnsafeBufferPointer { f in
            masses.withUnsafeBufferPointer { smoother.blend(background: 0.1, frames: f, masses: $0, at: 0) }
        }
        masses[0] = 0
        var frame = 0
        while !smoother.frames.isEmpty {
            frame += 1
            let time = Double(frame) / 30
            [Int32]().withUnsafeBufferPointer { f in
                masses.withUnsafeBufferPointer {
                    smoother.blend(background: 1, frames: f, masses: $0, at: time)
                }
            }
            // The total stays 1 throughout, including when the frame is let go.
            #expect(abs(smoother.background + smoother.masses[0] - 1) < 1e-12)
            if frame == 3 { #expect(abs(smoother.masses[0] - 0.9 * exp(-1)) < 1e-12) }
        }
        // Let go once below the negligible mass: 0.9·e^(−t/0.1) < 1e-12 after about 2.8 s.
        #expect(frame == Int((log(0.9 / ProbabilitySmoother.negligibleMass) * 0.1 * 30).rounded(.up)))
        #expect(smoother.background == 1 || abs(smoother.background - 1) < 1e-15)
    }
}
