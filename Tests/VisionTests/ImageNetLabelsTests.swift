import Foundation
import TestSupport
import Testing

@testable import Vision

@Suite struct ImageNetLabelsTests {
    @Test func theInstalledLabelsHoldTheThousandClasses() throws {
        let labels = try ImageNetLabels(contentsOf: ModelFiles.locate(directory: Paths.modelDirectory).labels)
        #expect(labels.names.count == 1000)
        #expect(labels.names[0] == "tench, Tinca tinca")
        #expect(labels.names[967] == "espresso")
    }

    @Test func topIsASoftmaxInDescendingOrder() throws {
        let labels = try ImageNetLabels(contentsOf: ModelFiles.locate(directory: Paths.modelDirectory).labels)
        var logits = [Float](repeating: 0, count: 1000)
        logits[5] = log(4)
        logits[7] = log(2)
        let top = labels.top(3, logits: logits)
        let total: Float = 4 + 2 + 998
        #expect(top.map(\.index) == [5, 7, 0])
        #expect(abs(top[0].probability - 4 / total) < 1e-6)
        #expect(abs(top[1].probability - 2 / total) < 1e-6)
        #expect(abs(top[2].probability - 1 / total) < 1e-6)
    }

    @Test func aListWithoutAThousandNamesIsRefused() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("labels.txt")
        try String(repeating: "cat\n", count: 999).write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: VisionError.invalidLabels(url, reason: "999 lines, expected 1000")) {
            try ImageNetLabels(contentsOf: url)
        }
    }
}
