import Testing

@testable import Synth

@Suite struct AliasTableTests {
    func build(_ weights: [Double]) -> AliasTable {
        var table = AliasTable(capacity: weights.count)
        _ = weights.withUnsafeBufferPointer { table.build(from: $0) }
        return table
    }

    @Test func impliedProbabilitiesAreExact() {
        var random = Xoshiro256(seed: 11)
        let weights = (0..<10_000).map { index in
            index % 7 == 0 ? 0 : random.unitDouble() * random.unitDouble()
        }
        let total = weights.reduce(0, +)
        let table = build(weights)
        #expect(table.count == weights.count)
        let implied = table.impliedProbabilities()
        var worst = 0.0
        for (weight, probability) in zip(weights, implied) {
            worst = max(worst, abs(weight / total - probability))
        }
        // 32-bit thresholds: each column's split is exact to 2⁻³² of its 1/n share.
        #expect(worst < 1e-12)
        for index in stride(from: 0, to: weights.count, by: 7) { #expect(implied[index] == 0) }
    }

    @Test func drawsPassAChiSquareTest() {
        // 50 outcomes with uneven weights, 10⁶ draws: χ² with 49 degrees of freedom stays below
        // 85.35, its 0.999 quantile, unless the sampler is biased.
        let weights = (0..<50).map { Double(($0 * 37) % 50 + 1) }
        let total = weights.reduce(0, +)
        let table = build(weights)
        var counts = [Int](repeating: 0, count: 50)
        var random = Xoshiro256(seed: 2024)
        let draws = 1_000_000
        for _ in 0..<draws { counts[table.sample(random.next())] += 1 }
        var chiSquare = 0.0
        for index in 0..<50 {
            let expected = Double(draws) * weights[index] / total
            chiSquare += (Double(counts[index]) - expected) * (Double(counts[index]) - expected) / expected
        }
        #expect(chiSquare < 85.35)
        #expect(chiSquare > 0)
    }

    @Test func zeroWeightsAreNeverDrawn() {
        let table = build([0, 3, 0, 0, 1, 0])
        var random = Xoshiro256(seed: 9)
        for _ in 0..<100_000 {
            let outcome = table.sample(random.next())
            #expect(outcome == 1 || outcome == 4)
        }
    }

    @Test func badWeightsLeaveTheTableEmpty() {
        #expect(build([]).count == 0)
        #expect(build([0, 0]).count == 0)
        #expect(build([1, -1]).count == 0)
        #expect(build([1, .nan]).count == 0)
        #expect(build([1, .infinity]).count == 0)
        #expect(build([5]).impliedProbabilities() == [1])
    }

    @Test func rebuildingReplacesTheDistribution() {
        var table = AliasTable(capacity: 4)
        _ = [1.0, 1, 1, 1].withUnsafeBufferPointer { table.build(from: $0) }
        _ = [0.0, 0, 1].withUnsafeBufferPointer { table.build(from: $0) }
        #expect(table.count == 3)
        #expect(table.impliedProbabilities() == [0, 0, 1])
    }
}
