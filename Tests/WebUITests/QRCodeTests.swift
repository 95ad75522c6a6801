import Foundation
import TestSupport
import Testing

@testable import WebUI

@Suite struct QRCodeTests {
    /// Every version, each filled to capacity at one of the four levels in turn (so every level meets
    /// small and large symbols), decoded by an independent reader (zbar).
    @Test func zbarReadsEveryVersion() throws {
        let directory = try TemporaryDirectory("qr")
        var expected: [String] = []
        var files: [String] = []
        var generator = SplitMix64(seed: 0x5CE7_0F07)
        for version in 1...40 {
            do {
                let level = QRErrorCorrection.allCases[version % 4]
                let overhead = version < 10 ? 2 : 3
                let length = QRCode.dataCodewordCount(version: version, level) - overhead
                let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
                let text = String(
                    (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
                let code = try QRCode(text: text, errorCorrection: level)
                #expect(code.version == version, "\(length) bytes at \(level) should need version \(version)")
                let file = directory.file("v\(version)-\(level).pgm")
                try writePGM(code, to: file)
                files.append(file.path)
                expected.append(text)
            }
        }
        let result = try run("zbarimg", ["--raw", "-q", "-Sdisable", "-Sqrcode.enable"] + files)
        #expect(result.status == 0, "zbarimg failed: \(result.standardError)")
        let decoded = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(
            String.init)
        #expect(Array(decoded.prefix(expected.count)) == expected)
    }

    @Test func aServerURLFitsASmallSymbol() throws {
        let url = "https://192.168.100.200:8443/?token=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA"
        let code = try QRCode(text: url)
        #expect(code.version <= 5)
        #expect(code.errorCorrection == .medium)
    }

    @Test func tooMuchDataIsRefused() {
        let text = String(repeating: "x", count: 2400)
        #expect(throws: QRCodeError.self) { try QRCode(text: text, errorCorrection: .medium) }
        do {
            _ = try QRCode(text: text, errorCorrection: .high)
        } catch {
            #expect("\(error)".contains("2400 bytes"))
        }
    }

    /// The terminal text, read back cell by cell, gives the same modules, with a light quiet zone.
    @Test func terminalTextRoundTrips() throws {
        let code = try QRCode(text: "https://127.0.0.1:8080/")
        for colour in [false, true] {
            var text = code.terminalText(colour: colour, quietZone: 4)
            if colour {
                #expect(text.contains("\u{1B}[30;107m"))
                text = text.replacingOccurrences(of: "\u{1B}[30;107m", with: "")
                    .replacingOccurrences(of: "\u{1B}[0m", with: "")
            }
            let lines = text.split(separator: "\n").map { Array($0) }
            let width = code.size + 8
            #expect(lines.count == (width + 1) / 2)
            for (row, line) in lines.enumerated() {
                #expect(line.count == width)
                for (column, cell) in line.enumerated() {
                    let (top, bottom): (Bool, Bool) =
                        switch cell {
                        case "█": (true, true)
                        case "▀": (true, false)
                        case "▄": (false, true)
                        default: (false, false)
                        }
                    func module(_ x: Int, _ y: Int) -> Bool {
                        (0..<code.size).contains(x) && (0..<code.size).contains(y) && code[x, y]
                    }
                    #expect(top == module(column - 4, 2 * row - 4))
                    #expect(bottom == module(column - 4, 2 * row - 3))
                }
            }
        }
    }

    @Test func reedSolomonMatchesTheStandardsExample() {
        // ISO/IEC 18004 annex I: "01234567" at version 1-M; the 16 data codewords and their 10 check bytes.
        let data: [UInt8] = [
            0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11,
        ]
        let check = ReedSolomon(degree: 10).remainder(of: data)
        #expect(check == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
        // "HELLO WORLD" at 1-M in alphanumeric mode, as worked through in the usual tutorials.
        let hello: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        #expect(
            ReedSolomon(degree: 10).remainder(of: hello) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    /// Writes the symbol as a binary PGM, four pixels per module, with a four-module quiet zone.
    private func writePGM(_ code: QRCode, to url: URL) throws {
        let scale = 4
        let side = (code.size + 8) * scale
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<code.size {
            for x in 0..<code.size where code[x, y] {
                for dy in 0..<scale {
                    for dx in 0..<scale { pixels[((y + 4) * scale + dy) * side + (x + 4) * scale + dx] = 0 }
                }
            }
        }
        try (Data("P5\n\(side) \(side)\n255\n".utf8) + Data(pixels)).write(to: url)
    }
}

/// A small deterministic random generator for test data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
