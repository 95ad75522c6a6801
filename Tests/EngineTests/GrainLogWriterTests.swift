import Engine
import Foundation
import Synth
import TestSupport
import Testing

@Suite struct GrainLogWriterTests {
    @Test func writesOneRowPerGrainInSecondsAndAppearsOnlyWhenFinished() throws {
        let directory = try TemporaryDirectory()
        let bank = try SoundBank(
            sampleRate: 48_000,
            audio: [("plain", [Float](repeating: 0, count: 96_000), 1), ("a, \"quoted\"", [0, 0], 1)],
            frames: [FrameSpan(source: 0, start: 0, end: 48_000)])
        let url = directory.file("grains.csv")
        let log = try GrainLogWriter(url: url, bank: bank)
        for index in 0..<3 {
            try log.write(
                GrainEvent(
                    outputFrame: Int64(24_000 * index), frame: 0, source: Int32(index % 2),
                    sourceFrame: 72_000,
                    length: 2_400, rate: 1, gain: 0.5, pan: -0.25, generation: 9))
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
        try log.finish()
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0] == Substring(GrainLogWriter.header))
        #expect(lines[2] == "0.500000,1,\"a, \"\"quoted\"\"\",1.500000,0.050000,0.5,-0.2500,1.000000,0,9")
        #expect(lines[3].hasPrefix("1.000000,0,plain,1.500000,0.050000,"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["grains.csv"])
    }

    @Test func abandoningLeavesNothing() throws {
        let directory = try TemporaryDirectory()
        let bank = try SoundBank(sampleRate: 48_000, audio: [("a", [0, 0], 1)], frames: [])
        let log = try GrainLogWriter(url: directory.file("x.csv"), bank: bank)
        log.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
        #expect(throws: EngineError.self) {
            try GrainLogWriter(url: directory.file("no/such/x.csv"), bank: bank)
        }
    }
}
