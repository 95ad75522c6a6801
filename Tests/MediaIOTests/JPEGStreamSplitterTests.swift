import Foundation
import TestSupport
import Testing

@testable import MediaIO

@Suite struct JPEGStreamSplitterTests {
    @Test func splitsFFmpegsStreamWhateverTheChunking() throws {
        let directory = try TemporaryDirectory()
        let stream = directory.file("frames.mjpeg")
        let made = try run(
            "ffmpeg",
            [
                "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=10:d=2", "-c:v", "mjpeg",
                "-f", "image2pipe", stream.path,
            ])
        try #require(made.status == 0)
        let bytes = [UInt8](try Data(contentsOf: stream))
        for chunk in [1, 7, 4096, bytes.count] {
            var splitter = JPEGStreamSplitter()
            var images: [[UInt8]] = []
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + chunk)
                bytes[offset..<end].withUnsafeBytes { splitter.push($0) { images.append($0) } }
                offset = end
            }
            #expect(images.count == 20)
            #expect(images.reduce(0) { $0 + $1.count } == bytes.count)
        }
    }

    @Test func endMarkerInsideACommentDoesNotEndTheImage() {
        // SOI, a COM segment holding FF D9, a tiny scan with a stuffed FF 00, then EOI.
        let image: [UInt8] = [
            0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x06, 0x41, 0xFF, 0xD9, 0x42, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF,
            0x00,
            0x34, 0xFF, 0xD9,
        ]
        var splitter = JPEGStreamSplitter()
        var images: [[UInt8]] = []
        (image + image).withUnsafeBytes { splitter.push($0) { images.append($0) } }
        #expect(images == [image, image])
    }
}
