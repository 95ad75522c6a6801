import Foundation
import Synchronization
import Testing

@testable import Synth

@Suite struct TripleBufferIndexTests {
    @Test func latestPublishedSlotWins() {
        let index = TripleBufferIndex()
        var writer = 0
        var reader = 2
        #expect(index.acquire(reader) == reader)
        let first = writer
        writer = index.publish(writer)
        let second = writer
        writer = index.publish(writer)
        reader = index.acquire(reader)
        #expect(reader == second)
        #expect(reader != first || first == second)
        #expect(Set([writer, reader]).count == 2)
        #expect(index.acquire(reader) == reader)
    }

    @Test func concurrentHandOverNeverTearsOrGoesBack() async {
        // The writer fills its slot with a rising counter in every word; the reader must only ever
        // see whole values, never smaller than the last one it saw.
        final class Slots: @unchecked Sendable {
            let words = UnsafeMutablePointer<Int>.allocate(capacity: 3 * 64)
            let index = TripleBufferIndex()
            let done = Atomic<Bool>(false)
            init() { words.initialize(repeating: 0, count: 3 * 64) }
            deinit { words.deallocate() }
        }
        let slots = Slots()
        let writer = Task.detached {
            var slot = 0
            for value in 1...200_000 {
                for word in 0..<64 { slots.words[slot * 64 + word] = value }
                slot = slots.index.publish(slot)
            }
            slots.done.store(true, ordering: .releasing)
        }
        var slot = 2
        var last = 0
        var torn = 0
        var wentBack = 0
        while !slots.done.load(ordering: .acquiring) {
            slot = slots.index.acquire(slot)
            let value = slots.words[slot * 64]
            for word in 1..<64 where slots.words[slot * 64 + word] != value { torn += 1 }
            if value < last { wentBack += 1 }
            last = value
        }
        await writer.value
        slot = slots.index.acquire(slot)
        #expect(torn == 0)
        #expect(wentBack == 0)
        #expect(slots.words[slot * 64] == 200_000)
    }
}
