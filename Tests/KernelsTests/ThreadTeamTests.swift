import Foundation
import Kernels
import Testing

@Suite struct ThreadTeamTests {
    /// Every member runs every piece exactly once, whether its helpers were spinning or asleep.
    @Test(arguments: [1, 2, 3])
    func everyMemberRunsEveryPiece(members: Int) {
        let team = ThreadTeam(count: members)
        var counts = [Int](repeating: 0, count: members)
        counts.withUnsafeMutableBufferPointer { slots in
            for piece in 0..<300 {
                team.run { member in slots[member] += 1 }
                // Now and then wait long enough for the helpers to go to sleep.
                if piece % 50 == 0 { usleep(2_000) }
            }
        }
        #expect(counts == [Int](repeating: 300, count: members))
    }

    @Test func sharesTileTheRangeInOrder() {
        for count in 1...4 {
            for length in [0, 1, 7, 49, 100] {
                let parts = (0..<count).map { ThreadTeam.share(10..<(10 + length), $0, of: count) }
                #expect(parts.first?.lowerBound == 10)
                #expect(parts.last?.upperBound == 10 + length)
                #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(parts.map(\.count).max()! - parts.map(\.count).min()! <= 1)
            }
        }
    }
}
