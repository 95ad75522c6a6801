import Foundation
import Testing

@testable import AudioOutput

@Suite struct SampleRingTests {
    @Test func wrapsAroundAndKeepsOrder() {
        let ring = SampleRing(capacity: 7)
        var next: Float = 0
        var expected: Float = 0
        var out = [Float](repeating: 0, count: 5)
        for _ in 0..<20 {
            let chunk = (0..<5).map { _ -> Float in
                defer { next += 1 }
                return next
            }
            #expect(chunk.withUnsafeBufferPointer { ring.write($0) })
            let count = out.withUnsafeMutableBufferPointer { ring.read(into: $0) }
            #expect(count == 5)
            for value in out.prefix(count) {
                #expect(value == expected)
                expected += 1
            }
        }
        #expect(ring.dropped == 0)
    }

    @Test func dropsAWriteThatDoesNotFitWholeAndCountsIt() {
        let ring = SampleRing(capacity: 8)
        let samples = [Float](repeating: 1, count: 5)
        #expect(samples.withUnsafeBufferPointer { ring.write($0) })
        #expect(!samples.withUnsafeBufferPointer { ring.write($0) })
        #expect(ring.dropped == 5)
        #expect(ring.available == 5)
        let three = [Float](repeating: 2, count: 3)
        #expect(three.withUnsafeBufferPointer { ring.write($0) })
        #expect(ring.available == 8)
    }

    @Test func oneProducerAndOneConsumerSeeEverySampleOnce() {
        let ring = SampleRing(capacity: 1000)
        let total = 2_000_000
        let producer = Thread {
            var chunk = [Float](repeating: 0, count: 97)
            var next = 0
            while next < total {
                let count = min(chunk.count, total - next)
                for index in 0..<count { chunk[index] = Float(next + index) }
                // Wait for room rather than let the ring drop samples.
                while ring.capacity - ring.available < count { sched_yield() }
                _ = chunk[0..<count].withUnsafeBufferPointer { ring.write($0) }
                next += count
            }
        }
        producer.start()
        var received = 0
        var firstMismatch: Int? = nil
        var buffer = [Float](repeating: 0, count: 61)
        while received < total && firstMismatch == nil {
            let count = buffer.withUnsafeMutableBufferPointer { ring.read(into: $0) }
            if count == 0 { sched_yield() }
            for (offset, value) in buffer.prefix(count).enumerated() where value != Float(received + offset) {
                firstMismatch = received + offset
                break
            }
            received += count
        }
        #expect(firstMismatch == nil)
        #expect(ring.dropped == 0)
    }
}
