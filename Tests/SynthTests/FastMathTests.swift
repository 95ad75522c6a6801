import Foundation
import Testing

@testable import Synth

@Suite struct FastMathTests {
    @Test func sineAndCosineMatchLibm() {
        var worst: Double = 0
        for step in 0...1000 {
            let u = -Float.pi / 2 + Float.pi * Float(step) / 1000
            worst = max(worst, abs(Double(FastMath.sine(u)) - sin(Double(u))))
            let lanes = FastMath.sine(SIMD8(repeating: u))
            let cosines = FastMath.cosine(SIMD8(repeating: u))
            worst = max(worst, abs(Double(lanes[3]) - sin(Double(u))))
            worst = max(worst, abs(Double(cosines[5]) - cos(Double(u))))
        }
        #expect(worst < 3e-7)
    }

    @Test func raisedCosineIsTheHannRamp() {
        for step in 0...100 {
            let x = Float(step) / 100
            let expected = 0.5 - 0.5 * cos(Double.pi * Double(x))
            #expect(abs(Double(FastMath.raisedCosine(x)) - expected) < 3e-7)
        }
        #expect(FastMath.raisedCosine(-1) == FastMath.raisedCosine(0))
        #expect(FastMath.raisedCosine(2) == FastMath.raisedCosine(1))
    }

    @Test func exp2MatchesLibm() {
        for step in 0...200 {
            let e = -1 + Float(step) / 100
            let relative = abs(Double(FastMath.exp2(e)) / Foundation.exp2(Double(e)) - 1)
            #expect(relative < 3e-6)
        }
    }

    @Test(arguments: [(2400, 0), (2400, 1000), (100, 3), (40, 0), (4800, 2397), (4800, 0), (4800, 700)])
    func rampMatchesTheWindow(length: Int, position: Int) {
        // Up to 4096 frames, so the rotation restarts from the polynomial several times.
        let count = min(4096, length - position)
        let envelope = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { envelope.deallocate() }
        let step = 1 / Float(length)
        GrainKernels.applyRamp(
            WindowStore(envelope: envelope), from: 0, count: count, x0: (Float(position) + 0.5) * step,
            dx: step,
            gain: 0.7)
        var worst: Double = 0
        for k in 0..<count {
            let x = (Double(position + k) + 0.5) / Double(length)
            worst = max(worst, abs(Double(envelope[k]) - 0.7 * (0.5 - 0.5 * cos(Double.pi * x))))
        }
        #expect(worst < 1e-5)
    }

    @Test func simdHelpers() {
        let x = SIMD8<Float>(-3, 1, -0.5, 2, 0, -7, 6, 5)
        #expect(FastMath.magnitude(x) == SIMD8(3, 1, 0.5, 2, 0, 7, 6, 5))
        #expect(FastMath.largest(FastMath.magnitude(x)) == 7)
        #expect(FastMath.maximum(x, .zero) == SIMD8(0, 1, 0, 2, 0, 0, 6, 5))
    }
}
